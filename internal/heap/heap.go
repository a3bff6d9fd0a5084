package heap

import (
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/fault"
	"github.com/raygo/ray/internal/memops"
	"github.com/raygo/ray/internal/offheap"
)

// slots[p] is the id of the heap that P p allocates from, 0 when it has
// none. Only a pinned goroutine reads its own slot; ensureHeap fills a slot
// and collect empties and refills them, both under ctl.
var slots [maxHeaps]atomic.Uint32

// slotOf returns the id in P pid's slot, read by a goroutine pinned to
// pid. While it stays pinned the slot holds that id or, during a
// collection that waits for it to unpin, 0; under raydebug the read is
// recorded, so that debugOwned knows which heap the goroutine took even
// when the slot was empty at the moment it pinned.
func slotOf(pid int) uint32 {
	id := slots[pid].Load()
	if debugEnabled && id != 0 {
		debugSlot(pid, id)
	}
	return id
}

// ctl serialises everything that changes which heap belongs where: filling
// a slot, collections (GC, ReleasePages, Verify, merging retired heaps).
var ctl struct {
	sync.Mutex
	nextID   atomic.Uint32 // ids below nextID have been handed out
	highSlot atomic.Int32  // slots at or above highSlot are empty
	spare    []uint32      // heaps that own no slot (merged away after GOMAXPROCS shrank)
}

func init() { ctl.nextID.Store(1) }

// ensureHeap gives P pid a heap: a spare one if there is one, else a new
// one. It blocks while a collection runs, so goroutines that find their slot
// emptied by a collection wait for it instead of creating heaps.
func ensureHeap(pid int) error {
	if initErr != nil {
		return initErr
	}
	if pid >= maxHeaps {
		return ray.Errorf(ray.ErrLimit, "heap.Alloc", "P %d: the heap serves at most %d Ps (GOMAXPROCS)", pid, maxHeaps-1)
	}
	ctl.Lock()
	defer ctl.Unlock()
	if slots[pid].Load() != 0 {
		return nil
	}
	var id uint32
	if n := len(ctl.spare); n > 0 {
		id = ctl.spare[n-1]
		ctl.spare = ctl.spare[:n-1]
	} else {
		id = ctl.nextID.Load()
		if id >= maxHeaps {
			return ray.Errorf(ray.ErrLimit, "heap.Alloc", "all %d heap ids are in use", maxHeaps-1)
		}
		stateOf(id).initOwned(id)
		ctl.nextID.Store(id + 1)
	}
	slots[pid].Store(id)
	if int32(pid) >= ctl.highSlot.Load() {
		ctl.highSlot.Store(int32(pid) + 1)
	}
	return nil
}

// pinOwnHeap pins the caller and returns its P's heap, giving the P one
// first if it has none. On error the caller is not pinned.
func pinOwnHeap() (*heapState, error) {
	h, pid := pinnedHeap()
	if h != nil {
		return h, nil
	}
	unpin()
	return pinNewHeap(pid)
}

// pinNewHeap is the slow path of pinOwnHeap: P pid has no heap, and the
// caller is not pinned.
func pinNewHeap(pid int) (*heapState, error) {
	for {
		if err := ensureHeap(pid); err != nil {
			return nil, err
		}
		h, p := pinnedHeap()
		if h != nil {
			return h, nil
		}
		unpin()
		pid = p
	}
}

// pinnedHeap pins the caller and returns its heap, or nil (and the P id)
// when its P has none; the caller unpins in both cases.
func pinnedHeap() (*heapState, int) {
	pid := pin()
	if uint(pid) < maxHeaps {
		if id := slotOf(pid); id != 0 {
			return stateOf(id), pid
		}
	}
	return nil, pid
}

