package heap

import (
	"runtime"

	"github.com/raygo/ray"
)

// A collection is how the heap does work on heaps it does not own: merging
// the heaps of Ps that GOMAXPROCS took away, returning slab and inbox
// blocks, unmapping free pools, releasing pages, verifying. The fast paths
// take no lock, so a collection cannot lock a heap; it takes it instead:
//
//  1. Under ctl, it empties every slot (an atomic swap to 0). A goroutine
//     that now pins and finds its slot empty calls ensureHeap, which waits
//     for ctl, so no new user of a heap can appear.
//  2. It stops and restarts the world (runtime.ReadMemStats does both).
//     The world cannot stop while any goroutine is pinned, so once it has
//     stopped, every pinned section that might have read a slot before step
//     1 is over.
//  3. Now it owns every heap, detached or spare, exactly as a pinned
//     goroutine owns its own, and may also make system calls.
//  4. It puts the heaps back into their slots (or, for retired slots, merges
//     them into live heaps), and releases ctl.
//
// Blocks freed on other Ps keep arriving in inboxes throughout; inboxes are
// lock-free and a collection only ever empties them with an atomic swap.

type collectOp uint8

const (
	opFlush        collectOp = 1 << iota // drain inboxes, flush slab caches
	opMergeRetired                       // merge heaps of Ps above GOMAXPROCS
	opUnmapFree                          // unmap pools with no live block
	opReleasePages                       // madvise the pages of large free blocks
	opVerify                             // check every invariant
)

// collectResult is what a collection reports back.
type collectResult struct {
	findings      []string
	livePools     int // pools holding a live block (Verify)
	releasedBytes uint64
	unmappedPools int
	err           error
}

// gomaxprocs is runtime.GOMAXPROCS(0); tests replace it.
var gomaxprocs = func() int { return runtime.GOMAXPROCS(0) }

// stopTheWorldBarrier returns once every goroutine that was pinned when it
// was called has unpinned.
var barrierStats runtime.MemStats

func stopTheWorldBarrier() { runtime.ReadMemStats(&barrierStats) }

type heldHeap struct {
	slot int // -1 for a spare heap
	id   uint32
}

func collect(ops collectOp, res *collectResult) {
	if initErr != nil {
		return
	}
	if res == nil {
		res = new(collectResult)
	}
	ctl.Lock()
	defer ctl.Unlock()

	nprocs := gomaxprocs()
	var held []heldHeap
	for i := range int(ctl.highSlot.Load()) {
		if id := slots[i].Swap(0); id != 0 {
			held = append(held, heldHeap{i, id})
		}
	}
	for _, id := range ctl.spare {
		held = append(held, heldHeap{-1, id})
	}
	stopTheWorldBarrier()
	if raceVisible {
		raceAcquireAll()
		defer raceReleaseAll()
	}
	if debugEnabled {
		debugCollecting(true)
		defer debugCollecting(false)
	}

	if ops&opFlush != 0 {
		// A drained block may be forwarded to another held heap's inbox;
		// repeat until a pass finds nothing (in practice two passes).
		for pass := 0; pass < 8; pass++ {
			busy := false
			for _, hh := range held {
				if h := stateOf(hh.id); h.inbox != 0 || h.runInbox != 0 {
					busy = true
					h.drainInboxOwned()
					h.drainRunsOwned()
				}
			}
			if !busy {
				break
			}
		}
		for _, hh := range held {
			stateOf(hh.id).sweepRunsOwned()
			stateOf(hh.id).flushSlabsOwned()
		}
	}
	if ops&opMergeRetired != 0 {
		held = mergeRetiredOwned(held, nprocs)
	}
	var unmap []mappedPool
	if ops&opUnmapFree != 0 {
		for _, hh := range held {
			unmap = stateOf(hh.id).takeFreePoolsOwned(unmap)
		}
		unmap = takeCachedBigOwned(unmap)
		res.unmappedPools = len(unmap)
	}
	if ops&opReleasePages != 0 {
		for _, hh := range held {
			n, err := stateOf(hh.id).releasePagesOwned()
			res.releasedBytes += n
			if err != nil && res.err == nil {
				res.err = err
			}
		}
		n, err := releaseCachedBigOwned()
		res.releasedBytes += n
		if err != nil && res.err == nil {
			res.err = ray.Wrap(ray.ErrIO, "heap.ReleasePages", err, "madvise of a cached big pool")
		}
	}
	if ops&opVerify != 0 {
		res.findings, res.livePools = verifyOwned(held)
	}

	ctl.spare = ctl.spare[:0]
	high := int32(0)
	for _, hh := range held {
		if hh.slot < 0 {
			stateOf(hh.id).returnCreditOwned()
			ctl.spare = append(ctl.spare, hh.id)
			continue
		}
		slots[hh.slot].Store(hh.id)
		high = max(high, int32(hh.slot)+1)
	}
	ctl.highSlot.Store(high)

	for _, mp := range unmap {
		setChunks(mp.base, mp.order, 0)
		if err := unmapPool(mp); err != nil && res.err == nil {
			res.err = ray.Wrap(ray.ErrIO, "heap.GC", err, "unmapping pool %#x", mp.base)
		}
	}
}

