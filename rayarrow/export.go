package rayarrow

import (
	"sync"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// owner is the allocator of one exported buffer: it holds a reference to
// the raygo block the buffer shows and gives it back when Arrow frees the
// buffer. It never allocates.
type owner struct{ v value.V }

var _ memory.Allocator = (*owner)(nil)

func (o *owner) Allocate(int) []byte { panic("rayarrow: an exported buffer cannot allocate") }
func (o *owner) Reallocate(int, []byte) []byte {
	panic("rayarrow: an exported buffer cannot reallocate")
}
func (o *owner) Free([]byte) { cow.Release(&o.v) }

// buffer wraps n bytes at p, inside block v, in an Arrow buffer that holds
// a new reference to v.
func buffer(v value.V, p unsafe.Pointer, n int) *memory.Buffer {
	var b []byte
	if n > 0 {
		b = unsafe.Slice((*byte)(p), n)
	}
	return memory.NewBufferWithAllocator(b, &owner{cow.Retain(v)})
}

// arrowType returns the Arrow type of a raygo vector type.
func arrowType(v value.V) (arrow.DataType, error) {
	switch v.Type() {
	case value.Bool:
		return arrow.FixedWidthTypes.Boolean, nil
	case value.U8:
		return arrow.PrimitiveTypes.Uint8, nil
	case value.I16:
		return arrow.PrimitiveTypes.Int16, nil
	case value.I32:
		return arrow.PrimitiveTypes.Int32, nil
	case value.I64:
		return arrow.PrimitiveTypes.Int64, nil
	case value.F32:
		return arrow.PrimitiveTypes.Float32, nil
	case value.F64:
		return arrow.PrimitiveTypes.Float64, nil
	case value.Date:
		return arrow.FixedWidthTypes.Date32, nil
	case value.Time:
		return arrow.FixedWidthTypes.Time32ms, nil
	case value.Timestamp:
		return &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, nil
	case value.GUID:
		return &arrow.FixedSizeBinaryType{ByteWidth: 16}, nil
	case value.Str:
		return arrow.BinaryTypes.StringView, nil
	case value.Sym:
		return &arrow.DictionaryType{IndexType: symIndexType(v), ValueType: arrow.BinaryTypes.String}, nil
	}
	return nil, ray.Errorf(ray.ErrNYI, "rayarrow.Export", "%v has no Arrow export yet", v.Type())
}

func symIndexType(v value.V) arrow.DataType {
	switch attrbits.Width(layout.SymWidth(v)) {
	case attrbits.W8:
		return arrow.PrimitiveTypes.Uint8
	case attrbits.W16:
		return arrow.PrimitiveTypes.Uint16
	case attrbits.W32:
		return arrow.PrimitiveTypes.Uint32
	}
	return arrow.PrimitiveTypes.Int64
}

// Export returns v, a vector, as an Arrow array over the same memory. The
// array holds its own references: the caller may release v at once, and
// must Release the array when done with it.
func Export(v value.V) (arrow.Array, error) {
	if v.IsZero() || !v.IsVector() && v.Type() != value.List {
		return nil, ray.Errorf(ray.ErrType, "rayarrow.Export", "want a vector or LIST, have %v", v.TypeName())
	}
	var data *array.Data
	var err error
	if v.Type() == value.List {
		data, err = exportList(v)
	} else {
		data, err = exportData(v)
	}
	if err != nil {
		return nil, err
	}
	defer data.Release()
	return array.MakeFromData(data), nil
}

func exportData(v value.V) (*array.Data, error) {
	dt, err := arrowType(v)
	if err != nil {
		return nil, err
	}
	n := int(v.Len())
	root, off := layout.Root(v)
	validity, nulls, err := validityBuffer(v, off, n)
	if err != nil {
		return nil, err
	}
	release := func(bs ...*memory.Buffer) {
		for _, b := range bs {
			if b != nil {
				b.Release()
			}
		}
	}
	switch v.Type() {
	case value.Bool:
		bits, err := packBools(v, off, n)
		if err != nil {
			release(validity)
			return nil, err
		}
		d := array.NewData(dt, n, []*memory.Buffer{validity, bits}, nil, nulls, off)
		release(validity, bits)
		return d, nil
	case value.Str:
		views := buffer(root, layout.BlockData(root), (off+n)*16)
		bufs := []*memory.Buffer{validity, views}
		if pool := layout.Pool(v); !pool.IsZero() {
			bufs = append(bufs, buffer(pool, layout.BlockData(pool), int(pool.Len())))
		}
		d := array.NewData(dt, n, bufs, nil, nulls, off)
		release(bufs...)
		return d, nil
	case value.Sym:
		if int64(n)*symCompactRatio < value.SymCount() {
			release(validity)
			return exportSymCompact(v)
		}
		dict, err := symDictionary()
		if err != nil {
			release(validity)
			return nil, err
		}
		idx := buffer(root, layout.BlockData(root), (off+n)*layout.ElemSize(v))
		d := array.NewDataWithDictionary(dt, n, []*memory.Buffer{validity, idx}, nulls, off, dict)
		release(validity, idx)
		dict.Release()
		return d, nil
	}
	elems := buffer(root, layout.BlockData(root), (off+n)*layout.ElemSize(v))
	d := array.NewData(dt, n, []*memory.Buffer{validity, elems}, nil, nulls, off)
	release(validity, elems)
	return d, nil
}

// validityBuffer builds Arrow's validity bitmap (1 = valid) for rows [off,
// off+n) of v's root, 64 rows at a time; nil when v has no nulls.
func validityBuffer(v value.V, off, n int) (*memory.Buffer, int, error) {
	// The bits count from the root's row 0, as the Arrow offset does.
	bits, _ := layout.NullBits(v)
	nulls := vec.NullCount(v)
	if bits == nil || nulls == 0 {
		return nil, 0, nil
	}
	total := off + n
	words := (total + 63) / 64
	p, err := heap.Alloc(uintptr(words * 8))
	if err != nil {
		return nil, 0, err
	}
	b := layout.InitBytes(p, words*8)
	out := unsafe.Slice((*uint64)(layout.BlockData(b)), words)
	for w := range out {
		var null uint64
		if (w+1)*8 <= len(bits) {
			null = *(*uint64)(unsafe.Pointer(&bits[w*8])) // little-endian: bit i of the word is row i
		} else {
			for k := range 8 {
				if i := w*8 + k; i < len(bits) {
					null |= uint64(bits[i]) << (8 * k)
				}
			}
		}
		out[w] = ^null
	}
	buf := buffer(b, layout.BlockData(b), words*8)
	cow.Release(&b)
	return buf, nulls, nil
}

// packBools packs a BOOL vector's bytes into Arrow's bits.
func packBools(v value.V, off, n int) (*memory.Buffer, error) {
	root, _ := layout.Root(v)
	src := unsafe.Slice((*byte)(layout.BlockData(root)), off+n)
	words := (off + n + 63) / 64
	p, err := heap.AllocZeroed(uintptr(words * 8))
	if err != nil {
		return nil, err
	}
	b := layout.InitBytes(p, words*8)
	out := unsafe.Slice((*byte)(layout.BlockData(b)), words*8)
	for i, x := range src {
		if x != 0 {
			out[i>>3] |= 1 << (i & 7)
		}
	}
	buf := buffer(b, layout.BlockData(b), words*8)
	cow.Release(&b)
	return buf, nil
}

// symCompactRatio decides how a SYM column exports. A column with at least
// 1/symCompactRatio as many rows as there are symbols exports its ids as
// they are, over a dictionary of the whole symbol table (shared by every
// such export, and rebuilt, at a cost proportional to the table, only when
// the table has grown). A shorter column would ship and rebuild far more
// dictionary than data, so it gets a dictionary of its own symbols, in
// order of first appearance, and int32 indices into it: a copy of its ids,
// at a cost proportional to the column.
const symCompactRatio = 4

// A symDict is a dictionary of the symbols some SYM columns hold, in order
// of first appearance, and the position of each id in it. One column's
// compact export uses its own; the record batches of a file share one per
// column, so that the file holds each dictionary once.
type symDict struct {
	pos  map[uint64]int32
	dict *array.Data
}

func (d *symDict) release() { d.dict.Release() }

// eachSymID calls f with every row of the SYM vector v and its id (0 for a
// null row).
func eachSymID(v value.V, f func(i int, id uint64, null bool) error) error {
	root, off := layout.Root(v)
	w := layout.ElemSize(v)
	nullBits, noff := layout.NullBits(v)
	for i := range int(v.Len()) {
		if j := noff + i; j>>3 < len(nullBits) && nullBits[j>>3]>>(j&7)&1 != 0 {
			if err := f(i, 0, true); err != nil {
				return err
			}
			continue
		}
		p := unsafe.Add(layout.BlockData(root), (off+i)*w)
		var id uint64
		switch w {
		case 1:
			id = uint64(*(*uint8)(p))
		case 2:
			id = uint64(*(*uint16)(p))
		case 4:
			id = uint64(*(*uint32)(p))
		default:
			id = *(*uint64)(p)
		}
		if err := f(i, id, false); err != nil {
			return err
		}
	}
	return nil
}

// newSymDict returns the dictionary of the symbols of cols, SYM vectors.
func newSymDict(cols ...value.V) (*symDict, error) {
	names := array.NewStringBuilder(memory.DefaultAllocator)
	defer names.Release()
	pos := make(map[uint64]int32)
	for _, v := range cols {
		err := eachSymID(v, func(i int, id uint64, null bool) error {
			if _, ok := pos[id]; ok || null {
				return nil
			}
			name, known := value.SymName(int64(id))
			if !known {
				return ray.Errorf(ray.ErrCorrupt, "rayarrow.Export", "row %d holds symbol id %d, which is not in the symbol table", i, id)
			}
			pos[id] = int32(len(pos))
			names.Append(name)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	arr := names.NewStringArray()
	defer arr.Release()
	d := arr.Data().(*array.Data)
	d.Retain()
	return &symDict{pos: pos, dict: d}, nil
}

// exportSymWith exports the SYM vector v as int32 indices into d, which
// holds every symbol of v.
func exportSymWith(v value.V, d *symDict) (*array.Data, error) {
	n := int(v.Len())
	idx := memory.NewResizableBuffer(memory.DefaultAllocator)
	idx.Resize(n * 4)
	indices := unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(idx.Bytes()))), n)
	var validity *memory.Buffer
	nulls := 0
	err := eachSymID(v, func(i int, id uint64, null bool) error {
		if null {
			if validity == nil {
				validity = memory.NewResizableBuffer(memory.DefaultAllocator)
				validity.Resize((n + 7) / 8)
				bits := validity.Bytes()
				for j := range bits {
					bits[j] = 0xff
				}
			}
			validity.Bytes()[i>>3] &^= 1 << (i & 7)
			nulls++
			indices[i] = 0
			return nil
		}
		at, ok := d.pos[id]
		if !ok {
			return ray.Errorf(ray.ErrCorrupt, "rayarrow.Export", "row %d holds symbol id %d, which its dictionary lacks", i, id)
		}
		indices[i] = at
		return nil
	})
	defer idx.Release()
	if validity != nil {
		defer validity.Release()
	}
	if err != nil {
		return nil, err
	}
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	return array.NewDataWithDictionary(dt, n, []*memory.Buffer{validity, idx}, nulls, 0, d.dict), nil
}

// exportSymCompact exports the SYM vector v with a dictionary of its own
// symbols (see symCompactRatio).
func exportSymCompact(v value.V) (*array.Data, error) {
	d, err := newSymDict(v)
	if err != nil {
		return nil, err
	}
	defer d.release()
	return exportSymWith(v, d)
}

// The dictionary of SYM exports: every symbol's name, as an Arrow string
// array, rebuilt only when the symbol table has grown.
var globalSymDict struct {
	sync.Mutex
	count int64
	data  *array.Data
}

func symDictionary() (*array.Data, error) {
	globalSymDict.Lock()
	defer globalSymDict.Unlock()
	n := value.SymCount()
	if globalSymDict.data != nil && globalSymDict.count == n {
		globalSymDict.data.Retain()
		return globalSymDict.data, nil
	}
	bld := array.NewStringBuilder(memory.DefaultAllocator)
	defer bld.Release()
	bld.Reserve(int(n))
	for id := range n {
		name, _ := value.SymName(id)
		bld.Append(name)
	}
	arr := bld.NewStringArray()
	defer arr.Release()
	if globalSymDict.data != nil {
		globalSymDict.data.Release()
	}
	globalSymDict.data = arr.Data().(*array.Data)
	globalSymDict.data.Retain()
	globalSymDict.count = n
	globalSymDict.data.Retain()
	return globalSymDict.data, nil
}

// ExportRecord returns a TABLE as an Arrow record over the same memory,
// with the table's column names. The caller must Release the record.
func ExportRecord(t value.V) (arrow.Record, error) { return exportRecord(t, nil, false) }

// exportRecord is ExportRecord, with the SYM columns named in shared (by
// position) exported over the dictionaries given there. A record for
// writing gets its STR columns through compactForWriting.
func exportRecord(t value.V, shared map[int]*symDict, writing bool) (arrow.Record, error) {
	if t.IsZero() || t.Type() != value.Table {
		return nil, ray.Errorf(ray.ErrType, "rayarrow.ExportRecord", "want a TABLE, have %v", t.TypeName())
	}
	n := vec.NumCols(t)
	fields := make([]arrow.Field, n)
	cols := make([]arrow.Array, 0, n)
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for i := range n {
		name, col, err := vec.ColumnAt(t, i)
		if err != nil {
			return nil, err
		}
		var a arrow.Array
		if d := shared[i]; d != nil && col.Type() == value.Sym {
			data, err := exportSymWith(col, d)
			if err != nil {
				return nil, err
			}
			a = array.MakeFromData(data)
			data.Release()
		} else if writing && col.Type() == value.Str {
			c, err := compactForWriting(col)
			if err != nil {
				return nil, err
			}
			a, err = Export(c)
			cow.Release(&c)
			if err != nil {
				return nil, err
			}
		} else if a, err = Export(col); err != nil {
			return nil, err
		}
		cols = append(cols, a)
		fields[i] = arrow.Field{Name: name, Type: a.DataType(), Nullable: true}
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(vec.NumRows(t))), nil
}

// compactForWriting returns a new reference to the STR vector v or, when
// v's pool holds much more than its rows use (v is a slice of a longer
// vector, or many of its strings were overwritten), a copy whose pool holds
// just those bytes. Arrow's IPC writer writes a string_view column's data
// buffers whole, so without this a table written as batches sliced from
// one column (rayflight's DoGet, a file of several tables) would carry the
// column's whole pool in every batch.
func compactForWriting(v value.V) (value.V, error) {
	c := cow.Retain(v)
	pool := layout.Pool(v)
	if pool.IsZero() {
		return c, nil
	}
	if st, _ := vec.StrPool(v); st.Bytes <= 2*st.Pooled+compactSlack {
		return c, nil
	}
	if err := vec.CompactStr(&c); err != nil {
		cow.Release(&c)
		return value.V{}, err
	}
	return c, nil
}

// compactSlack is the pool bytes not worth a copy to drop.
const compactSlack = 64 << 10