// Alloc returns a block with room for size bytes of data after its 32-byte
// header. The header is zero except Order (the block's order) and RC (1);
// the data bytes are not initialised. The caller owns the block and must
// hand it to Free exactly once.
//
// Alloc fails with ErrLimit when size exceeds MaxSize or the block would
// take the live bytes past the budget, and with ErrOOM when the system
// refuses memory and no swap file can stand in for it.
func Alloc(size uintptr) (unsafe.Pointer, error) {
	if size > MaxSize {
		return nil, ray.Errorf(ray.ErrLimit, "heap.Alloc", "%d bytes exceed the largest block (%d bytes of data)", size, uint64(MaxSize))
	}
	if fault.Enabled {
		if err := fault.Hit(fault.Alloc); err != nil {
			return nil, ray.Wrap(ray.ErrOOM, "heap.Alloc", err, "a block of %d bytes", size)
		}
	}
	k := orderFor(size)
	// The fast path: the P has a heap, budget credit and a free block of
	// order k, and nothing waits in its inbox. Everything else is alloc's.
	pid := pin()
	if uint(pid) < maxHeaps {
		if id := slotOf(pid); id != 0 {
			h := stateOf(id)
			n := int64(1) << k
			if h.credit >= n && atomic.LoadUintptr(&h.inbox) == 0 {
				// A block from the current run or a slab hit, the common
				// cases, inline; allocOwned for the rest.
				var b uintptr
				if k <= runMaxOrder {
					// take, inline: the current run's word at its
					// cursor almost always has a free slot.
					if r := h.runs[k-MinOrder].cur; r != 0 {
						rh := runHdr(r)
						if w := uintptr(rh.cursor); w < uintptr(rh.nwords) {
							if free := ^rh.live[w&(runWords-1)]; free != 0 {
								i := uintptr(bits.TrailingZeros64(free))
								storeLive(&rh.live[w&(runWords-1)], ^free|1<<i)
								rh.used++
								b = r + (w<<6+i)<<k
							}
						}
					}
				} else if k <= slabMax && h.slabs[k-slabMin].n > 0 {
					s := &h.slabs[k-slabMin]
					s.n--
					b = s.blocks[s.n]
					h.c.slabHits++
				}
				if b == 0 {
					b = h.allocOwned(k)
				}
				if b != 0 {
					h.handOutOwned(b, k)
					unpin()
					return handedOut(b, k), nil
				}
			}
		}
	}
	unpin()
	return alloc(k)
}

// AllocPermanent is Alloc for a block that lives as long as the process:
// the blocks of process-wide tables such as the symbol table. It is counted
// apart from live blocks (Stats.PermanentBlocks), so leak checks do not
// report it. It must never be passed to Free.
func AllocPermanent(size uintptr) (unsafe.Pointer, error) {
	p, err := Alloc(size)
	if err != nil {
		return nil, err
	}
	h, err := pinOwnHeap()
	if err != nil {
		panic("heap: a heap vanished after allocating: " + err.Error())
	}
	h.c.permanent++
	h.c.permanentBytes += 1 << HeaderOf(p).blockOrder
	unpin()
	if debugEnabled {
		debugPermanent(uintptr(p))
	}
	return p, nil
}

// AllocZeroed is Alloc with the first size data bytes set to zero.
func AllocZeroed(size uintptr) (unsafe.Pointer, error) {
	if size <= MaxSize {
		if k := orderFor(size); k >= PoolOrder {
			if fault.Enabled {
				if err := fault.Hit(fault.Alloc); err != nil {
					return nil, ray.Wrap(ray.ErrOOM, "heap.Alloc", err, "a block of %d bytes", size)
				}
			}
			// A big block fresh from the kernel is zero already, and
			// clearing it would only fault in every page.
			p, fresh, err := allocBig(k)
			if err == nil && !fresh {
				memops.ZeroPtr(offheap.Add(p, HeaderSize), size)
			}
			return p, err
		}
	}
	p, err := Alloc(size)
	if err == nil {
		memops.ZeroPtr(offheap.Add(p, HeaderSize), size)
	}
	return p, err
}

// handOutOwned makes b, just taken from h's lists, a live block of order k:
// it spends the budget credit, writes the header (zero but for Order and
// RC 1) and counts the allocation.
func (h *heapState) handOutOwned(b uintptr, k uint8) {
	if debugEnabled {
		h.debugOwned()
	}
	n := uint64(1) << k
	h.credit -= int64(n)
	*hdr(b) = Header{blockOrder: k, RC: RefCount{1}}
	h.c.allocs++
	h.c.allocBytes += n
}

// handedOut is the unpinned end of every allocation.
func handedOut(b uintptr, k uint8) unsafe.Pointer {
	if debugEnabled {
		debugAlloc(b, k)
	}
	return offheap.Ptr(b)
}

