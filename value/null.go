package value

import (
	"errors"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/offheap"
)

// null is the NULL singleton: the untyped null, "no value here" inside
// lists and dicts. It is a permanent block with the ARENA attribute, so
// retain, release and copy-on-write leave it alone, and it is never freed.
var null V

func init() {
	p, err := heap.AllocPermanent(0)
	if err != nil {
		panic("value: cannot allocate the NULL singleton: " + err.Error())
	}
	h := heap.HeaderOf(p)
	h.Type = int8(Null)
	h.Attrs = attrbits.Arena
	null = V{p}
}

// NullValue returns the NULL singleton.
func NullValue() V { return null }

// ERROR values carry an error kind and a message in the value itself (the C
// runtime keeps the message in a per-thread buffer that the next error
// overwrites): the atom tag holds the ray.Kind, Word the message length, and the
// data the message bytes.

// NewError returns an ERROR value of kind k with message msg.
func NewError(k ray.Kind, msg string) (V, error) {
	v, err := NewStr(msg)
	if err != nil {
		return V{}, err
	}
	h := v.header()
	h.Type = int8(Error)
	h.SetAtomTag(uint64(k))
	return v, nil
}

// ErrorOf returns an ERROR value for a Go error: its ray.Kind when it has
// one (ErrDomain when not), and its message. A nil err is ErrType: there
// is no error to hold.
func ErrorOf(err error) (V, error) {
	if err == nil {
		return V{}, ray.Errorf(ray.ErrType, "value.ErrorOf", "a nil error")
	}
	k := ray.ErrDomain
	var kind ray.Kind
	if errors.As(err, &kind) {
		k = kind
	}
	return NewError(k, err.Error())
}

// AsError converts an ERROR value to a Go error: an *ray.Error of its kind
// and message, which errors.Is matches against the kind. ok is false, and
// the error nil, when v is not an ERROR value.
func AsError(v V) (err error, ok bool) {
	if v.p == nil || v.Type() != Error {
		return nil, false
	}
	h := v.header()
	msg := string(offheap.Bytes(uintptr(v.data()), uintptr(h.Word)))
	return &ray.Error{Kind: ray.Kind(h.AtomTag()), Msg: msg}, true
}
