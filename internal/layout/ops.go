package layout

import (
	"unsafe"

	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// This file holds the named operations that cow and vec call instead of
// reading and writing header fields: each says what it keeps true, and
// ops_test.go runs cow.Check after each.

// The block: where it lives and who holds it.

// IsHeapBlock reports whether v's block is a block of the heap (not a
// column mapped from a file).
func IsHeapBlock(v value.V) bool { return Header(v).Mmod() == heap.MmodHeap }

// IsMapped reports whether v is a column mapped from a file.
func IsMapped(v value.V) bool { return Header(v).Mmod() == heap.MmodFile }

// Mmod returns the byte that says where v's block lives (heap.MmodHeap,
// heap.MmodFile, or a free block's mark), for messages about a bad block.
func Mmod(v value.V) uint8 { return Header(v).Mmod() }

// Order returns log2 of the size of v's block, its header included.
func Order(v value.V) uint8 { return Header(v).Order() }

// BlockCap returns how many data bytes v's heap block holds.
func BlockCap(v value.V) uintptr { return heap.Cap(Block(v)) }

// Refs returns v's reference count (v is neither ARENA nor no value), for
// package cow to retain and release: its Retain panics on a free block,
// its Release reports the last reference.
func Refs(v value.V) *heap.RefCount { return &Header(v).RC }

// Private reports whether v may be written in place by its one owner: a
// heap block, not ARENA, with one reference. A private slice still shares
// its parent's rows, and a private indexed vector still has its index.
func Private(v value.V) bool {
	h := Header(v)
	return h.Attrs&attrbits.Arena == 0 && h.Mmod() == heap.MmodHeap && h.RC.Load() == 1
}

// CopyHeader gives c, a block the heap has just handed out, v's type,
// attributes (not ARENA: a copy is always counted), owned slots and length
// or payload. It copies field by field: other goroutines may be changing
// v's reference count while it is copied, and the heap wrote c's own.
func CopyHeader(c, v value.V) {
	ch, vh := Header(c), Header(v)
	ch.Aux, ch.Type, ch.Attrs, ch.Word = vh.Aux, vh.Type, vh.Attrs&^attrbits.Arena, vh.Word
}

// ElemSize returns the bytes of one row of the vector v in its block: its
// type's size, or a SYM vector's width.
func ElemSize(v value.V) int {
	h := Header(v)
	if value.Type(h.Type) == value.Sym {
		return 1 << (h.Attrs & attrbits.SymWidth)
	}
	return value.Type(h.Type).ElemSize()
}

// Attributes a caller tests on a value whose class it knows.

// IsSlice reports whether the vector or LIST v is a view of a parent.
func IsSlice(v value.V) bool { return Header(v).Attrs&attrbits.Slice != 0 }

// HasIndex reports whether the vector v has an attached index.
func HasIndex(v value.V) bool { return Header(v).Attrs&attrbits.Index != 0 }

// MayHaveNulls reports whether the vector v's own header says it may hold
// nulls (HAS_NULLS; a slice's rows answer through NullBits).
func MayHaveNulls(v value.V) bool { return Header(v).Attrs&attrbits.HasNulls != 0 }

// MarkHasNulls sets HAS_NULLS on the private vector v, whose null bits
// now say which rows are null.
func MarkHasNulls(v value.V) { Header(v).Attrs |= attrbits.HasNulls }

// UnknownAttrs returns the attribute bits of v that mean nothing for its
// class, for checks of foreign or corrupt values.
func UnknownAttrs(v value.V) uint8 {
	h := Header(v)
	return attrbits.Of(h.Type, h.Attrs).Unknown()
}

// Attrs returns v's attribute byte read for its class.
func Attrs(v value.V) attrbits.Byte {
	h := Header(v)
	return attrbits.Of(h.Type, h.Attrs)
}

// Appending in place.

// AppendRoom returns the length of the vector v and whether one more
// element of size bytes can be written in place right after its rows: v
// is private, neither a slice nor indexed, carries no order a write would
// break (SORTED, UNIQUE), and its block has room.
func AppendRoom(v value.V, size uint64) (n uint64, ok bool) {
	h := Header(v)
	n = h.Word
	return n, h.Attrs&(attrbits.Slice|attrbits.Index|attrbits.Arena|attrbits.Sorted|attrbits.Unique) == 0 &&
		h.Mmod() == heap.MmodHeap && h.RC.Load() == 1 && (n+1)*size <= uint64(1)<<h.Order()-heap.HeaderSize
}

// SymAppendRoom is AppendRoom for a SYM vector at its own width w: ok
// when one more id of w's size fits in place.
func SymAppendRoom(v value.V) (n uint64, w uint8, ok bool) {
	h := Header(v)
	n, w = h.Word, h.Attrs&attrbits.SymWidth
	return n, w, h.Attrs&(attrbits.Slice|attrbits.Index|attrbits.Arena|attrbits.SymUnique) == 0 &&
		h.Mmod() == heap.MmodHeap && h.RC.Load() == 1 && (n+1)<<w <= uint64(1)<<h.Order()-heap.HeaderSize
}

// AppendState returns where header bytes 16..23 of v lie, to be read in
// one load: where the block lives, its order, type, attributes and
// reference count. Any Retain, attached index, null map, order claim or
// move of the block changes them, so an appender that saw them unchanged
// (and the same block and length) may keep writing in place. A plain load
// is enough: another goroutine retaining the vector while this one appends
// races with the appends themselves.
func AppendState(v value.V) *uint64 {
	return (*uint64)(offheap.Add(Block(v), heap.OffsetMmod))
}

// LenWord returns where v's length lies, for an appender that keeps it
// current row by row (SetLen for everyone else).
func LenWord(v value.V) *uint64 { return &Header(v).Word }

// Order attributes: what a user asserted about a vector's rows.

// ClearOrder takes SORTED and UNIQUE off the private vector v, whose rows
// are about to change.
func ClearOrder(v value.V) {
	h := Header(v)
	h.Attrs &^= attrbits.OrderBits(value.Type(h.Type) == value.Sym)
}

// SetOrder sets the bits of OrderOf (SORTED, UNIQUE, at v's class's bits)
// on v, whose rows are in that order.
func SetOrder(v value.V, bits uint8) {
	h := Header(v)
	h.Attrs |= bits & attrbits.OrderBits(value.Type(h.Type) == value.Sym)
}

// Slices.

// InitSlice makes the fresh block s a slice of n rows of of, whose rows
// start at row offset of root (of's root parent, or of itself): s takes
// of's type, a SYM's width and of's order bits, and owns the reference to
// root the caller passes.
func InitSlice(s, of, root value.V, offset, n int) {
	h, oh := Header(s), Header(of)
	h.Type = oh.Type
	h.Attrs = attrbits.Slice | oh.Attrs&attrbits.OrderBits(value.Type(oh.Type) == value.Sym)
	if value.Type(oh.Type) == value.Sym {
		h.Attrs |= oh.Attrs & attrbits.SymWidth // a slice reads at its parent's width
	}
	h.Word = uint64(n)
	h.Aux[SlotParent] = Addr(root)
	h.Aux[SlotOffset] = uint64(offset)
}

// SYM widths.

// SymWidth returns the width of the SYM vector v as log2 of its ids' size.
func SymWidth(v value.V) uint8 { return Header(v).Attrs & attrbits.SymWidth }

// SetSymWidth sets the width of the private SYM vector v, whose ids are
// already laid out at that width.
func SetSymWidth(v value.V, w uint8) {
	h := Header(v)
	h.Attrs = h.Attrs&^attrbits.SymWidth | w&attrbits.SymWidth
}

// Items of a LIST, slots of a DICT or TABLE.

// Item returns item i of the LIST v, or slot i (0 or 1) of a DICT or
// TABLE, borrowed.
func Item(v value.V, i int) value.V { return Owned(Slots(v, i+1)[i]) }

// PutItem stores x, whose reference v takes over, as item i of v (see
// Item), over whatever the slot held: the caller has released that, or it
// is the same block before a move.
func PutItem(v value.V, i int, x value.V) { Slots(v, i+1)[i] = Addr(x) }

// AppendItem stores x, whose reference the LIST v takes over, after v's
// items; v is private and has room.
func AppendItem(v value.V, x value.V) {
	n := int(Header(v).Word)
	Slots(v, n+1)[n] = Addr(x)
	Header(v).Word = uint64(n + 1)
}

// DeleteItem removes item i of the private LIST v, moving the items after
// it up, and returns it for the caller to release.
func DeleteItem(v value.V, i int) (old value.V) {
	items := Slots(v, int(Header(v).Word))
	old = Owned(items[i])
	copy(items[i:], items[i+1:])
	Header(v).Word--
	return old
}

// InitPair makes p, a fresh block with room for two slots, a DICT or TABLE
// (t) owning a and b: keys and values, or column names and columns.
func InitPair(p value.V, t value.Type, a, b value.V) {
	h := Header(p)
	h.Type = int8(t)
	h.Word = 2
	s := Slots(p, 2)
	s[0], s[1] = Addr(a), Addr(b)
}

// Links.

// SetLink makes the private I32 or I64 vector v, whose nulls are not
// inline, a linked column into the table whose name is symbol id.
func SetLink(v value.V, id uint64) {
	h := Header(v)
	h.Aux[SlotLink] = id
	h.Attrs |= attrbits.Link
}

// ClearLink makes the private linked column v a plain vector again.
func ClearLink(v value.V) {
	h := Header(v)
	h.Attrs &^= attrbits.Link
	h.Aux[SlotLink] = 0 // a linked column's nulls are never inline
}

// IsLinked reports whether v's own header says it is a linked column.
func IsLinked(v value.V) bool { return Header(v).Attrs&attrbits.Link != 0 }

// LinkOf returns the symbol id of the table v links into (its root's, for
// a slice); ok is false when v is not a linked column.
func LinkOf(v value.V) (target uint64, ok bool) {
	if t := v.Type(); t != value.I32 && t != value.I64 {
		return 0, false
	}
	h := Header(v)
	if h.Attrs&attrbits.Slice != 0 {
		h = Header(Parent(v))
	}
	if h.Attrs&attrbits.Link == 0 {
		return 0, false
	}
	return h.Aux[SlotLink], true
}

// Null maps.

// InlineNullBits returns the 16 header bytes that hold the null bits of
// rows 0..127 of the private, unsliced, unindexed vector v, and ok when v
// keeps its nulls there: no external map, not linked, not STR.
func InlineNullBits(v value.V) (bits []byte, ok bool) {
	h := Header(v)
	if h.Attrs&(attrbits.NullmapExt|attrbits.Link) != 0 || value.Type(h.Type) == value.Str {
		return nil, false
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&h.Aux)), 16), true
}