// alloc returns an initialised block of order k: the slow path of Alloc,
// which takes back the inbox, reserves budget and maps pools.
func alloc(k uint8) (unsafe.Pointer, error) {
	if k >= PoolOrder {
		p, _, err := allocBig(k)
		return p, err
	}
	size := int64(1) << k
	var pending mappedPool // a pool mapped for this call, not yet given to a heap
	merged := false
	for {
		h, err := pinOwnHeap()
		if err != nil {
			unmapPending(pending)
			return nil, err
		}
		if pending.base != 0 {
			h.addPoolOwned(pending)
			pending = mappedPool{}
		}
		if atomic.LoadUintptr(&h.inbox) != 0 {
			h.drainInboxOwned()
		}
		if h.credit < size && !h.reserveOwned(size) {
			unpin()
			unmapPending(pending)
			return nil, budgetError(size)
		}
		if b := h.allocOwned(k); b != 0 {
			h.handOutOwned(b, k)
			unpin()
			return handedOut(b, k), nil
		}
		unpin()

		// No heap of ours has a block of order k. Heaps left behind by a
		// shrunken GOMAXPROCS may have free memory: merge them once.
		if !merged && retiredHeaps() {
			merged = true
			collect(opFlush|opMergeRetired, nil)
			continue
		}
		mp, err := mapPool(poolOrderFor(k))
		if err != nil {
			return nil, err
		}
		setChunks(mp.base, mp.order, mp.base|uintptr(mp.order))
		pending = mp
	}
}

// budgetError is the error of an allocation of size bytes that the budget
// refuses.
func budgetError(size int64) error {
	limit, reserved := Budget()
	return ray.Errorf(ray.ErrLimit, "heap.Alloc", "a block of %d bytes would pass the budget of %d bytes (%d reserved)", size, limit, reserved)
}

func unmapPending(mp mappedPool) {
	if mp.base != 0 {
		setChunks(mp.base, mp.order, 0)
		_ = unmapPool(mp)
	}
}

// Free returns the block at p to the heap. p must have come from Alloc,
// AllocZeroed or Realloc and not have been freed since; Free panics, naming
// the address, when p is in no pool, is not the start of a block, or is
// already free. Any goroutine may free any block: a block of another P's
// heap goes to that heap's inbox.
func Free(p unsafe.Pointer) {
	b := uintptr(p)
	if debugEnabled {
		debugFree(b) // first, so that its report carries the block's history
	}
	cw := chunkWord(b)
	if r, ok := runOf(b, cw); ok {
		// The fast path of a small block: the P's heap owns its run and
		// it is a block in use. Of the block only the reference count is
		// written, to 0 (its line is in cache: the release that led here
		// read it), so that a stale handle's retain panics.
		rh := runHdr(r)
		k := rh.order & 63
		off := b - r
		slot := off >> k
		w, bit := slot>>6&(runWords-1), uint64(1)<<(slot&63)
		pid := pin()
		if uint(pid) < maxHeaps {
			if id := slotOf(pid); id != 0 && rh.heapID == id &&
				off&(1<<k-1) == 0 && slot >= uintptr(rh.first) && rh.live[w]&bit != 0 && atomic.LoadUint64(&rh.remote[w])&bit == 0 {
				h := stateOf(id)
				size := uint64(1) << k
				hdr(b).RC.n = 0
				storeLive(&rh.live[w], rh.live[w]&^bit)
				rh.used--
				if uint32(w) < rh.cursor {
					rh.cursor = uint32(w)
				}
				if rh.state != runCurrent {
					h.settleRunOwned(r, rh)
				}
				h.c.frees++
				h.c.freeBytes += size
				h.refundOwned(int64(size))
				unpin()
				return
			}
		}
		unpin()
		freeSmall(b, r)
		return
	}
	k, ok := liveBlockIn(b, cw)
	if !ok {
		badFree("Free", b)
	}
	base, porder := cw&^(1<<chunkShift-1), uint8(cw&63)
	x := hdr(b)
	size := uint64(1) << k
	// The fast path: the P has a heap and it owns the block's pool; the
	// block goes to a slab cache or, when that is full, back to the free
	// lists. The header changes only while pinned, so that a collection
	// (Verify) never sees a block half freed.
	pid := pin()
	if uint(pid) < maxHeaps {
		if id := slotOf(pid); id != 0 && uint32(poolHdr(base).heapID) == id {
			h := stateOf(id)
			x.RC.n = 0
			h.c.frees++
			h.c.freeBytes += size
			h.refundOwned(int64(size))
			if k >= slabMin && k <= slabMax && h.slabs[k-slabMin].n < h.slabs[k-slabMin].limit {
				s := &h.slabs[k-slabMin]
				x.mmod = mmodCached
				s.blocks[s.n] = b
				s.n++
			} else {
				h.coalesceOwned(b, k, base, porder)
			}
			unpin()
			return
		}
	}
	unpin()
	free(b, k, size, base, porder)
}

