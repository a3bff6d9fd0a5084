package heap

import (
	"sync/atomic"
	"unsafe"
)

// Big blocks. A block of order PoolOrder or more (more than 16 MiB of data)
// has a pool to itself, of twice its size: the pool header takes the first
// 64 bytes, so a block can be at most the upper half of its pool. The lower
// half is never touched, so it costs address space only.
//
// A big pool belongs to no per-P heap (its header names heap 0, and it has
// the poolBig flag), because the per-P design serves big blocks badly: a
// 100 MiB column freed on one P would be free memory only to that P, and the
// next P to want one would map (and fault in) another. Instead big pools
// sit on two process-wide lists, through their pool headers:
//
//	live      pools whose block is allocated
//	cached    pools whose block is free, by pool order, kept mapped (their
//	          pages stay faulted in) for the next allocation of that order
//	          on any P, up to bigCacheBytes of blocks in all (the lower
//	          halves cost no memory)
//
// A freed big pool that would take the cache past bigCacheBytes is unmapped
// at once; GC unmaps the cache, and ReleasePages gives its pages back.
//
// The lists are changed under bigLock, a spin lock held for a few loads and
// stores. Its holders are pinned goroutines (so a holder cannot be
// descheduled while another spins), or a collection, which may hold it
// unpinned and allocate meanwhile because no pinned goroutine can be
// waiting for it then: allocations and frees reach the lists only after
// finding their heap, and a collection holds every heap. They change the
// lists in the same pinned section as the heap counters, so a collection,
// whose stop of the world waits out every pinned section, sees lists and
// counters agree. Mapping and unmapping happen unpinned, with the pool on
// no list.

// bigCacheBytes bounds the bytes of the freed big blocks whose pools are
// kept mapped for reuse.
const bigCacheBytes = 1 << 30

// poolBig flags a big pool: one block in its upper half, owned by no heap.
const poolBig = 2

var big struct {
	lock   atomic.Uint32
	live   uintptr            // pools whose block is live
	cached [numOrders]uintptr // pools whose block is free, by pool order, newest first
	// Counted under lock, read by ReadStats under it too.
	pools, swapPools       int
	poolBytes, swapBytes   uint64
	cachedPools            int
	cachedBytes            uint64
	liveBlocks             int
	liveBytes, cacheReuses uint64
}

func bigLock() {
	for !big.lock.CompareAndSwap(0, 1) {
		// The holder is pinned and holds the lock for a few stores.
		for big.lock.Load() != 0 {
		}
	}
}

func bigUnlock() { big.lock.Store(0) }

// linkBigLocked puts the big pool at base at the head of *list.
func linkBigLocked(list *uintptr, base uintptr) {
	ph := poolHdr(base)
	ph.prev = 0
	ph.next = *list
	if *list != 0 {
		poolHdr(*list).prev = base
	}
	*list = base
}

// unlinkBigLocked takes the big pool at base off *list.
func unlinkBigLocked(list *uintptr, base uintptr) {
	ph := poolHdr(base)
	if ph.prev == 0 {
		*list = ph.next
	} else {
		poolHdr(ph.prev).next = ph.next
	}
	if ph.next != 0 {
		poolHdr(ph.next).prev = ph.prev
	}
	ph.next, ph.prev = 0, 0
}

// isBig reports whether the pool at base is a big pool.
func isBig(base uintptr) bool { return poolHdr(base).flags&poolBig != 0 }

// allocBig returns a live block of order k >= PoolOrder in a big pool, and
// whether its memory is fresh from the kernel (and so reads as zeros).
func allocBig(k uint8) (unsafe.Pointer, bool, error) {
	size := int64(1) << k
	porder := k + 1
	var pending mappedPool // a pool mapped for this call, on no list yet
	for {
		h, err := pinOwnHeap()
		if err != nil {
			unmapPending(pending)
			return nil, false, err
		}
		if h.credit < size && !h.reserveOwned(size) {
			unpin()
			unmapPending(pending)
			return nil, false, budgetError(size)
		}
		bigLock()
		base, fresh := pending.base, pending.base != 0
		if base == 0 {
			if base = big.cached[porder]; base != 0 {
				unlinkBigLocked(&big.cached[porder], base)
				big.cachedPools--
				big.cachedBytes -= 1 << k
				big.cacheReuses++
			}
		} else {
			initBigPoolLocked(pending)
		}
		if base == 0 {
			bigUnlock()
			unpin()
			mp, err := mapPool(porder)
			if err != nil {
				return nil, false, err
			}
			setChunks(mp.base, mp.order, mp.base|uintptr(mp.order))
			pending = mp
			continue
		}
		linkBigLocked(&big.live, base)
		big.liveBlocks++
		big.liveBytes += uint64(size)
		bigUnlock()
		b := base + 1<<k
		h.handOutOwned(b, k)
		unpin()
		return handedOut(b, k), fresh, nil
	}
}