// HasNullmap reports whether v's own header holds an external null map.
func HasNullmap(v value.V) bool { return Header(v).Attrs&attrbits.NullmapExt != 0 }

// Nullmap returns the external null map of v (HasNullmap), borrowed.
func Nullmap(v value.V) value.V { return Owned(Header(v).Aux[SlotNullmap]) }

// ReplaceNullmap stores m, whose reference v takes over, as v's external
// null map in place of the one there (released by the caller, or the same
// map before a move).
func ReplaceNullmap(v, m value.V) { Header(v).Aux[SlotNullmap] = Addr(m) }

// ExternalizeNulls gives the private, unsliced, unindexed vector v, which
// has no external map, the zeroed map m (at least 16 bytes), whose
// reference v takes over: v's inline null bits, if it keeps any, move into
// it, and v carries NULLMAP_EXT from then on.
func ExternalizeNulls(v, m value.V) {
	h := Header(v)
	if bits, ok := InlineNullBits(v); ok && h.Attrs&attrbits.HasNulls != 0 {
		copy(unsafe.Slice((*byte)(BlockData(m)), 16), bits)
		h.Aux[1] = 0 // bits of rows 64..127 now live in the map
	}
	h.Aux[SlotNullmap] = Addr(m)
	h.Attrs |= attrbits.NullmapExt
}