// free is the slow path of Free: remote frees, coalescing, a P without a
// heap.
func free(b uintptr, k uint8, size uint64, base uintptr, porder uint8) {
	h, pid := pinnedHeap() // inline: this is every free on another P
	if h == nil {
		unpin()
		var err error
		if h, err = pinNewHeap(pid); err != nil {
			freeUnattached(b, size, base)
			return
		}
	}
	hdr(b).RC.n = 0
	h.c.frees++
	h.c.freeBytes += size
	h.refundOwned(int64(size))
	if isBig(base) {
		mp := freeBigPinned(b, base, porder)
		unpin()
		unmapPending(mp)
		return
	}
	if owner := uint32(poolHdr(base).heapID); owner == h.id {
		h.freeOwned(b, k, base, porder)
	} else {
		h.c.remoteFrees++
		pushInbox(stateOf(owner), b)
	}
	unpin()
}

// freeSmall is the slow path of a small block's Free: checks that panic, a
// free on a P that does not own the run, a P without a heap. The block
// itself is not read or written: its order, owner and state are the run's.
func freeSmall(b, r uintptr) {
	rh := runHdr(r)
	slot, ok := runSlot(rh, r, b)
	if !ok {
		badFree("Free", b)
	}
	w, bit := slot>>6, uint64(1)<<(slot&63)
	size := uint64(1) << rh.order
	h, pid := pinnedHeap() // inline: this is every free on another P
	if h == nil {
		unpin()
		var err error
		if h, err = pinNewHeap(pid); err != nil {
			freeSmallUnattached(b, r, rh, w, bit, size)
			return
		}
	}
	if atomic.LoadUint64(&rh.live[w&(runWords-1)])&bit == 0 || atomic.LoadUint64(&rh.remote[w&(runWords-1)])&bit != 0 {
		unpin()
		badFree("Free", b)
	}
	h.c.frees++
	h.c.freeBytes += size
	h.refundOwned(int64(size))
	hdr(b).RC.n = 0 // before the remote bit: then the owner may reuse it
	if owner := rh.heapID; owner == h.id {
		h.freeRunSlotOwned(r, rh, w, bit)
	} else {
		h.c.remoteFrees++
		if !freeRemote(stateOf(owner), r, rh, w, bit) {
			unpin()
			badFree("Free", b)
		}
	}
	unpin()
}

// freeSmallUnattached is freeSmall on a P that can have no heap (a P id of
// maxHeaps or more): it counts the free process-wide and frees remotely.
func freeSmallUnattached(b, r uintptr, rh *runHeader, w uintptr, bit, size uint64) {
	if atomic.LoadUint64(&rh.live[w&(runWords-1)])&bit == 0 {
		badFree("Free", b)
	}
	unattached.frees.Add(1)
	unattached.freeBytes.Add(size)
	unattached.remoteFrees.Add(1)
	budget.reserved.Add(-int64(size))
	hdr(b).RC.n = 0
	if !freeRemote(stateOf(rh.heapID), r, rh, w, bit) {
		badFree("Free", b)
	}
}

// unattached counts the frees made by goroutines whose P can have no heap
// (a P id of maxHeaps or more); ReadStats adds them in.
var unattached struct {
	frees, freeBytes, remoteFrees atomic.Uint64
}

