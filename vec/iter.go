package vec

import (
	"iter"

	"github.com/raygo/ray/value"
)

// All returns an iterator over v's rows and values, nulls read as whatever
// value their row holds. It reads v in place; v must stay alive and
// unmutated while the iterator runs.
func All[T Elem](v value.V) (iter.Seq2[int, T], error) {
	xs, err := Elems[T](v)
	if err != nil {
		return nil, err
	}
	return func(yield func(int, T) bool) {
		for i, x := range xs {
			if !yield(i, x) {
				return
			}
		}
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
	b, off := nullBits(v)
	return func(yield func(int, Nullable[T]) bool) {
		for i, x := range xs {
			if !yield(i, Nullable[T]{x, bitAt(b, off+i)}) {
				return
			}
		}
	}, nil
}

// AllStr returns an iterator over the rows of a STR vector and their bytes,
// without copying: each []byte is the vector's own memory, valid while v is
// alive and unmutated, and must not be written. A null row reads as
// whatever bytes it holds; IsNull tells it apart.
func AllStr(v value.V) (iter.Seq2[int, []byte], error) {
	if err := checkStr("vec.AllStr", v); err != nil {
		return nil, err
	}
	n := int(v.Header().Word)
	return func(yield func(int, []byte) bool) {
		for i := range n {
			if !yield(i, strView(v, i)) {
				return
			}
		}
	}, nil
}

// AllSymIDs returns an iterator over the rows of a SYM vector and their
// symbol ids, whatever the vector's width; value.SymName names them.
func AllSymIDs(v value.V) (iter.Seq2[int, int64], error) {
	if err := checkSym("vec.AllSymIDs", v); err != nil {
		return nil, err
	}
	n := int(v.Header().Word)
	w := widthOf(v)
	data := uintptr(dataOf(v))
	return func(yield func(int, int64) bool) {
		for i := range n {
			if !yield(i, loadID(data+uintptr(i)<<w, w)) {
				return
			}
		}
	}, nil
}
