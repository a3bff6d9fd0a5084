package vec

import (
	"iter"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

// The iterators borrow v: it must be alive when the loop starts and must
// not be written between creating an iterator and running it. While the
// loop runs, the iterator holds a reference of its own, so the loop body
// may write v: the write then copies v (it is shared), and the loop goes
// on over the rows as they were, never over a block the write freed.

// holding runs a loop while holding a reference to v.
func holding(v value.V, loop func()) {
	held := cow.Retain(v)
	defer cow.Release(&held)
	loop()
}

// All returns an iterator over v's rows and values, nulls read as whatever
// value their row holds. It reads v in place.
func All[T Elem](v value.V) (iter.Seq2[int, T], error) {
	xs, err := Elems[T](v)
	if err != nil {
		return nil, err
	}
	return func(yield func(int, T) bool) {
		holding(v, func() {
			for i, x := range xs {
				if !yield(i, x) {
					return
				}
			}
		})
	}, nil
}

// Nullable is a row read with its null bit.
type Nullable[T Elem] struct {
	Value T
	Null  bool
}

// AllNullable returns an iterator over v's rows with their null bits.
func AllNullable[T Elem](v value.V) (iter.Seq2[int, Nullable[T]], error) {
	xs, err := Elems[T](v)
	if err != nil {
		return nil, err
	}
	b, off := layout.NullBits(v)
	return func(yield func(int, Nullable[T]) bool) {
		holding(v, func() {
			for i, x := range xs {
				if !yield(i, Nullable[T]{x, bitAt(b, off+i)}) {
					return
				}
			}
		})
	}, nil
}

// AllStr returns an iterator over the rows of a STR vector and their bytes,
// without copying: each []byte is the vector's own memory, valid until the
// loop ends, and must not be written. A null row reads as
// whatever bytes it holds; IsNull tells it apart.
func AllStr(v value.V) (iter.Seq2[int, []byte], error) {
	if err := checkStr("vec.AllStr", v); err != nil {
		return nil, err
	}
	n := int(layout.Len(v))
	return func(yield func(int, []byte) bool) {
		holding(v, func() {
			for i := range n {
				if !yield(i, strView(v, i)) {
					return
				}
			}
		})
	}, nil
}

// AllSymIDs returns an iterator over the rows of a SYM vector and their
// symbol ids, whatever the vector's width; value.SymName names them.
func AllSymIDs(v value.V) (iter.Seq2[int, int64], error) {
	if err := checkSym("vec.AllSymIDs", v); err != nil {
		return nil, err
	}
	n := int(layout.Len(v))
	w := widthOf(v)
	data := uintptr(layout.Data(v))
	return func(yield func(int, int64) bool) {
		holding(v, func() {
			for i := range n {
				if !yield(i, loadID(data+uintptr(i)<<w, w)) {
					return
				}
			}
		})
	}, nil
}