func freeUnattached(b uintptr, size uint64, base uintptr) {
	hdr(b).RC.n = 0
	unattached.frees.Add(1)
	unattached.freeBytes.Add(size)
	budget.reserved.Add(-int64(size))
	if isBig(base) {
		_, porder, _ := poolOf(base)
		freeBigUnattached(b, base, porder)
		return
	}
	unattached.remoteFrees.Add(1)
	pushInbox(stateOf(uint32(poolHdr(base).heapID)), b)
}

// checkLive returns the pool and order of the live block at b, and panics
// (through badFree) unless b is one. These checks are always on: they cost a
// few loads and catch the frees that would otherwise corrupt a list.
func checkLive(op string, b uintptr) (base uintptr, porder, k uint8, inRun bool) {
	w := chunkWord(b)
	if r, ok := runOf(b, w); ok {
		if !runLive(r, b) {
			badFree(op, b)
		}
		return w &^ (1<<chunkShift - 1), uint8(w & 63), runHdr(r).order, true
	}
	w, k, ok := liveBlock(b)
	if !ok {
		badFree(op, b)
	}
	return w &^ (1<<chunkShift - 1), uint8(w & 63), k, false
}

// liveBlock reports whether b is a live buddy block, with the chunk table
// word of its pool and its order.
func liveBlock(b uintptr) (w uintptr, k uint8, ok bool) {
	w = chunkWord(b)
	k, ok = liveBlockIn(b, w)
	return w, k, ok
}

// liveBlockIn is liveBlock given b's chunk table word w. It reads b's
// header only once the table says b is inside a pool, and it is small
// enough to inline into Free.
func liveBlockIn(b, w uintptr) (k uint8, ok bool) {
	if base := w &^ (1<<chunkShift - 1); w != 0 && b != base {
		x := hdr(b)
		k = x.blockOrder
		// k in [MinOrder, porder) is one unsigned compare
		ok = x.mmod == MmodHeap && k-MinOrder < uint8(w&63)-MinOrder && (b-base)&(1<<k-1) == 0
	}
	return k, ok
}

// badFree panics with what is wrong with the block at b.
func badFree(op string, b uintptr) {
	base, porder, ok := poolOf(b)
	if !ok {
		panic(fmt.Sprintf("heap: %s of %#x, which is in no pool of the heap", op, b))
	}
	if r, ok := runOf(b, chunkWord(b)); ok {
		rh := runHdr(r)
		if _, ok := runSlot(rh, r, b); !ok {
			panic(fmt.Sprintf("heap: %s of %#x: not a block (inside the run %#x of order-%d blocks)", op, b, r, rh.order))
		}
		panic(fmt.Sprintf("heap: %s of %#x (order %d): double free, the block is free in its run", op, b, rh.order))
	}
	x := hdr(b)
	k := x.blockOrder
	switch x.mmod {
	case mmodFree:
		panic(fmt.Sprintf("heap: %s of %#x (order %d): double free, the block is on a free list", op, b, k))
	case mmodCached:
		panic(fmt.Sprintf("heap: %s of %#x (order %d): double free, the block is in a slab cache", op, b, k))
	case mmodInbox:
		panic(fmt.Sprintf("heap: %s of %#x (order %d): double free, the block waits in an inbox", op, b, k))
	case MmodHeap:
		panic(fmt.Sprintf("heap: %s of %#x: not a block (header order %d, pool %#x of order %d)", op, b, k, base, porder))
	default:
		panic(fmt.Sprintf("heap: %s of %#x: corrupt header, mmod %#x", op, b, x.mmod))
	}
}

