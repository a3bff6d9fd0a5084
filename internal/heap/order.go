package heap

import (
	"math/bits"
	"unsafe"

	"github.com/raygo/ray"
)

// Block orders. A block of order k is 2^k bytes, header included.
const (
	// MinOrder is the smallest block: 64 bytes, 32 of header and 32 of data.
	MinOrder = 6
	// PoolOrder is the order of a standard pool: 32 MiB. Requests of a
	// smaller order are carved from standard pools.
	PoolOrder = 25
	// MaxPoolOrder is the largest pool, 256 GiB.
	MaxPoolOrder = 38
	// MaxOrder is the largest block: a big pool holds its block in its
	// upper half, so the block is one order below the pool.
	MaxOrder = MaxPoolOrder - 1

	// MaxSize is the largest data size Alloc accepts.
	MaxSize = 1<<MaxOrder - HeaderSize

	// Slab caches keep freed blocks of orders slabMin..slabMax (2 KiB to
	// 2 MiB; runs serve the smaller ones) on a per-heap stack, so that
	// these sizes mostly skip the buddy lists: no split on allocation, no
	// merge on free. The depth falls with the order (slabLimit), so that a
	// heap holds back at most about 7 MiB: 64 blocks up to 8 KiB, 16 up to
	// 64 KiB, and one block of each larger order, enough for the buffer an
	// engine allocates and frees per batch.
	slabMin   = runMaxOrder + 1
	slabMax   = 21
	numSlabs  = slabMax - slabMin + 1
	slabDepth = 64

	numOrders = MaxPoolOrder + 1

	chunkShift = PoolOrder // the pool lookup table has one entry per 32 MiB
	poolSize   = 1 << PoolOrder

	// poolHeaderOrder is the order of the block at the base of every pool
	// that holds the pool's header (poolHeader).
	poolHeaderOrder = 7
)

// OrderFor returns the order of the block that holds size bytes of data:
// ceil(log2(size + HeaderSize)), at least MinOrder. The header counts, so
// 32 bytes of data fit the 64-byte minimum block and 33 need 128.
func OrderFor(size uintptr) (uint8, error) {
	if size > MaxSize {
		return 0, ray.Errorf(ray.ErrLimit, "heap.OrderFor", "%d bytes exceed the largest block (%d bytes of data)", size, uint64(MaxSize))
	}
	return orderFor(size), nil
}

// orderFor is OrderFor for a size already known to be at most MaxSize.
func orderFor(size uintptr) uint8 {
	n := size + HeaderSize
	k := uint8(bits.Len64(uint64(n - 1)))
	if k < MinOrder {
		k = MinOrder
	}
	return k
}

// slabLimit returns how many blocks the slab cache of order k keeps.
func slabLimit(k int) uintptr {
	switch {
	case k <= 13:
		return slabDepth
	case k <= 16:
		return 16
	default:
		return 1
	}
}

// poolOrderFor returns the order of the pool a block of order k needs.
func poolOrderFor(k uint8) uint8 {
	if k < PoolOrder {
		return PoolOrder
	}
	return k + 1
}

// Cap returns the number of data bytes the block at p holds: its block size
// less the header.
func Cap(p unsafe.Pointer) uintptr {
	return 1<<HeaderOf(p).blockOrder - HeaderSize
}
