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
