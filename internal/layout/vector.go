package layout

import (
	"unsafe"

	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// Parent returns the root parent of a slice.
func Parent(v value.V) value.V { return Owned(Header(v).Aux[SlotParent]) }

// Root returns the block that holds v's elements and the row of that block
// where v's row 0 is: v itself and 0, or a slice's root parent and offset.
// Anything but a vector is its own root.
func Root(v value.V) (root value.V, offset int) {
	if v.IsZero() || !v.IsVector() {
		return v, 0
	}
	if h := Header(v); h.Attrs&attrbits.Slice != 0 {
		return Owned(h.Aux[SlotParent]), int(h.Aux[SlotOffset])
	}
	return v, 0
}

// Data returns where v's elements start: its own data, or its parent's at
// the slice's offset.
func Data(v value.V) unsafe.Pointer {
	h := Header(v)
	if h.Attrs&attrbits.Slice != 0 {
		return offheap.Add(BlockData(Owned(h.Aux[SlotParent])), uintptr(h.Aux[SlotOffset])*uintptr(ElemSize(v)))
	}
	return BlockData(v)
}

// AuxOf returns the header bytes 0..15 that describe v's null map and STR
// pool, and whether they hold an external map: v's own, its parent's for a
// slice, or the bytes an attached index saved. It also returns the block
// that holds them and the bit offset of v's row 0.
func AuxOf(v value.V) (holder value.V, aux *[2]uint64, ext bool, off int) {
	h := Header(v)
	if h.Attrs&attrbits.Slice != 0 {
		off = int(h.Aux[SlotOffset])
		v = Owned(h.Aux[SlotParent])
		h = Header(v)
	}
	if h.Attrs&attrbits.Index != 0 {
		ih := IndexHeaderOf(Owned(h.Aux[SlotIndex]))
		return v, &ih.SavedAux, ih.SavedAttrs&attrbits.NullmapExt != 0, off
	}
	return v, &h.Aux, h.Attrs&attrbits.NullmapExt != 0, off
}

// NullBits returns the bytes holding v's null bits (1 = null) and the bit
// offset of v's row 0 in them, or nil when v has no nulls or is not a
// vector. Bits past the end of the bytes are 0 (not null).
func NullBits(v value.V) (bits []byte, off int) {
	if v.IsZero() || !v.IsVector() {
		return nil, 0
	}
	holder, aux, ext, off := AuxOf(v)
	if Header(holder).Attrs&attrbits.HasNulls == 0 {
		return nil, 0
	}
	if ext {
		m := Owned(aux[SlotNullmap])
		return unsafe.Slice((*byte)(BlockData(m)), Header(m).Word), off
	}
	if v.Type() == value.Str {
		return nil, 0
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(aux)), 16), off
}

// Pool returns the string pool of a STR vector (its root's, for a slice),
// or no value when no string needs one or v is not a STR vector.
func Pool(v value.V) value.V {
	if v.IsZero() || v.Type() != value.Str {
		return value.V{}
	}
	_, aux, _, _ := AuxOf(v)
	if aux[SlotPool] == 0 {
		return value.V{}
	}
	return Owned(aux[SlotPool])
}

// DetachIndex takes the index off v, which must be private (one owner) and
// have one, putting back byte for byte the header bytes and NULLMAP_EXT bit
// it displaced, and returns the index for the caller to release. When the
// index is shared with another vector (a copy), v takes references of its
// own to what the saved bytes own.
func DetachIndex(v value.V) (ix value.V) {
	h := Header(v)
	ix = Owned(h.Aux[SlotIndex])
	ih := IndexHeaderOf(ix)
	link := h.Aux[SlotLink]
	h.Aux = ih.SavedAux
	if h.Attrs&attrbits.Link != 0 {
		h.Aux[SlotLink] = link
	}
	h.Attrs &^= attrbits.Index | attrbits.NullmapExt
	h.Attrs |= ih.SavedAttrs & attrbits.NullmapExt
	if RC(ix) == 1 {
		ih.SavedAux = [2]uint64{} // ownership moves back to v
		ih.SavedAttrs = 0
	} else {
		if h.Attrs&attrbits.NullmapExt != 0 && h.Aux[SlotNullmap] != 0 {
			Header(Owned(h.Aux[SlotNullmap])).RC.Retain()
		}
		if v.Type() == value.Str && h.Aux[SlotPool] != 0 {
			Header(Owned(h.Aux[SlotPool])).RC.Retain()
		}
	}
	return ix
}

// AttachIndex attaches the INDEX block ix, built for v's rows, to v, which
// must be private and have no index: v's header bytes 0..15, its
// attributes, type and length are saved in ix's header (DetachIndex puts
// them back), the index takes slot 0 (the link target, if any, stays in
// bytes 8..15), and v's NULLMAP_EXT bit moves to the index. v's reference
// to ix is the caller's, now v's.
func AttachIndex(v, ix value.V, kind uint8) {
	h := Header(v)
	ih := IndexHeaderOf(ix)
	ih.SavedAux, ih.SavedAttrs, ih.SavedType, ih.Kind, ih.Rows = h.Aux, h.Attrs, h.Type, kind, h.Word
	link := h.Aux[SlotLink]
	h.Aux = [2]uint64{Addr(ix), 0}
	if h.Attrs&attrbits.Link != 0 {
		h.Aux[SlotLink] = link
	}
	h.Attrs = h.Attrs&^attrbits.NullmapExt | attrbits.Index
}

// IndexOf returns the INDEX block attached to v, which must have one.
func IndexOf(v value.V) value.V { return Owned(Header(v).Aux[SlotIndex]) }

// InitIndex makes the fresh zeroed block ix an INDEX of children child
// slots and size bytes of data.
func InitIndex(ix value.V, children int, size uintptr) {
	Header(ix).Type = int8(value.Index)
	ih := IndexHeaderOf(ix)
	ih.Children = uint64(children)
	ih.Size = uint64(size)
}

// InitBytes makes the fresh block at p a U8 vector of n bytes (at most its
// capacity): the type and length of a bitmap or pool a builder fills.
func InitBytes(p unsafe.Pointer, n int) value.V {
	v := FromPointer(p)
	Header(v).Type = int8(value.U8)
	SetLen(v, n)
	return v
}

// SetNullmap gives the private vector v, which has no null bits yet, the
// external null map nm (a U8 vector of its rows' bits, 1 = null), and the
// NULLMAP_EXT and HAS_NULLS attributes; v's reference to nm is the
// caller's, now v's.
func SetNullmap(v, nm value.V) {
	h := Header(v)
	h.Aux[SlotNullmap] = Addr(nm)
	h.Attrs |= attrbits.NullmapExt | attrbits.HasNulls
}

// SetLen sets a vector's length to n rows (at most its capacity): a
// builder's vector once its rows are written, or a fresh vector of a
// decoder that writes every row of it before anyone else sees it (the rows
// are whatever the block held until then).
func SetLen[N int | uint64](v value.V, n N) { Header(v).Word = uint64(n) }

// Len returns a vector's length in rows (a header's word: an atom's
// payload is not a length).
func Len(v value.V) uint64 { return Header(v).Word }

// SetPool makes pool (a U8 vector, whose reference v takes over) the pool
// of the STR vector v, in place of none: v had no pool, has handed its old
// one on, or pool is the same one after a move.
func SetPool(v, pool value.V) { Header(v).Aux[SlotPool] = Addr(pool) }
