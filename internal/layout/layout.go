// Package layout is where raygo's packages read and write the parts of a
// value that its public API keeps to itself: the header, the owned slots,
// the index header, and the null map and string pool as they lie behind a
// slice or an attached index. Only raygo's own packages import it; a user
// of the module reaches the same state through value, cow, vec and index,
// which keep it consistent.
//
// It sits just above package value (it imports value, heap and attrs, and
// nothing that imports it), so that cow, vec, store, index and rayarrow all
// read the layout the same way.
package layout

import (
	"unsafe"

	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// Where each kind of value keeps what it owns. Package cow walks these slots
// to retain, release and detach children; vec, index and store fill them.
// Every owned slot holds the address of another value's block, or 0.
//
//	header bytes 0..7  (Aux[0])  SLICE: the root parent (owned); else with
//	                             HAS_INDEX: the index block (owned); else with
//	                             NULLMAP_EXT: the external null map (owned, a U8
//	                             vector); else: inline null bits of rows 0..63
//	header bytes 8..15 (Aux[1])  SLICE: the element offset into the parent;
//	                             HAS_LINK: the target table's symbol id; STR
//	                             vectors without HAS_INDEX: the string pool
//	                             (owned, a U8 vector); else inline null bits of
//	                             rows 64..127
//	LIST data                    Len() addresses, each owned
//	DICT / TABLE data            2 addresses, each owned (keys and values;
//	                             column names and columns)
//	INDEX data                   an IndexHeader, then IndexHeader.Children
//	                             owned addresses, then the index itself
//	-I64 atom with a handle      Word is a handle id (see value.NewHandle)
//
// Atoms own nothing else: a STR atom keeps its bytes and a GUID atom its 16
// bytes in their own block's data (every block has at least 32 data bytes),
// so neither needs the child block the C runtime gives them.
const (
	SlotParent  = 0 // Aux index of a slice's parent
	SlotOffset  = 1 // Aux index of a slice's element offset
	SlotNullmap = 0 // Aux index of an external null map
	SlotIndex   = 0 // Aux index of an attached index block
	SlotPool    = 1 // Aux index of a STR vector's pool
	SlotLink    = 1 // Aux index of a linked column's target
)

// Header returns v's header. Under the raydebug build tag it panics, naming
// where the block was allocated and freed, when v's block has been freed.
func Header(v value.V) *heap.Header {
	heap.CheckAccess(Block(v))
	return heap.HeaderOf(Block(v))
}

// FromPointer wraps the block at p, a value's block (or nil), as a V.
func FromPointer(p unsafe.Pointer) value.V {
	return *(*value.V)(unsafe.Pointer(&p))
}

// A V is exactly its block's address: FromPointer relies on it.
var _ [unsafe.Sizeof(value.V{}) - unsafe.Sizeof(unsafe.Pointer(nil))]byte
var _ [unsafe.Sizeof(unsafe.Pointer(nil)) - unsafe.Sizeof(value.V{})]byte

// Owned returns the value whose block address an owned slot holds.
func Owned(slot uint64) value.V { return FromPointer(offheap.Ptr(uintptr(slot))) }

// Addr returns v's block address as an owned slot holds it.
func Addr(v value.V) uint64 { return uint64(uintptr(Block(v))) }

// IndexHeader starts the data of every INDEX block. When an index is
// attached to a vector, the vector's header bytes 0..15 and its NULLMAP_EXT
// bit move here (ARCHITECTURE.md, "The attribute namespace") and come back,
// byte for byte, when it is detached; the saved bytes keep owning what they
// owned (an external null map, a STR pool).
type IndexHeader struct {
	SavedAux   [2]uint64 // the vector's header bytes 0..15 before attaching
	SavedAttrs uint8     // the vector's attribute byte before attaching
	SavedType  int8      // the vector's type
	Kind       uint8     // which index (package index)
	_          [5]byte
	Children   uint64 // owned block addresses that follow this header
	Size       uint64 // data bytes of the whole INDEX block, this header included
	Rows       uint64 // the vector's length when the index was built
}

// IndexHeaderSize is the size of IndexHeader.
const IndexHeaderSize = unsafe.Sizeof(IndexHeader{})

// IndexHeaderOf returns the IndexHeader of an INDEX value.
func IndexHeaderOf(v value.V) *IndexHeader { return (*IndexHeader)(BlockData(v)) }

// IndexChildren returns the owned child slots of an INDEX value, and nil
// for anything else.
func IndexChildren(v value.V) []uint64 {
	if v.IsZero() || v.Type() != value.Index {
		return nil
	}
	ih := IndexHeaderOf(v)
	if ih.Children == 0 {
		return nil
	}
	return unsafe.Slice((*uint64)(offheap.Add(BlockData(v), IndexHeaderSize)), ih.Children)
}

// Slots returns the n 8-byte slots at the start of v's data: LIST items,
// DICT and TABLE slots. It returns nil for n <= 0, for any other kind of
// value, and when v's block cannot hold n slots.
func Slots(v value.V, n int) []uint64 {
	if n <= 0 || v.IsZero() {
		return nil
	}
	switch h := Header(v); value.Type(h.Type) {
	case value.List, value.Dict, value.Table:
		if h.Mmod() == heap.MmodHeap && uint64(n) > uint64(heap.Cap(Block(v))/8) {
			return nil
		}
	default:
		return nil
	}
	return unsafe.Slice((*uint64)(BlockData(v)), n)
}

// DataSize returns the bytes of v's data that make up the value, the bytes a
// copy must take: elements of a vector, item addresses of a LIST, slots of a
// DICT or TABLE, the payload of an INDEX, the bytes of a STR, GUID or ERROR
// atom. A slice's elements live in its parent, so a slice has none, and
// no value has none.
func DataSize(v value.V) uintptr {
	if v.IsZero() {
		return 0
	}
	h := Header(v)
	t := value.Type(h.Type)
	switch {
	case t == -value.Str || t == value.Error:
		return uintptr(h.Word)
	case t == -value.GUID:
		return 16
	case t.IsAtom():
		return 0
	case t == value.Dict || t == value.Table:
		return 16
	case t == value.Index:
		return uintptr(IndexHeaderOf(v).Size)
	case t == value.List || t.IsVector():
		if h.Attrs&attrbits.Slice != 0 {
			return 0
		}
		return uintptr(h.Word) * uintptr(ElemSize(v))
	}
	return 0
}

// Block returns the address of v's block, as the heap allocated it (nil
// for the zero V): the value package keeps it unexported, so that raw
// memory reaches only raygo's own packages.
func Block(v value.V) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&v)) }

