package cow

import (
	"io"

	"github.com/raygo/ray"
	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/handles"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

// forEachOwned calls visit with every slot of v that owns a reference to
// another block. This is the one table of ownership (the layout is
// internal/layout's); the first matching row ends the walk:
//
//	kind                      owned slots
//	atom                      none (a handle atom's handle is not a block:
//	                          see copyHandle and releaseHandle)
//	DICT, TABLE               data slots 0 and 1
//	INDEX                     the vector's saved bytes 0..7 if they were an
//	                          external null map, saved bytes 8..15 if the
//	                          vector is a STR (its pool), then the children
//	vector or LIST, SLICE     the parent (nothing else: null bits, index and
//	                          link are read through the parent)
//	vector, HAS_INDEX         the index block (which owns what it displaced)
//	vector or LIST            the external null map with NULLMAP_EXT; a STR
//	                          vector's pool; a LIST's items
func forEachOwned(v value.V, visit func(slot *uint64)) {
	h := layout.Header(v)
	t := value.Type(h.Type)
	switch {
	case t.IsAtom():
	case t == value.Dict || t == value.Table:
		slots := layout.Slots(v, 2)
		visit(&slots[0])
		visit(&slots[1])
	case t == value.Index:
		ih := layout.IndexHeaderOf(v)
		if attrs.Of(ih.SavedType, ih.SavedAttrs).Has(attrs.NullmapExt) {
			visit(&ih.SavedAux[layout.SlotNullmap])
		}
		if value.Type(ih.SavedType) == value.Str {
			visit(&ih.SavedAux[layout.SlotPool])
		}
		children := layout.IndexChildren(v)
		for i := range children {
			visit(&children[i])
		}
	case t == value.List || t.IsVector():
		a := v.Attrs()
		if a.Has(attrs.Slice) {
			visit(&h.Aux[layout.SlotParent])
			return
		}
		if a.Has(attrs.HasIndex) {
			visit(&h.Aux[layout.SlotIndex])
			return
		}
		if a.Has(attrs.NullmapExt) {
			visit(&h.Aux[layout.SlotNullmap])
		}
		if t == value.Str {
			visit(&h.Aux[layout.SlotPool])
		}
		if t == value.List {
			items := layout.Slots(v, int(h.Word))
			for i := range items {
				visit(&items[i])
			}
		}
	}
}

// hasHandle reports whether v is an atom that owns a handle.
func hasHandle(v value.V) bool {
	return v.Type() == -value.I64 && v.Attrs().Handle() != attrs.NoHandle
}

// copyHandle gives c, a fresh copy of a handle atom, its own claim on the
// handle: a claim on a shared one, a clone of a unique one (value.Cloner).
// When the handle is missing or the clone fails, c is left without a
// handle (its bits cleared, its payload 0) and the error is returned.
func copyHandle(c value.V) error {
	h := layout.Header(c)
	id := h.Word
	if c.Attrs().Handle() == attrs.SharedHandle {
		if !handles.Claim(id) {
			dropHandle(c)
			return ray.Errorf(ray.ErrCorrupt, "cow.Copy", "handle %d is not in the handle table", id)
		}
		return nil
	}
	obj, ok := handles.Get(id)
	if !ok {
		dropHandle(c)
		return ray.Errorf(ray.ErrCorrupt, "cow.Copy", "handle %d is not in the handle table", id)
	}
	clone, err := obj.(value.Cloner).Clone()
	if err != nil {
		dropHandle(c)
		return ray.Wrap(ray.ErrOOM, "cow.Copy", err, "cloning the object of a unique handle")
	}
	h.Word = handles.Add(clone)
	return nil
}

// dropHandle makes c an ordinary -I64 atom of 0, owning nothing.
func dropHandle(c value.V) {
	h := layout.Header(c)
	h.Attrs &^= attrbits.Handles
	h.Word = 0
}

// releaseHandle drops x's claim on its handle, closing the object (if it
// is an io.Closer) when the claim was the last. The Close error has no
// caller to go to, since Release cannot fail: objects that must report one
// do it themselves.
func releaseHandle(x value.V) {
	if obj, last, _ := handles.Drop(layout.Len(x)); last {
		if c, ok := obj.(io.Closer); ok {
			_ = c.Close()
		}
	}
}
