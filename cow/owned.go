package cow

import (
	"io"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/handles"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

// copyHandle gives c, a fresh copy of a handle atom, its own claim on the
// handle: a claim on a shared one, a clone of a unique one (value.Cloner).
// When the handle is missing or the clone fails, c is left without a
// handle (its bits cleared, its payload 0) and the error is returned.
func copyHandle(c value.V) error {
	id := *layout.AtomWord(c)
	if layout.HandleKind(c) == attrbits.SharedHandle {
		if !handles.Claim(id) {
			layout.DropHandle(c)
			return ray.Errorf(ray.ErrCorrupt, "cow.Copy", "handle %d is not in the handle table", id)
		}
		return nil
	}
	obj, ok := handles.Get(id)
	if !ok {
		layout.DropHandle(c)
		return ray.Errorf(ray.ErrCorrupt, "cow.Copy", "handle %d is not in the handle table", id)
	}
	clone, err := obj.(value.Cloner).Clone()
	if err != nil {
		layout.DropHandle(c)
		return ray.Wrap(ray.ErrOOM, "cow.Copy", err, "cloning the object of a unique handle")
	}
	layout.SetHandleID(c, handles.Add(clone))
	return nil
}

// releaseHandle drops x's claim on its handle, closing the object (if it
// is an io.Closer) when the claim was the last. The Close error has no
// caller to go to, since Release cannot fail: objects that must report one
// do it themselves.
func releaseHandle(x value.V) {
	if obj, last, _ := handles.Drop(*layout.AtomWord(x)); last {
		if c, ok := obj.(io.Closer); ok {
			_ = c.Close()
		}
	}
}
