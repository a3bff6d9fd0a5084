package attrs

import (
	"strconv"
	"strings"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

// Sorted reports whether v is a vector whose rows are ascending (each at
// least the one before) and not null, as its owner asserted with
// SetSorted or as a slice of such a vector.
func Sorted(v value.V) bool { return isVector(v) && layout.Attrs(v).Has(attrbits.FlagSorted) }

// Unique reports whether v is a vector no two of whose rows are equal and
// none null, as its owner asserted with SetUnique or as a slice of such a
// vector.
func Unique(v value.V) bool { return isVector(v) && layout.Attrs(v).Has(attrbits.FlagUnique) }

// Indexed reports whether v is a vector with an index attached (package
// index): lookups on it go through the index until a write drops it.
func Indexed(v value.V) bool { return isVector(v) && layout.HasIndex(v) }

// IsSlice reports whether v is a view of rows of another vector (vec.Slice):
// it shares that vector's memory, and writing it first copies its rows.
func IsSlice(v value.V) bool { return isVector(v) && layout.IsSlice(v) }

// MayHaveNulls reports whether v is a vector that may hold null rows. It
// is sticky: a vector whose nulls were all cleared may still say so, and
// false means no row is null.
func MayHaveNulls(v value.V) bool {
	if !isVector(v) {
		return false
	}
	bits, _ := layout.NullBits(v)
	return bits != nil || layout.MayHaveNulls(v)
}

// Linked reports whether v is a linked column (vec.Link): its I32 or I64
// rows are row ids of a table.
func Linked(v value.V) bool {
	if !isVector(v) {
		return false
	}
	_, ok := layout.LinkOf(v)
	return ok
}

// SymWidth returns the bytes of each id of a SYM vector: 1, 2, 4 or 8, the
// narrowest that holds its largest id so far. ok is false for anything
// else.
func SymWidth(v value.V) (bytes int, ok bool) {
	if v.IsZero() || v.Type() != value.Sym {
		return 0, false
	}
	return layout.ElemSize(v), true
}

// SetSorted records that the rows of the vector *vp are ascending and not
// null: what an engine knows after sorting them itself. Sorted then says
// so, slices keep it, and the next write to *vp takes it off. Like a
// write, it first makes *vp private (a copy if it is shared). It fails
// with ErrType for a LIST, a SYM vector (whose ids follow the order
// symbols were interned in, not one a user sorts by) or anything but a
// vector. Under the raydebug build tag it reads the rows and fails with
// ErrDomain when they are not in that order; without it, the caller's word
// is taken, and cow.Check reports a false one.
func SetSorted(vp *value.V) error {
	v := *vp
	if !isVector(v) || v.Type() == value.Sym {
		return ray.Errorf(ray.ErrType, "attrs.SetSorted", "%v rows have no order to assert", v.TypeName())
	}
	if heap.Debug {
		if sorted, _ := layout.RowsInOrder(v); !sorted {
			return ray.Errorf(ray.ErrDomain, "attrs.SetSorted", "the %v's rows are not ascending or hold a null", v.Type())
		}
	}
	return set(vp, attrbits.Sorted)
}

// SetUnique records that no two rows of the vector *vp are equal and none
// is null, as SetSorted records order: Unique then says so, slices keep
// it, and the next write takes it off. A SYM vector may be unique (no
// symbol twice). It fails with ErrType for a LIST or anything but a
// vector, and under the raydebug build tag with ErrDomain when two rows
// are equal or one is null.
func SetUnique(vp *value.V) error {
	v := *vp
	if !isVector(v) {
		return ray.Errorf(ray.ErrType, "attrs.SetUnique", "%v rows have no order to assert", v.TypeName())
	}
	if heap.Debug {
		if _, unique := layout.RowsInOrder(v); !unique {
			return ray.Errorf(ray.ErrDomain, "attrs.SetUnique", "two of the %v's rows are equal, or one is null", v.Type())
		}
	}
	bit := uint8(attrbits.Unique)
	if v.Type() == value.Sym {
		bit = attrbits.SymUnique
	}
	return set(vp, bit)
}

// set makes *vp private and sets the order bit.
func set(vp *value.V, bit uint8) error {
	if err := cow.Cow(vp); err != nil {
		return err
	}
	layout.SetOrder(*vp, bit)
	return nil
}

// Describe lists the attributes v carries, for messages and debugging:
// for example "SLICE HAS_NULLS" or "SORTED UNIQUE", and a SYM vector's
// width ("W16"). It is "" for no value.
func Describe(v value.V) string {
	if v.IsZero() {
		return ""
	}
	a := layout.Attrs(v)
	var names []string
	for _, f := range a.Flags() {
		names = append(names, f.String())
	}
	if w, ok := a.SymWidth(); ok {
		names = append(names, "W"+strconv.Itoa(8*w.Bytes()))
	}
	return strings.Join(names, " ")
}

func isVector(v value.V) bool { return !v.IsZero() && v.IsVector() }
