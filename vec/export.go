package vec

import (
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/value"
)

// These give the packages that hand vectors to other systems (rayarrow,
// store) the layout as it is, without copying. The views are valid while
// the caller holds a reference to v.

// Root returns the block that holds v's elements and the row of that block
// where v's row 0 is: v itself and 0, or a slice's root parent and offset.
// Anything but a vector is its own root.
func Root(v value.V) (root value.V, offset int) {
	if v.IsZero() || !v.IsVector() {
		return v, 0
	}
	if v.Header().Attrs&attrbits.Slice != 0 {
		return parent(v), int(v.Header().Aux[value.SlotOffset])
	}
	return v, 0
}

// NullBitmap returns the bytes of v's null bits (1 = null) and the bit
// offset of v's row 0 in them, or nil when v has no nulls. Bits past the
// end of the bytes are 0 (not null). Anything but a vector has no nulls.
func NullBitmap(v value.V) (bits []byte, offset int) {
	if v.IsZero() || !v.IsVector() {
		return nil, 0
	}
	return nullBits(v)
}

// Pool returns the string pool of a STR vector (its root's, for a slice),
// or no value when no string needs one or v is not a STR vector.
func Pool(v value.V) value.V {
	if v.IsZero() || v.Type() != value.Str {
		return value.V{}
	}
	return poolOf(v)
}

// DetachIndex removes the index attached to *vp, if any, putting back
// byte for byte the header bytes and NULLMAP_EXT bit it displaced. A shared
// *vp is copied first (the copy shares the index until then).
func DetachIndex(vp *value.V) error {
	v := *vp
	if v.IsZero() || v.Header().Attrs&attrbits.Index == 0 {
		return nil
	}
	if err := cow.Cow(vp); err != nil {
		return err
	}
	dropIndex(*vp)
	return nil
}
