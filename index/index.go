package index

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/rand/v2"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// Kind is a kind of index.
type Kind uint8

const (
	Hash  Kind = 1 + iota // equality: rows of a key, batch probes
	Sort                  // the ascending row order, nulls last
	Zone                  // min, max, null count
	Bloom                 // may a key be present
)

func (k Kind) String() string {
	switch k {
	case Hash:
		return "hash"
	case Sort:
		return "sort"
	case Zone:
		return "zone"
	case Bloom:
		return "bloom"
	}
	return "kind?"
}

// payload is the fixed part of an index after its children.
type payload struct {
	keys     uint64 // non-null, non-NaN rows
	mask     uint64 // hash: capacity-1; bloom: bits-1
	k        uint64 // bloom: hashes per key; hash: distinct keys
	nulls    uint64 // zone
	hasRange uint64 // zone: min/max are set
	minI     int64
	maxI     int64
	minF     float64
	maxF     float64
	minRow   uint64 // zone of STR, GUID, SYM: the rows holding the least and
	maxRow   uint64 // greatest bytes (SYM: names); writes drop the index first
}

const payloadSize = unsafe.Sizeof(payload{})

var seed = rand.Uint64() | 1
var bytesSeed = maphash.MakeSeed()

// mix is SplitMix64's finaliser, over the key xor the process seed.
func mix(x uint64) uint64 {
	x ^= seed
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// keyer reads the keys of one vector.
type keyer struct {
	t     value.Type
	data  unsafe.Pointer
	size  int
	pool  unsafe.Pointer // STR: the pool's bytes
	nulls []byte
	noff  int
}

func newKeyer(v value.V) keyer {
	nb, off := layout.NullBits(v)
	root, roff := layout.Root(v)
	k := keyer{t: v.Type(), data: offheap.Add(layout.BlockData(root), uintptr(roff*layout.ElemSize(v))), size: layout.ElemSize(v), nulls: nb, noff: off}
	if k.t == value.Str {
		if pool := layout.Pool(v); !pool.IsZero() {
			k.pool = layout.BlockData(pool)
		}
	}
	return k
}

func (k *keyer) null(i int) bool {
	j := k.noff + i
	return j>>3 < len(k.nulls) && k.nulls[j>>3]>>(j&7)&1 != 0
}

func (k *keyer) wordKey() bool { return k.t != value.Str && k.t != value.GUID }

// word returns row i's key as a 64-bit word; ok is false for NaN.
func (k *keyer) word(i int) (uint64, bool) {
	p := offheap.Add(k.data, uintptr(i*k.size))
	return canonical(k.t, k.size, p)
}

func canonical(t value.Type, size int, p unsafe.Pointer) (uint64, bool) {
	switch t {
	case value.F64:
		f := *(*float64)(p)
		if f != f {
			return 0, false
		}
		if f == 0 {
			f = 0
		}
		return math.Float64bits(f), true
	case value.F32:
		f := float64(*(*float32)(p))
		if f != f {
			return 0, false
		}
		if f == 0 {
			f = 0
		}
		return math.Float64bits(f), true
	case value.Bool, value.U8:
		return uint64(*(*uint8)(p)), true
	case value.Sym:
		switch size {
		case 1:
			return uint64(*(*uint8)(p)), true
		case 2:
			return uint64(*(*uint16)(p)), true
		case 4:
			return uint64(*(*uint32)(p)), true
		}
		return *(*uint64)(p), true
	}
	switch size {
	case 2:
		return uint64(int64(*(*int16)(p))), true
	case 4:
		return uint64(int64(*(*int32)(p))), true
	}
	return *(*uint64)(p), true
}

// A cell is a byte key's 16-byte element: a GUID, or a STR view (package
// vec: length, then the string when it has at most 12 bytes, else its
// first 4 bytes and its offset in the pool).
type cell = [16]byte

func (k *keyer) cell(i int) *cell { return (*cell)(offheap.Add(k.data, uintptr(i)*16)) }

// bytesOf returns row i's key bytes (STR, GUID).
func (k *keyer) bytesOf(i int) []byte { return k.cellBytes(k.cell(i)) }

func (k *keyer) cellBytes(c *cell) []byte {
	if k.t != value.Str {
		return c[:]
	}
	n := binary.LittleEndian.Uint32(c[0:4])
	if n <= 12 {
		return c[4 : 4+n]
	}
	return unsafe.Slice((*byte)(offheap.Add(k.pool, uintptr(binary.LittleEndian.Uint32(c[12:16])))), n)
}

// sameCell reports whether two cells hold the same key, reading the pool
// only for long strings whose lengths and first bytes agree.
func (k *keyer) sameCell(a, b *cell) bool {
	if k.t != value.Str {
		return *a == *b
	}
	n := binary.LittleEndian.Uint32(a[0:4])
	if n != binary.LittleEndian.Uint32(b[0:4]) {
		return false
	}
	if n <= 12 { // padding need not be zero in views from elsewhere
		return bytes.Equal(a[4:4+n], b[4:4+n])
	}
	return [4]byte(a[4:8]) == [4]byte(b[4:8]) && bytes.Equal(k.cellBytes(a), k.cellBytes(b))
}

// hash returns row i's key hash; ok is false when the row has no key
// (null or NaN).
func (k *keyer) hash(i int) (uint64, bool) {
	if k.null(i) {
		return 0, false
	}
	if k.wordKey() {
		w, ok := k.word(i)
		return mix(w), ok
	}
	return maphash.Bytes(bytesSeed, k.bytesOf(i)), true
}

func supported(t value.Type) bool {
	switch t {
	case value.Bool, value.U8, value.I16, value.I32, value.I64, value.F32, value.F64,
		value.Date, value.Time, value.Timestamp, value.GUID, value.Sym, value.Str:
		return true
	}
	return false
}

// Attach builds an index of kind on *vp and attaches it, replacing any
// index it had. A slice is ErrType (attach to its materialised copy).
//
// A failed Attach leaves *vp exactly as it was, its old index included: the
// index is built from the vector as it stands (the builders read through an
// attached index), and only then is *vp made private (copied, if shared or
// mapped) and its old index swapped for the new one, steps that allocate
// nothing more or free the new index when the copy fails.
func Attach(vp *value.V, kind Kind) error {
	v := *vp
	if v.IsZero() || !v.IsVector() {
		return ray.Errorf(ray.ErrType, "index.Attach", "want a vector, have %v", v.TypeName())
	}
	if layout.IsSlice(v) {
		return ray.Errorf(ray.ErrType, "index.Attach", "a slice cannot be indexed; materialise it first")
	}
	if !supported(v.Type()) {
		return ray.Errorf(ray.ErrNYI, "index.Attach", "no %v index of %v vectors", kind, v.Type())
	}
	if kind < Hash || kind > Bloom {
		return ray.Errorf(ray.ErrDomain, "index.Attach", "%d is not an index kind", kind)
	}
	if v.Len() >= math.MaxUint32 {
		return ray.Errorf(ray.ErrLimit, "index.Attach", "%d rows: an index holds at most %d", v.Len(), uint32(math.MaxUint32-1))
	}
	var ix value.V
	var err error
	switch kind {
	case Hash:
		ix, err = buildHash(v)
	case Sort:
		ix, err = buildSort(v)
	case Zone:
		ix, err = buildZone(v)
	case Bloom:
		ix, err = buildBloom(v)
	}
	if err != nil {
		return err
	}
	if err := cow.Cow(vp); err != nil {
		cow.Release(&ix)
		return err
	}
	v = *vp
	if layout.HasIndex(v) { // private now: the old index comes off in place
		old := layout.DetachIndex(v)
		cow.Release(&old)
	}
	layout.AttachIndex(v, ix, uint8(kind))
	return nil
}

// Detach removes *vp's index, if it has one, putting back byte for byte the
// header bytes and the NULLMAP_EXT bit it displaced. A shared *vp is copied
// first (the copy shares the index until then). Writing to a vector drops
// its index the same way.
func Detach(vp *value.V) error {
	v := *vp
	if v.IsZero() || !v.IsVector() || !layout.HasIndex(v) {
		return nil
	}
	if err := cow.Cow(vp); err != nil {
		return err
	}
	ix := layout.DetachIndex(*vp)
	cow.Release(&ix)
	return nil
}

// newIndex allocates an INDEX block with children child slots.
func newIndex(children int) (value.V, *payload, error) {
	size := layout.IndexHeaderSize + uintptr(children)*8 + payloadSize
	p, err := heap.AllocZeroed(size)
	if err != nil {
		return value.V{}, nil, err
	}
	ix := layout.FromPointer(p)
	layout.InitIndex(ix, children, size)
	return ix, payloadOf(ix), nil
}

func payloadOf(ix value.V) *payload {
	ih := layout.IndexHeaderOf(ix)
	return (*payload)(offheap.Add(layout.BlockData(ix), layout.IndexHeaderSize+uintptr(ih.Children)*8))
}

// child allocates an owned U8 block of n zeroed bytes into slot i of ix.
func child(ix value.V, i int, n uintptr) (unsafe.Pointer, error) {
	return newChild(ix, i, n, heap.AllocZeroed)
}

// childToFill is child for a block the caller writes in full: its bytes
// are not zeroed first.
func childToFill(ix value.V, i int, n uintptr) (unsafe.Pointer, error) {
	return newChild(ix, i, n, heap.Alloc)
}

func newChild(ix value.V, i int, n uintptr, alloc func(uintptr) (unsafe.Pointer, error)) (unsafe.Pointer, error) {
	p, err := alloc(n)
	if err != nil {
		return nil, err
	}
	h := heap.HeaderOf(p)
	h.Type = int8(value.U8)
	h.Word = uint64(n)
	layout.IndexChildren(ix)[i] = uint64(uintptr(p))
	return offheap.Add(p, heap.HeaderSize), nil
}

func childData(ix value.V, i int) unsafe.Pointer {
	return offheap.Add(offheap.Ptr(uintptr(layout.IndexChildren(ix)[i])), heap.HeaderSize)
}

// indexOf returns v's attached index of kind, checked against v's length.
func indexOf(op string, v value.V, kind Kind) (value.V, *payload, error) {
	if v.IsZero() || !v.IsVector() || !layout.HasIndex(v) {
		return value.V{}, nil, ray.Errorf(ray.ErrType, op, "the %v has no index", v.TypeName())
	}
	ix := layout.IndexOf(v)
	ih := layout.IndexHeaderOf(ix)
	if Kind(ih.Kind) != kind {
		return value.V{}, nil, ray.Errorf(ray.ErrType, op, "the vector has a %v index, not %v", Kind(ih.Kind), kind)
	}
	pl := payloadOf(ix)
	if rows := ih.Rows; rows != uint64(v.Len()) {
		return value.V{}, nil, ray.Errorf(ray.ErrCorrupt, op, "the index was built for %d rows, the vector has %d", rows, v.Len())
	}
	return ix, pl, nil
}

// Info describes the index attached to v.
type Info struct {
	Kind     Kind
	Rows     int // the length it was built for
	Keys     int // rows with a key (not null, not NaN)
	Capacity int // hash: buckets; bloom: bits
	Nulls    int // zone
}

// InfoOf describes v's index; ok is false when v has none.
func InfoOf(v value.V) (Info, bool) {
	if v.IsZero() || !v.IsVector() || !layout.HasIndex(v) {
		return Info{}, false
	}
	ix := layout.IndexOf(v)
	pl := payloadOf(ix)
	k := Kind(layout.IndexHeaderOf(ix).Kind)
	info := Info{Kind: k, Rows: int(layout.IndexHeaderOf(ix).Rows), Keys: int(pl.keys), Nulls: int(pl.nulls)}
	if k == Hash || k == Bloom {
		info.Capacity = int(pl.mask + 1)
	}
	return info, true
}

// keyOf turns a Go key into the vector's key word or bytes.
func keyOf[T vec.Elem](t value.Type, size int, key T) (w uint64, ok bool) {
	var buf [16]byte
	*(*T)(unsafe.Pointer(&buf[0])) = key
	return canonical(t, size, unsafe.Pointer(&buf[0]))
}

func release(v *value.V) { cow.Release(v) }

func maphashBytes(b []byte) uint64 { return maphash.Bytes(bytesSeed, b) }
