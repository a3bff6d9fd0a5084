package vec

import (
	"unsafe"

	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// Appender appends to one vector in a loop at the cost of a store: it
// checks the type and makes the vector private once, then keeps the
// vector's data address and capacity at hand. The vector's length is kept
// up to date on every append, so the vector reads correctly at any time;
// but while the Appender is in use, nothing else may mutate the vector or
// replace the handle it appends to (the Appender updates that handle when
// the vector grows).
//
//	a, err := vec.NewAppender[int64](&v)
//	for _, x := range xs {
//		if err := a.Append(x); err != nil { ... }
//	}
type Appender[T Elem] struct {
	vp   *value.V
	h    *heap.Header
	data unsafe.Pointer
	n    uint64
	cap  uint64
}

// NewAppender returns an Appender to *vp, which it makes private.
func NewAppender[T Elem](vp *value.V) (*Appender[T], error) {
	if err := checkVec[T]("vec.NewAppender", *vp); err != nil {
		return nil, err
	}
	if err := prepare(vp, 0); err != nil {
		return nil, err
	}
	a := &Appender[T]{vp: vp}
	a.reload()
	return a, nil
}

func (a *Appender[T]) reload() {
	v := *a.vp
	a.h = v.Header()
	a.data = v.Data()
	a.n = a.h.Word
	a.cap = uint64(Cap(v))
}

// Append adds x at the end of the vector.
func (a *Appender[T]) Append(x T) error {
	if a.n < a.cap {
		*(*T)(offheap.Add(a.data, uintptr(a.n)*unsafe.Sizeof(x))) = x
		a.n++
		a.h.Word = a.n
		return nil
	}
	return a.appendSlow(x)
}

func (a *Appender[T]) appendSlow(x T) error {
	if err := prepare(a.vp, int(a.n)+1); err != nil {
		return err
	}
	a.reload()
	*(*T)(offheap.Add(a.data, uintptr(a.n)*unsafe.Sizeof(x))) = x
	a.n++
	a.h.Word = a.n
	return nil
}

// Len returns the vector's length.
func (a *Appender[T]) Len() int { return int(a.n) }
