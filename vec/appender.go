package vec

import (
	"unsafe"

	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// Appender appends to one vector in a loop at the cost of a store: it
// checks the type and makes the vector private once, then keeps the
// vector's data address and capacity at hand. The vector's length is kept
// up to date on every append, so the vector reads correctly at any time.
//
// The Appender does not lock the vector: other code may take references to
// it, write it or replace the handle while the Appender is open. Each
// Append checks, in the header it already has in cache, that the handle
// still names the block it writes, that the block has one owner and no
// index, and that its length is the one the Appender left; when any of that
// has changed it makes the vector private again (copying it, if another
// owner holds it) before writing, as vec.Append would. So a reference taken
// with cow.Retain keeps the rows it saw.
//
//	a, err := vec.NewAppender[int64](&v)
//	for _, x := range xs {
//		if err := a.Append(x); err != nil { ... }
//	}
type Appender[T Elem] struct {
	vp      *value.V
	p       unsafe.Pointer // the block the cached fields describe
	stateAt *uint64        // the block's layout.AppendState
	state   uint64         // what it held when the block was private
	lenAt   *uint64        // the block's layout.LenWord
	data    unsafe.Pointer
	n       uint64
	cap     uint64
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
	a.p = layout.Block(v)
	a.stateAt, a.lenAt = layout.AppendState(v), layout.LenWord(v)
	a.state = *a.stateAt
	a.data = layout.BlockData(v)
	a.n = *a.lenAt
	a.cap = uint64(Cap(v))
}

// Append adds x at the end of the vector.
func (a *Appender[T]) Append(x T) error {
	if a.n < a.cap && layout.Block(*a.vp) == a.p && *a.stateAt == a.state && *a.lenAt == a.n {
		*(*T)(offheap.Add(a.data, uintptr(a.n)*unsafe.Sizeof(x))) = x
		a.n++
		*a.lenAt = a.n
		return nil
	}
	return a.appendSlow(x)
}

// appendSlow makes the vector private and able to hold one more row, as it
// is now: grown, copied from a shared block, or changed by other code.
func (a *Appender[T]) appendSlow(x T) error {
	if err := checkVec[T]("vec.Appender.Append", *a.vp); err != nil {
		return err // the handle was replaced by something else
	}
	n := int(layout.Len(*a.vp))
	if err := prepare(a.vp, n+1); err != nil {
		return err
	}
	a.reload()
	*(*T)(offheap.Add(a.data, uintptr(a.n)*unsafe.Sizeof(x))) = x
	a.n++
	*a.lenAt = a.n
	return nil
}

// Len returns the vector's length.
func (a *Appender[T]) Len() int { return int((*a.vp).Len()) }