// ExtNullmapOf returns the external null map that holds v's null bits
// (its own, its parent's, or one an index saved), and whether there is one.
func ExtNullmapOf(v value.V) (m value.V, ok bool) {
	_, aux, ext, _ := AuxOf(v)
	if !ext {
		return value.V{}, false
	}
	return Owned(aux[SlotNullmap]), true
}

// STR pools. A pool is a U8 vector whose length is the bytes in use; its
// first header word counts the bytes no row refers to any more (0 in a
// fresh block: the heap hands out zeroed headers).

// PoolDead returns the bytes of the pool no row refers to.
func PoolDead(pool value.V) uint64 { return Header(pool).Aux[0] }

// AddPoolDead counts n more dead bytes in the private pool.
func AddPoolDead(pool value.V, n uint64) { Header(pool).Aux[0] += n }

// Atoms.

// AtomWord returns the 8-byte payload of the atom a, in its header: the
// value of a fixed-size atom, a symbol's id, a handle's id.
func AtomWord(a value.V) *uint64 { return &Header(a).Word }

// InitAtom makes the fresh block at p an atom of type t (negative), whose
// payload the caller writes through AtomWord.
func InitAtom(p unsafe.Pointer, t value.Type) value.V {
	a := FromPointer(p)
	Header(a).Type = int8(t)
	return a
}