// mergeRetiredOwned gives the heaps of slots at or above nprocs to live
// slots: into an empty live slot when there is one, otherwise merged into
// the live heap with the fewest pools. Merged heaps become spares.
func mergeRetiredOwned(held []heldHeap, nprocs int) []heldHeap {
	taken := make(map[int]bool)
	for _, hh := range held {
		if hh.slot >= 0 && hh.slot < nprocs {
			taken[hh.slot] = true
		}
	}
	for i := range held {
		src := &held[i]
		if src.slot < nprocs {
			continue
		}
		free := -1
		for s := range min(nprocs, maxHeaps) {
			if !taken[s] {
				free = s
				break
			}
		}
		if free >= 0 {
			src.slot = free
			taken[free] = true
			continue
		}
		dst := -1
		for j, hh := range held {
			if hh.slot >= 0 && hh.slot < nprocs && (dst < 0 || stateOf(hh.id).c.pools < stateOf(held[dst].id).c.pools) {
				dst = j
			}
		}
		stateOf(held[dst].id).mergeOwned(stateOf(src.id))
		src.slot = -1
	}
	return held
}

// mergeOwned moves every free block, cached block, pool, run and unspent
// credit of src into h. Both heaps must be owned by the caller.
func (h *heapState) mergeOwned(src *heapState) {
	if debugEnabled {
		h.debugOwned()
	}
	src.flushSlabsOwned()
	for k := range uint8(numOrders) {
		for b := src.free[k]; b != 0; b = src.free[k] {
			src.unlinkOwned(b, k)
			h.pushOwned(b, k)
		}
	}
	for base := src.poolHead; base != 0; {
		next := poolHdr(base).next
		poolHdr(base).heapID = uint16(h.id)
		eachRunOf(base, func(r uintptr) { runHdr(r).heapID = h.id })
		h.linkPoolOwned(base)
		base = next
	}
	src.poolHead = 0
	h.mergeRunsOwned(src)
	h.c.pools += src.c.pools
	h.c.poolBytes += src.c.poolBytes
	h.c.swapPools += src.c.swapPools
	h.c.swapBytes += src.c.swapBytes
	src.c.pools, src.c.poolBytes, src.c.swapPools, src.c.swapBytes = 0, 0, 0, 0
	h.credit += src.credit
	src.credit = 0
}

// takeFreePoolsOwned removes from h every pool with no live block and
// appends it to out for unmapping. After coalescing, such a pool is exactly
// the pattern addPoolOwned left: one free block of each order below the
// pool's, at base + 2^order.
func (h *heapState) takeFreePoolsOwned(out []mappedPool) []mappedPool {
	if debugEnabled {
		h.debugOwned()
	}
	for base := h.poolHead; base != 0; {
		ph := poolHdr(base)
		next, porder := ph.next, ph.order
		empty := true
		for o := porder - 1; o >= poolHeaderOrder; o-- {
			if x := hdr(base + 1<<o); x.mmod != mmodFree || x.blockOrder != o {
				empty = false
				break
			}
		}
		if empty {
			for o := porder - 1; o >= poolHeaderOrder; o-- {
				h.unlinkOwned(base+1<<o, o)
			}
			swap := ph.flags&poolSwap != 0
			h.unlinkPoolOwned(base)
			size := uint64(1) << porder
			h.c.pools--
			h.c.poolBytes -= size
			if swap {
				h.c.swapPools--
				h.c.swapBytes -= size
			}
			ph.magic = 0
			out = append(out, mappedPool{base: base, order: porder, swap: swap})
		}
		base = next
	}
	return out
}

// releasePagesMinOrder is the smallest free block whose pages are released:
// 8 KiB, of which all but the first page (which holds the free-list links)
// go back to the kernel.
const releasePagesMinOrder = 13

func (h *heapState) releasePagesOwned() (uint64, error) {
	if debugEnabled {
		h.debugOwned()
	}
	const page = 4096
	var released uint64
	for k := uint8(releasePagesMinOrder); k < numOrders; k++ {
		for b := h.free[k]; b != 0; b = uintptr(hdr(b).Aux[1]) {
			base, _, _ := poolOf(b)
			swap := poolHdr(base).flags&poolSwap != 0
			n := uintptr(1)<<k - page
			if err := releasePages(b+page, n, swap); err != nil {
				return released, ray.Wrap(ray.ErrIO, "heap.ReleasePages", err, "madvise of %d bytes at %#x", n, b+page)
			}
			released += uint64(n)
		}
	}
	return released, nil
}

// GC returns every block waiting in an inbox or a slab cache to its free
// list, merges the heaps of Ps that a smaller GOMAXPROCS retired into live
// heaps, and unmaps every pool that holds no live block, the cached big
// pools (big.go) included. It reports how many pools it unmapped. It briefly stops the world
// and holds up allocation on every P while it runs; call it when an engine
// has just dropped a lot of data, not on a schedule.
func GC() (pools int, err error) {
	var res collectResult
	collect(opFlush|opMergeRetired|opUnmapFree, &res)
	return res.unmappedPools, res.err
}

// ReleasePages gives the kernel back the memory of every free block of
// 8 KiB or more (all but its first page), cached big blocks included,
// without unmapping anything, and reports how many bytes it advised.
// Anonymous pages read back as zeros, which the heap never relies on.
func ReleasePages() (uint64, error) {
	var res collectResult
	collect(opFlush|opReleasePages, &res)
	return res.releasedBytes, res.err
}