// BlockData returns where the data of v's own block starts, after its
// header; a slice's elements are its parent's (Data).
func BlockData(v value.V) unsafe.Pointer { return offheap.Add(Block(v), heap.HeaderSize) }

// RC returns v's reference count.
func RC(v value.V) uint32 { return Header(v).RC.Load() }

// IsArena reports whether v is never reference counted nor freed: the NULL
// singleton and the blocks of process-wide tables.
func IsArena(v value.V) bool { return Header(v).Attrs&attrbits.Arena != 0 }

// EachOwned calls visit with every slot of v that owns a reference to
// another block. This is the one table of ownership ; the first matching row ends the walk:
//
//	kind                      owned slots
//	atom                      none (a handle atom's handle is not a block:
//	                          package cow copies and releases it)
//	DICT, TABLE               data slots 0 and 1
//	INDEX                     the vector's saved bytes 0..7 if they were an
//	                          external null map, saved bytes 8..15 if the
//	                          vector is a STR (its pool), then the children
//	vector or LIST, SLICE     the parent (nothing else: null bits, index and
//	                          link are read through the parent)
//	vector, HAS_INDEX         the index block (which owns what it displaced)
//	vector or LIST            the external null map with NULLMAP_EXT; a STR
//	                          vector's pool; a LIST's items
func EachOwned(v value.V, visit func(slot *uint64)) {
	h := Header(v)
	t := value.Type(h.Type)
	switch {
	case t.IsAtom():
	case t == value.Dict || t == value.Table:
		slots := Slots(v, 2)
		visit(&slots[0])
		visit(&slots[1])
	case t == value.Index:
		ih := IndexHeaderOf(v)
		if attrbits.Of(ih.SavedType, ih.SavedAttrs).Has(attrbits.FlagNullmapExt) {
			visit(&ih.SavedAux[SlotNullmap])
		}
		if value.Type(ih.SavedType) == value.Str {
			visit(&ih.SavedAux[SlotPool])
		}
		children := IndexChildren(v)
		for i := range children {
			visit(&children[i])
		}
	case t == value.List || t.IsVector():
		a := h.Attrs
		if a&attrbits.Slice != 0 {
			visit(&h.Aux[SlotParent])
			return
		}
		if a&attrbits.Index != 0 {
			visit(&h.Aux[SlotIndex])
			return
		}
		if a&attrbits.NullmapExt != 0 {
			visit(&h.Aux[SlotNullmap])
		}
		if t == value.Str {
			visit(&h.Aux[SlotPool])
		}
		if t == value.List {
			items := Slots(v, int(h.Word))
			for i := range items {
				visit(&items[i])
			}
		}
	}
}