// Handles (an -I64 atom whose payload is an id in the handle table).

// HasHandle reports whether v is an -I64 atom that holds a handle: one
// load and a test, for the release path of every atom.
func HasHandle(v value.V) bool {
	h := Header(v)
	return h.Type == -int8(value.I64) && h.Attrs&attrbits.Handles != 0
}

// HandleKind returns the kind of handle the atom a holds.
func HandleKind(a value.V) attrbits.HandleKind { return Attrs(a).Handle() }

// SetHandleID makes the handle atom a hold handle id.
func SetHandleID(a value.V, id uint64) { Header(a).Word = id }

// DropHandle makes the handle atom a an ordinary -I64 atom of 0, owning
// nothing.
func DropHandle(a value.V) {
	h := Header(a)
	h.Attrs &^= attrbits.Handles
	h.Word = 0
}

// AdoptBlock makes blk, a raw heap block (a LIST of no items, as the heap
// hands blocks out) whose data holds rows rows of type t, a vector of type
// t and rows rows, its data left as it is: how rayarrow.Import takes over
// an Arrow buffer that rayarrow.Allocator cut from a block. A block
// adopted before as the same type and rows stays as it is. It reports false,
// changing nothing, when blk is some other value or cannot hold the rows.
// The caller serializes adoptions of one block.
func AdoptBlock(blk value.V, t value.Type, rows int) bool {
	h := Header(blk)
	if !t.IsVector() || t == value.Sym || t == value.Str || rows < 0 ||
		uint64(rows)*uint64(t.ElemSize()) > uint64(BlockCap(blk)) {
		return false
	}
	switch {
	case value.Type(h.Type) == t && h.Word == uint64(rows) && h.Attrs == 0:
		return true
	case value.Type(h.Type) == value.List && h.Word == 0 && h.Attrs == 0 && h.Aux == [2]uint64{}:
		h.Type = int8(t)
		h.Word = uint64(rows)
		return true
	}
	return false
}