// Realloc resizes the block at p to hold size bytes of data and returns
// the block, which may have moved. The header and the first min(size,
// Cap(p)) data bytes are kept; Order is updated. The block grows in place
// when the buddies above it are free and shrinks in place by freeing its
// upper halves, when it belongs to the calling P's heap. On error p is
// unchanged and still owned by the caller. Realloc(nil, size) is Alloc.
func Realloc(p unsafe.Pointer, size uintptr) (unsafe.Pointer, error) {
	if p == nil {
		return Alloc(size)
	}
	if size > MaxSize {
		return nil, ray.Errorf(ray.ErrLimit, "heap.Realloc", "%d bytes exceed the largest block (%d bytes of data)", size, uint64(MaxSize))
	}
	b := uintptr(p)
	base, porder, old, inRun := checkLive("Realloc", b)
	k := orderFor(size)
	if k == old {
		return p, nil
	}
	if !inRun && k > runMaxOrder { // small blocks live in runs: they move
		if resized, err := resizeInPlace(b, old, k, base, porder); resized || err != nil {
			return p, err
		}
	}
	if fault.Enabled {
		if err := fault.Hit(fault.Alloc); err != nil {
			return nil, ray.Wrap(ray.ErrOOM, "heap.Realloc", err, "a block of %d bytes", size)
		}
	}
	np, err := allocForGrowth(k)
	if err != nil {
		return nil, err
	}
	nb := uintptr(np)
	hdr(nb).copyValueFields(hdr(b))
	memops.CopyPtr(offheap.Ptr(nb+HeaderSize), offheap.Ptr(b+HeaderSize), min(size, 1<<old-HeaderSize))
	Free(p)
	return np, nil
}

// allocForGrowth allocates a block of order k for Realloc. A block that has
// grown once will likely grow again (a vector doubling under appends), so
// when the heap has a larger free block it takes the lower half of one:
// its buddies are then free, and the next Realloc grows in place instead of
// copying. (The smallest free block of order k, what alloc takes, is
// usually an upper half, which can never grow in place.)
func allocForGrowth(k uint8) (unsafe.Pointer, error) {
	if k > runMaxOrder && k < MaxOrder {
		h, _ := pinnedHeap()
		if h != nil && atomic.LoadUintptr(&h.inbox) == 0 {
			size := int64(1) << k
			if m := h.avail &^ (1<<(k+1) - 1); m != 0 && (h.credit >= size || h.reserveOwned(size)) {
				o := uint8(bits.TrailingZeros64(m))
				b := h.free[o]
				h.unlinkOwned(b, o)
				for o > k {
					o--
					h.pushOwned(b+1<<o, o)
				}
				h.handOutOwned(b, k)
				unpin()
				return handedOut(b, k), nil
			}
		}
		unpin()
	}
	return alloc(k)
}

// resizeInPlace changes the order of block b from old to k without moving
// it, when the calling P's heap owns b's pool: shrinking frees the upper
// halves; growing absorbs the free buddies above b. It reports whether it
// did; an error means the budget refused the growth.
func resizeInPlace(b uintptr, old, k uint8, base uintptr, porder uint8) (bool, error) {
	h, _ := pinnedHeap()
	if h == nil || uint32(poolHdr(base).heapID) != h.id {
		unpin()
		return false, nil
	}
	if k < old {
		for o := old; o > k; o-- {
			h.coalesceOwned(b+1<<(o-1), o-1, base, porder)
		}
		hdr(b).blockOrder = k
		freed := int64(1)<<old - int64(1)<<k
		h.c.freeBytes += uint64(freed)
		h.refundOwned(freed)
		unpin()
		if debugEnabled {
			debugResize(b, k)
		}
		return true, nil
	}
	if k >= porder {
		unpin()
		return false, nil
	}
	for o := old; o < k; o++ {
		if (b-base)&(1<<o) != 0 { // b is the upper half at this order
			unpin()
			return false, nil
		}
		if !freeBuddy(b+1<<o, o) {
			unpin()
			return false, nil
		}
	}
	grown := int64(1)<<k - int64(1)<<old
	if h.credit < grown && !h.reserveOwned(grown) {
		unpin()
		limit, reserved := Budget()
		return false, ray.Errorf(ray.ErrLimit, "heap.Realloc", "growing a block by %d bytes would pass the budget of %d bytes (%d reserved)", grown, limit, reserved)
	}
	h.credit -= grown
	for o := old; o < k; o++ {
		h.unlinkOwned(b+1<<o, o)
	}
	hdr(b).blockOrder = k
	h.c.allocBytes += uint64(grown)
	unpin()
	if debugEnabled {
		debugResize(b, k)
	}
	return true, nil
}

// retiredHeaps reports whether heaps sit in the slots of Ps that no longer
// exist because GOMAXPROCS shrank.
func retiredHeaps() bool {
	return int(ctl.highSlot.Load()) > gomaxprocs()
}
