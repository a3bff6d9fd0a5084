package vec

import (
	"unsafe"

	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// A write may move or free the blocks of the vector it writes: growing
// reallocates the block or the STR pool, and copying a shared or sliced
// vector releases the caller's reference to the old one. A source that lies
// in one of those blocks (rows taken with Elems or StrView of the same
// vector, or of a slice of it) would then be read from freed memory, so
// every write whose source is caller memory checks it with aliases first
// and copies an aliasing source to Go memory. The check is two compares a
// block and costs nothing when, as usual, the source is Go memory.

// aliases reports whether the n bytes at p overlap a block that writing
// v may move or free: v's own block, a slice's root, a STR pool. It is
// written to be inlined: the usual vector is neither a slice nor indexed,
// and then the answer needs only v's header and its pool's.
func aliases(v value.V, p unsafe.Pointer, n uintptr) bool {
	h := layout.Header(v)
	if h.Attrs&(attrbits.Slice|attrbits.Index) != 0 || h.Mmod != heap.MmodHeap {
		return aliasesSlow(v, p, n)
	}
	lo, hi := uintptr(p), uintptr(p)+n
	b := uintptr(v.Pointer())
	if lo < b+uintptr(1)<<h.Order && b < hi {
		return n != 0
	}
	if pool := uintptr(h.Aux[layout.SlotPool]); pool != 0 && h.Type == int8(value.Str) {
		ph := heap.HeaderOf(offheap.Ptr(pool))
		return lo < pool+uintptr(1)<<ph.Order && pool < hi && n != 0
	}
	return false
}

// aliasesSlow is aliases for a slice, an indexed or a mapped vector.
func aliasesSlow(v value.V, p unsafe.Pointer, n uintptr) bool {
	if n == 0 {
		return false
	}
	lo, hi := uintptr(p), uintptr(p)+n
	h := layout.Header(v)
	if h.Attrs&attrbits.Slice != 0 {
		if inBlock(v, lo, hi) {
			return true
		}
		v = layout.Parent(v)
		h = layout.Header(v)
	}
	if inBlock(v, lo, hi) {
		return true
	}
	if h.Type == int8(value.Str) {
		_, aux, _, _ := layout.AuxOf(v)
		if pool := aux[layout.SlotPool]; pool != 0 {
			return inBlock(layout.Owned(pool), lo, hi)
		}
	}
	return false
}

// inBlock reports whether [lo, hi) overlaps the memory of b's block: its
// whole buddy block on the heap, its header and data when mapped.
func inBlock(b value.V, lo, hi uintptr) bool {
	start := uintptr(b.Pointer())
	h := layout.Header(b)
	end := start + uintptr(1)<<h.Order
	if h.Mmod != heap.MmodHeap {
		end = start + heap.HeaderSize + layout.DataSize(b)
	}
	return lo < end && start < hi
}
