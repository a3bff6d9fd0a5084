package store

import (
	"os"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/memops"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// A MapOption changes what MapColumn and MapTable check.
type MapOption func(*mapOptions)

type mapOptions struct {
	checksum bool
}

// VerifyChecksum makes a mapping check the file's data checksum too, which
// reads every byte (O(rows)). Without it, a mapping checks what it must
// (the header, the section bounds, SYM ids and BOOL bytes) and leaves the
// elements unread.
func VerifyChecksum() MapOption { return func(o *mapOptions) { o.checksum = true } }

// MapColumn maps the column file at path and returns a vector over it
// (mmod = 1) without copying its elements. Only what is cheap to check is
// checked, unless VerifyChecksum is given: SYM ids and BOOL bytes are
// always checked, since a bad id would reach outside the symbol table and a
// bad byte is no bool. The caller releases the vector,
// which unmaps the file; writing to it copies it to the heap first.
//
// A STR column is loaded instead (as LoadColumn does, checksum included):
// its elements are views that say where in the pool each string lies, and
// a file rewritten in place could then point them anywhere, for raygo's
// readers and for Arrow consumers of an export alike. See the package
// documentation for what a reader of a mapped column sees when its file
// changes.
func MapColumn(path string, opts ...MapOption) (value.V, error) {
	var o mapOptions
	for _, opt := range opts {
		opt(&o)
	}
	f, err := os.Open(path)
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrIO, "store.MapColumn", err, "opening %s", path)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrIO, "store.MapColumn", err, "stat %s", path)
	}
	h, err := readHeader(f, st.Size())
	if err != nil {
		return value.V{}, err
	}
	if value.Type(h.Type) == value.Str {
		return loadColumn(f, st.Size())
	}
	// The file from its data on; readHeader checked that the sections
	// follow one another from dataOffset to the end.
	p, err := heap.MapFile(f, dataOffset, st.Size()-dataOffset)
	if err != nil {
		return value.V{}, err
	}
	fileData := uintptr(p) + heap.HeaderSize
	section := func(off, n uint64) []byte {
		if n == 0 {
			return nil
		}
		return unsafe.Slice((*byte)(offheap.Ptr(fileData+uintptr(off-dataOffset))), n)
	}
	data, nulls, pool := section(h.DataOff, h.DataLen), section(h.NullOff, h.NullLen), section(h.PoolOff, h.PoolLen)
	if err := checkSections(&h, data, nulls, pool, o.checksum); err != nil {
		heap.UnmapFile(p)
		return value.V{}, err
	}
	// The header is the loader's own, in memory of its own: nothing of the
	// file's first page is trusted or even mapped (ARCHITECTURE.md D19).
	vh := heap.HeaderOf(p) // MapFile marked it mapped, with one reference
	vh.Type, vh.Word = h.Type, h.Rows
	v := layout.FromPointer(p)
	if value.Type(h.Type) == value.Sym {
		vh.Attrs = h.Width
	}
	if len(nulls) > 0 {
		nm, err := heapCopy(nulls)
		if err != nil {
			cow.Release(&v)
			return value.V{}, err
		}
		layout.SetNullmap(v, nm)
	}
	return v, nil
}

// heapCopy returns a U8 vector holding a copy of b.
func heapCopy(b []byte) (value.V, error) {
	p, err := heap.Alloc(uintptr(len(b)))
	if err != nil {
		return value.V{}, err
	}
	h := heap.HeaderOf(p)
	h.Type = int8(value.U8)
	h.Word = uint64(len(b))
	memops.Copy(unsafe.Slice((*byte)(offheap.Add(p, heap.HeaderSize)), len(b)), b)
	return layout.FromPointer(p), nil
}