// initBigPoolLocked writes the pool header of the freshly mapped big pool
// mp and counts it.
func initBigPoolLocked(mp mappedPool) {
	base := mp.base
	*poolHdr(base) = poolHeader{}
	*hdr(base) = Header{blockOrder: poolHeaderOrder, RC: RefCount{1}}
	ph := poolHdr(base)
	ph.heapID = 0
	ph.order = mp.order
	ph.flags = poolBig
	if mp.swap {
		ph.flags |= poolSwap
		big.swapPools++
		big.swapBytes += 1 << mp.order
	}
	ph.magic = poolMagic
	big.pools++
	big.poolBytes += 1 << mp.order
}

// freeBigPinned takes the big block b of the pool at base off the live
// list, caching its pool or, past bigCacheBytes, returning it for the
// caller to unmap once it has unpinned. The caller has counted the free.
func freeBigPinned(b, base uintptr, porder uint8) (unmap mappedPool) {
	x := hdr(b)
	x.mmod = mmodFree
	x.RC.n = 0
	bigLock()
	unlinkBigLocked(&big.live, base)
	big.liveBlocks--
	big.liveBytes -= 1 << x.blockOrder
	if big.cachedBytes+1<<x.blockOrder <= bigCacheBytes {
		linkBigLocked(&big.cached[porder], base)
		big.cachedPools++
		big.cachedBytes += 1 << x.blockOrder
		bigUnlock()
		return mappedPool{}
	}
	mp := forgetBigPoolLocked(base, porder)
	bigUnlock()
	return mp
}

// forgetBigPoolLocked uncounts the big pool at base, which is on no list,
// and returns it for unmapping.
func forgetBigPoolLocked(base uintptr, porder uint8) mappedPool {
	ph := poolHdr(base)
	swap := ph.flags&poolSwap != 0
	big.pools--
	big.poolBytes -= 1 << porder
	if swap {
		big.swapPools--
		big.swapBytes -= 1 << porder
	}
	ph.magic = 0
	return mappedPool{base: base, order: porder, swap: swap}
}

// takeCachedBigOwned empties the cache of big pools, returning them for
// unmapping. The caller is a collection.
func takeCachedBigOwned(out []mappedPool) []mappedPool {
	bigLock()
	defer bigUnlock()
	for o := range big.cached {
		for base := big.cached[o]; base != 0; base = big.cached[o] {
			unlinkBigLocked(&big.cached[o], base)
			big.cachedPools--
			big.cachedBytes -= 1 << (o - 1)
			out = append(out, forgetBigPoolLocked(base, uint8(o)))
		}
	}
	return out
}

// releaseCachedBigOwned gives the kernel back the pages of the cached big
// pools' blocks, all but the block's first page (its header). The caller is
// a collection.
func releaseCachedBigOwned() (uint64, error) {
	bigLock()
	defer bigUnlock()
	var released uint64
	for o := range big.cached {
		for base := big.cached[o]; base != 0; base = poolHdr(base).next {
			b := base + 1<<(o-1)
			n := uintptr(1)<<(o-1) - pageSize
			if err := releasePages(b+pageSize, n, poolHdr(base).flags&poolSwap != 0); err != nil {
				return released, err
			}
			released += uint64(n)
		}
	}
	return released, nil
}

// freeBigUnattached frees the big block b of the pool at base for a
// goroutine whose P has no heap: the pool is unmapped, not cached.
func freeBigUnattached(b, base uintptr, porder uint8) {
	x := hdr(b)
	x.mmod = mmodFree
	pin()
	bigLock()
	unlinkBigLocked(&big.live, base)
	big.liveBlocks--
	big.liveBytes -= 1 << x.blockOrder
	mp := forgetBigPoolLocked(base, porder)
	bigUnlock()
	unpin()
	unmapPending(mp)
}

// bigStats returns the big pools' counters.
func bigStats() (pools, swapPools int, poolBytes, swapBytes uint64, cachedPools int, cachedBytes uint64) {
	pin()
	bigLock()
	pools, swapPools, poolBytes, swapBytes = big.pools, big.swapPools, big.poolBytes, big.swapBytes
	cachedPools, cachedBytes = big.cachedPools, big.cachedBytes
	bigUnlock()
	unpin()
	return
}
