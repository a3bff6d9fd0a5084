package vec

import (
	"slices"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/memops"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// New returns an empty vector of type t with room for capacity elements
// before it must grow. The caller owns the one reference.
func New(t value.Type, capacity int) (value.V, error) {
	if !isFixed(t) && t != value.Str && t != value.Sym && t != value.List {
		return value.V{}, ray.Errorf(ray.ErrType, "vec.New", "%v is not a vector type", t)
	}
	if capacity < 0 {
		return value.V{}, ray.Errorf(ray.ErrRange, "vec.New", "capacity %d is negative", capacity)
	}
	size := t.ElemSize()
	if t == value.Sym {
		size = 1 // W8 to start with; widened as ids need (sym.go)
	}
	if uint64(capacity) > heap.MaxSize/uint64(size) {
		return value.V{}, ray.Errorf(ray.ErrLimit, "vec.New", "%d %v elements exceed the largest block", capacity, t)
	}
	p, err := heap.Alloc(uintptr(capacity * size))
	if err != nil {
		return value.V{}, err
	}
	h := heap.HeaderOf(p)
	h.Type = int8(t)
	return layout.FromPointer(p), nil
}

// Zeros returns a vector of type t (BOOL through GUID: fixed-width types)
// holding n rows of zero bytes: false, 0, 0.0, the epoch. Accumulators and
// scratch vectors start this way.
func Zeros(t value.Type, n int) (value.V, error) {
	if !isFixed(t) {
		return value.V{}, ray.Errorf(ray.ErrType, "vec.Zeros", "%v is not a fixed-width vector type", t)
	}
	v, err := New(t, n)
	if err != nil {
		return value.V{}, err
	}
	memops.ZeroPtr(layout.BlockData(v), uintptr(n*t.ElemSize()))
	layout.SetLen(v, uint64(n))
	return v, nil
}

// FromSlice returns a vector of type t holding a copy of xs, made with one
// bulk copy. T must view t (see Elem).
func FromSlice[T Elem](t value.Type, xs []T) (value.V, error) {
	if !accepts[T](t) {
		return value.V{}, typeError[T]("vec.FromSlice", t)
	}
	v, err := New(t, len(xs))
	if err != nil {
		return value.V{}, err
	}
	if len(xs) > 0 {
		memops.CopyPtr(layout.BlockData(v), unsafe.Pointer(&xs[0]), uintptr(len(xs))*unsafe.Sizeof(xs[0]))
	}
	layout.SetLen(v, uint64(len(xs)))
	return v, nil
}

// Cap returns the number of elements v can hold before it must grow: what
// its block holds. A slice or a mapped vector has no room beyond its length.
// Anything but a vector or LIST has a capacity of 0.
func Cap(v value.V) int {
	if v.IsZero() || !v.IsVector() && v.Type() != value.List {
		return 0
	}
	if layout.IsSlice(v) || !layout.IsHeapBlock(v) {
		return int(layout.Len(v))
	}
	size := layout.ElemSize(v)
	if size == 0 {
		return 0
	}
	return int(layout.BlockCap(v)) / size
}

// checkVec returns an error unless v is a vector T views.
func checkVec[T Elem](op string, v value.V) error {
	if v.IsZero() {
		return ray.Errorf(ray.ErrType, op, "no value")
	}
	if t := v.Type(); !accepts[T](t) {
		return typeError[T](op, t)
	}
	return nil
}

// Elems returns v's elements as a []T over the block itself: no copy. The
// slice is valid while the caller holds a reference to v and v is not
// mutated, and must not be written: v may be shared (use Mutable).
func Elems[T Elem](v value.V) ([]T, error) {
	if err := checkVec[T]("vec.Elems", v); err != nil {
		return nil, err
	}
	return unsafe.Slice((*T)(layout.Data(v)), layout.Len(v)), nil
}

// Mutable makes *vp private (copying it if it is shared, a slice, indexed
// or mapped from a file) and returns its elements for writing, in place.
// Writing a value into a row does not clear the row's null bit.
func Mutable[T Elem](vp *value.V) ([]T, error) {
	if err := checkVec[T]("vec.Mutable", *vp); err != nil {
		return nil, err
	}
	if err := prepare(vp, 0); err != nil {
		return nil, err
	}
	return unsafe.Slice((*T)(layout.BlockData(*vp)), layout.Len(*vp)), nil
}

// Get returns element i of v. A BOOL row is true when its byte is not 0,
// as RowAtom reads it: raygo writes only 0 and 1, and store refuses files
// with other bytes, but a mapped file changed in place could hold any.
func Get[T Elem](v value.V, i int) (T, error) {
	var z T
	if err := checkVec[T]("vec.Get", v); err != nil {
		return z, err
	}
	if n := int(layout.Len(v)); i < 0 || i >= n {
		return z, ray.Errorf(ray.ErrRange, "vec.Get", "index %d outside [0, %d)", i, n)
	}
	p := offheap.Add(layout.Data(v), uintptr(i)*unsafe.Sizeof(z))
	if _, ok := any(z).(bool); ok {
		return any(*(*uint8)(p) != 0).(T), nil
	}
	return *(*T)(p), nil
}

// Set writes x into row i of *vp, which becomes a value (not null).
func Set[T Elem](vp *value.V, i int, x T) error {
	if err := checkVec[T]("vec.Set", *vp); err != nil {
		return err
	}
	if n := int(layout.Len(*vp)); i < 0 || i >= n {
		return ray.Errorf(ray.ErrRange, "vec.Set", "index %d outside [0, %d)", i, n)
	}
	if err := prepare(vp, 0); err != nil {
		return err
	}
	v := *vp
	*(*T)(offheap.Add(layout.BlockData(v), uintptr(i)*unsafe.Sizeof(x))) = x
	if layout.MayHaveNulls(v) {
		return setNullBit(vp, i, false)
	}
	return nil
}

// Append adds x at the end of *vp, growing it (in place when the heap can)
// by doubling, so that appends cost amortized O(1).
func Append[T Elem](vp *value.V, x T) error {
	v := *vp
	if v.IsZero() {
		return ray.Errorf(ray.ErrType, "vec.Append", "no value")
	}
	if t := v.Type(); !accepts[T](t) {
		return typeError[T]("vec.Append", t)
	}
	size := uint64(unsafe.Sizeof(x))
	// The fast path: a private heap vector with room.
	n, ok := layout.AppendRoom(v, size)
	if ok {
		*(*T)(offheap.Add(layout.BlockData(v), uintptr(n*size))) = x
		layout.SetLen(v, n+1)
		return nil
	}
	if err := prepare(vp, int(n)+1); err != nil {
		return err
	}
	v = *vp
	*(*T)(offheap.Add(layout.BlockData(v), uintptr(n*size))) = x
	layout.SetLen(v, n+1)
	return nil
}

// AppendSlice adds xs at the end of *vp with one bulk copy. xs may view
// *vp itself (from Elems): such rows are copied aside first, since growing
// moves the block they are in.
func AppendSlice[T Elem](vp *value.V, xs []T) error {
	if err := checkVec[T]("vec.AppendSlice", *vp); err != nil {
		return err
	}
	if len(xs) == 0 {
		return nil
	}
	if aliases(*vp, unsafe.Pointer(&xs[0]), uintptr(len(xs))*unsafe.Sizeof(xs[0])) {
		xs = slices.Clone(xs)
	}
	n := int(layout.Len(*vp))
	if err := prepare(vp, n+len(xs)); err != nil {
		return err
	}
	v := *vp
	size := unsafe.Sizeof(xs[0])
	memops.CopyPtr(offheap.Add(layout.BlockData(v), uintptr(n)*size), unsafe.Pointer(&xs[0]), uintptr(len(xs))*size)
	layout.SetLen(v, uint64(n+len(xs)))
	return nil
}

// Insert puts x at row i of *vp (0 <= i <= Len), moving the rows after it,
// and their null bits, down by one.
func Insert[T Elem](vp *value.V, i int, x T) error {
	if err := checkVec[T]("vec.Insert", *vp); err != nil {
		return err
	}
	n := int(layout.Len(*vp))
	if i < 0 || i > n {
		return ray.Errorf(ray.ErrRange, "vec.Insert", "index %d outside [0, %d]", i, n)
	}
	if err := prepare(vp, n+1); err != nil {
		return err
	}
	v := *vp
	xs := unsafe.Slice((*T)(layout.BlockData(v)), n+1)
	copy(xs[i+1:], xs[i:n])
	xs[i] = x
	layout.SetLen(v, uint64(n+1))
	if layout.MayHaveNulls(v) {
		return shiftNullsDown(vp, i, n)
	}
	return nil
}

// Slice returns a view of n rows of v from row off, in O(1): a header that
// refers to v's root block (a slice of a slice refers to the root) and
// holds a reference to it. 0 <= off, 0 <= n, off+n <= Len(v). A TABLE
// slices into a table of its columns' slices, no element copied.
func Slice(v value.V, off, n int) (value.V, error) {
	if !v.IsZero() && v.Type() == value.Table {
		return sliceTable(v, off, n)
	}
	if v.IsZero() || !isFixed(v.Type()) && v.Type() != value.Str && v.Type() != value.Sym {
		return value.V{}, ray.Errorf(ray.ErrType, "vec.Slice", "cannot slice %v", v.TypeName())
	}
	length := int(layout.Len(v))
	if off < 0 || n < 0 || off > length || n > length-off {
		return value.V{}, ray.Errorf(ray.ErrRange, "vec.Slice", "rows [%d, %d+%d) outside [0, %d)", off, off, n, length)
	}
	root, base := layout.Root(v)
	p, err := heap.Alloc(0)
	if err != nil {
		return value.V{}, err
	}
	s := layout.FromPointer(p)
	layout.InitSlice(s, v, cow.Retain(root), base+off, n)
	return s, nil
}

// newSized is New for elements of size bytes (a SYM vector's width).
func newSized(t value.Type, capacity, size int) (value.V, error) {
	if t != value.Sym || size == 1 {
		return New(t, capacity)
	}
	v, err := New(t, capacity*size)
	return v, err
}

// prepare makes *vp safe to write in place and able to hold need elements:
// a private heap block that is neither a slice nor indexed. A shared,
// sliced, mapped or ARENA vector is first copied into a block of its own
// (materialised: a slice never writes into its parent, ARCHITECTURE.md D2); an
// attached index is dropped, since it would go stale. On error *vp is
// unchanged.
func prepare(vp *value.V, need int) error {
	v := *vp
	n := int(layout.Len(v))
	if layout.IsSlice(v) || !layout.Private(v) {
		c, err := materialize(v, max(need, n))
		if err != nil {
			return err
		}
		cow.Release(vp)
		*vp = c
		return nil
	}
	if layout.HasIndex(v) {
		ix := layout.DetachIndex(v)
		cow.Release(&ix)
	}
	layout.ClearOrder(v) // the rows are about to change
	if need > Cap(v) {
		return grow(vp, need)
	}
	return nil
}

// grow reallocates *vp, private, to hold at least need elements: at least
// double its block, as the C runtime does (I64 capacities 4, 12, 28, 60...).
func grow(vp *value.V, need int) error {
	v := *vp
	size := uint64(layout.ElemSize(v))
	if uint64(need) > heap.MaxSize/size {
		return ray.Errorf(ray.ErrLimit, "vec.Append", "%d %v elements exceed the largest block", need, v.Type())
	}
	order := layout.Order(v)
	want, _ := heap.OrderFor(uintptr(uint64(need) * size))
	newOrder := max(want, order+1)
	if newOrder > heap.MaxOrder {
		newOrder = want
	}
	p, err := heap.Realloc(layout.Block(v), uintptr(1)<<newOrder-heap.HeaderSize)
	if err != nil {
		return err
	}
	*vp = layout.FromPointer(p)
	return nil
}

// materialize returns a private copy of v with room for capacity rows:
// its rows and null bits, read through a slice's parent or an index's saved
// bytes, in a fresh block without SLICE or HAS_INDEX. A linked column's
// copy links into the same table: the link is part of the value.
func materialize(v value.V, capacity int) (value.V, error) {
	t := v.Type()
	n := int(layout.Len(v))
	size := layout.ElemSize(v)
	c, err := newSized(t, capacity, size)
	if err != nil {
		return value.V{}, err
	}
	memops.CopyPtr(layout.BlockData(c), layout.Data(v), uintptr(n)*uintptr(size))
	layout.SetLen(c, uint64(n))
	if target, ok := layout.LinkOf(v); ok { // before the nulls, which a link keeps outside
		layout.SetLink(c, target)
	}
	switch t {
	case value.Sym:
		layout.SetSymWidth(c, layout.SymWidth(v))
	case value.Str:
		if pool := layout.Pool(v); !pool.IsZero() {
			layout.SetPool(c, cow.Retain(pool))
		}
	case value.List:
		for i := range n {
			cow.Retain(layout.Item(c, i))
		}
	}
	if err := copyNulls(&c, v, 0, n, 0); err != nil {
		cow.Release(&c)
		return value.V{}, err
	}
	return c, nil
}
