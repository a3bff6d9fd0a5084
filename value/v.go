package value

import (
	"unsafe"

	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/offheap"
)

// V is a handle to a value: one pointer to the value's block, off the Go
// heap. The zero V is "no value". A V is as cheap to copy as a pointer, but
// copying it does not add a reference: ownership is counted in the block
// (see package cow), not in Go.
type V struct{ p unsafe.Pointer }

// Same reports whether v and w are handles of the same value (the same
// block): identity, where equality of contents is vec's to compare.
func (v V) Same(w V) bool { return v.p == w.p }

// IsZero reports whether v is no value.
func (v V) IsZero() bool { return v.p == nil }

// header returns the value's header. Under the raydebug build tag it
// panics, naming where the block was allocated and freed, when v's block
// has been freed. Other packages reach it through internal/layout.
func (v V) header() *heap.Header {
	heap.CheckAccess(v.p)
	return heap.HeaderOf(v.p)
}

// data returns the address of the value's own data, after its header. Other
// packages reach it through internal/layout; users read elements through
// vec's typed views.
func (v V) data() unsafe.Pointer { return offheap.Add(v.p, heap.HeaderSize) }

// Type returns the value's type tag.
func (v V) Type() Type { return Type(v.header().Type) }

// TypeName returns the name of v's type, or "no value" for the zero V: what
// error messages call a value.
func (v V) TypeName() string {
	if v.p == nil {
		return "no value"
	}
	return v.Type().String()
}

// attrs returns the value's attribute byte, read for its type. Users ask
// package attrs; raygo's packages, internal/layout.
func (v V) attrs() attrbits.Byte { return attrbits.Of(v.header().Type, v.header().Attrs) }

// IsAtom reports whether v is a scalar (including NULL and ERROR).
func (v V) IsAtom() bool { return v.Type().IsAtom() }

// IsVector reports whether v is a typed vector (BOOL through STR).
func (v V) IsVector() bool { return v.Type().IsVector() }

// Len returns the number of elements of a vector or LIST, the number of
// slots (2) of a DICT or TABLE, and 1 for an atom.
func (v V) Len() int64 {
	if v.IsAtom() {
		return 1
	}
	return int64(v.header().Word)
}
