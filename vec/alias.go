package vec

import (
	"unsafe"

	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

// A write may move or free the blocks of the vector it writes: growing
// reallocates the block or the STR pool, and copying a shared or sliced
// vector releases the caller's reference to the old one. A source that lies
// in one of those blocks (rows taken with Elems or StrView of the same
// vector, or of a slice of it) would then be read from freed memory, so
// a bulk write whose source is caller memory checks it with aliases first
// and copies an aliasing source to Go memory: a few compares a call. STR
// writes take their string before anything moves instead (str.go).

// aliases reports whether the n bytes at p overlap a block that writing
// v may move or free: v's own block, a slice's root, a STR pool. Bulk
// writes call it once per call.
func aliases(v value.V, p unsafe.Pointer, n uintptr) bool {
	if n == 0 {
		return false
	}
	lo, hi := uintptr(p), uintptr(p)+n
	if inBlock(v, lo, hi) {
		return true
	}
	root, _ := layout.Root(v)
	if root != v && inBlock(root, lo, hi) {
		return true
	}
	pool := layout.Pool(v)
	return !pool.IsZero() && inBlock(pool, lo, hi)
}

// inBlock reports whether [lo, hi) overlaps the memory of b's block: its
// whole buddy block on the heap, its header and data when mapped.
func inBlock(b value.V, lo, hi uintptr) bool {
	start := uintptr(layout.Block(b))
	end := start + uintptr(1)<<layout.Order(b)
	if !layout.IsHeapBlock(b) {
		end = start + heap.HeaderSize + layout.DataSize(b)
	}
	return lo < end && start < hi
}
