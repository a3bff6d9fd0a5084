package cow

import (
	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/value"
)

// forEachOwned calls visit with every slot of v that owns a reference to
// another block. This is the one table of ownership (the layout is
// value/layout.go's); the first matching row ends the walk:
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
	h := v.Header()
	t := value.Type(h.Type)
	switch {
	case t.IsAtom():
	case t == value.Dict || t == value.Table:
		slots := value.Slots(v, 2)
		visit(&slots[0])
		visit(&slots[1])
	case t == value.Index:
		ih := value.IndexHeaderOf(v)
		if attrs.Of(ih.SavedType, ih.SavedAttrs).Has(attrs.NullmapExt) {
			visit(&ih.SavedAux[value.SlotNullmap])
		}
		if value.Type(ih.SavedType) == value.Str {
			visit(&ih.SavedAux[value.SlotPool])
		}
		children := value.IndexChildren(v)
		for i := range children {
			visit(&children[i])
		}
	case t == value.List || t.IsVector():
		a := v.Attrs()
		if a.Has(attrs.Slice) {
			visit(&h.Aux[value.SlotParent])
			return
		}
		if a.Has(attrs.HasIndex) {
			visit(&h.Aux[value.SlotIndex])
			return
		}
		if a.Has(attrs.NullmapExt) {
			visit(&h.Aux[value.SlotNullmap])
		}
		if t == value.Str {
			visit(&h.Aux[value.SlotPool])
		}
		if t == value.List {
			items := value.Slots(v, int(h.Word))
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
