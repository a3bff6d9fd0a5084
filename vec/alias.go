package vec

import (
	"unsafe"

	"github.com/raygo/ray/heap"
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
// *vp may move or free: v's own block, a slice's root, a STR pool.
func aliases(v value.V, p unsafe.Pointer, n uintptr) bool {
	if n == 0 {
		return false
	}
	lo, hi := uintptr(p), uintptr(p)+n
	overlaps := func(b value.V) bool {
		if b.IsZero() {
			return false
		}
		blo, bhi := blockSpan(b)
		return lo < bhi && blo < hi
	}
	if overlaps(v) {
		return true
	}
	root, _ := Root(v)
	if root != v && overlaps(root) {
		return true
	}
	return v.Type() == value.Str && overlaps(poolOf(v))
}

// blockSpan returns the addresses a value's block covers: its whole buddy
// block on the heap, its header and data when mapped from a file.
func blockSpan(b value.V) (lo, hi uintptr) {
	lo = uintptr(b.Pointer())
	h := b.Header()
	if h.Mmod == heap.MmodHeap {
		return lo, lo + uintptr(1)<<h.Order
	}
	return lo, lo + heap.HeaderSize + value.DataSize(b)
}
