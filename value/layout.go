package value

import (
	"unsafe"

	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/heap"
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
//	-I64 atom with a handle      Word is a handle id (see NewHandle)
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

// IndexHeader starts the data of every INDEX block. When an index is
// attached to a vector, the vector's header bytes 0..15 and its NULLMAP_EXT
// bit move here (ARCHITECTURE.md, "The attribute namespace") and come back, byte for byte, when it is
// detached; the saved bytes keep owning what they owned (an external null
// map, a STR pool).
type IndexHeader struct {
	SavedAux   [2]uint64 // the vector's header bytes 0..15 before attaching
	SavedAttrs uint8     // the vector's attribute byte before attaching
	SavedType  int8      // the vector's type
	Kind       uint8     // which index (package index)
	_          [5]byte
	Children   uint64 // owned block addresses that follow this header
	Size       uint64 // data bytes of the whole INDEX block, this header included
}

// IndexHeaderSize is the size of IndexHeader.
const IndexHeaderSize = unsafe.Sizeof(IndexHeader{})

// IndexHeaderOf returns the IndexHeader of an INDEX value.
func IndexHeaderOf(v V) *IndexHeader { return (*IndexHeader)(v.Data()) }

// IndexChildren returns the owned child slots of an INDEX value, and nil
// for anything else.
func IndexChildren(v V) []uint64 {
	if v.p == nil || v.Type() != Index {
		return nil
	}
	ih := IndexHeaderOf(v)
	if ih.Children == 0 {
		return nil
	}
	return unsafe.Slice((*uint64)(unsafe.Add(v.Data(), IndexHeaderSize)), ih.Children)
}

// Slots returns the n 8-byte slots at the start of v's data: LIST items,
// DICT and TABLE slots. It returns nil for n <= 0, for any other kind of
// value, and when v's block cannot hold n slots.
func Slots(v V, n int) []uint64 {
	if n <= 0 || v.p == nil {
		return nil
	}
	switch h := v.Header(); Type(h.Type) {
	case List, Dict, Table:
		if h.Mmod == heap.MmodHeap && uint64(n) > uint64(heap.Cap(v.p)/8) {
			return nil
		}
	default:
		return nil
	}
	return unsafe.Slice((*uint64)(v.Data()), n)
}

// DataSize returns the bytes of v's data that make up the value, the bytes a
// copy must take: elements of a vector, item addresses of a LIST, slots of a
// DICT or TABLE, the payload of an INDEX, the bytes of a STR, GUID or ERROR
// atom. A slice's elements live in its parent, so a slice has none, and
// no value has none.
func DataSize(v V) uintptr {
	if v.p == nil {
		return 0
	}
	h := v.Header()
	t := Type(h.Type)
	switch {
	case t == -Str || t == Error:
		return uintptr(h.Word)
	case t == -GUID:
		return 16
	case t.IsAtom():
		return 0
	case t == Dict || t == Table:
		return 16
	case t == Index:
		return uintptr(IndexHeaderOf(v).Size)
	case t == List || t.IsVector():
		if v.Has(attrs.Slice) {
			return 0
		}
		return uintptr(h.Word) * uintptr(v.ElemSize())
	}
	return 0
}
