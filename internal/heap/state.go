package heap

import (
	"math/bits"
	"sync/atomic"
	"unsafe"

	"github.com/raygo/ray/internal/offheap"
)

// heapState is one heap: its free lists, slab caches, inbox, pools and
// counters. It lives in the state table (tables.go), off the Go heap, like
// the blocks it manages: it holds addresses of off-heap memory and nothing
// the collector must see.
//
// Ownership. Every field above inbox belongs to whoever owns the heap: the
// goroutine pinned to the P whose slot holds the heap, or a collection that
// has detached the heap from its slot (collect.go). Exactly one of them
// exists at any time, so none of these fields needs a lock or an atomic
// instruction. Functions that require ownership end in Owned. The inbox is
// the one field other Ps touch, with atomic instructions, and it sits on its
// own cache line so that their pushes do not slow the owner down.
//
// The counters are read, without synchronisation, by ReadStats: each is an
// aligned word written by a single owner, so a reader sees some recent value
// of each, and all of them exactly once the heap is quiescent.
type heapState struct {
	id     uint32
	_      uint32
	avail  uint64 // bit k set iff free[k] is non-empty
	credit int64  // budget bytes reserved by this heap and not yet in use (budget.go)
	// free[k] is the first block of the free list of order k. The lists are
	// doubly linked through Aux (prev, next) and end in 0.
	free     [numOrders]uintptr
	slabs    [numSlabs]slabStack
	runs     [numRunOrders]runList
	poolHead uintptr // first pool of this heap (a list through the pool headers)
	c        counters

	_        [64]byte
	inbox    uintptr // blocks freed on other Ps, linked through Aux[1]; atomic
	runInbox uintptr // runs with blocks freed on other Ps, linked through inboxNext; atomic
	_        [48]byte
}

// runList is a heap's runs of one order (run.go): the one allocations
// take from, and the others with free blocks. Full runs are on no list.
type runList struct {
	cur     uintptr
	partial uintptr // through the runs' next and prev
}

// slabStack caches freed blocks of one order.
type slabStack struct {
	n      uintptr
	limit  uintptr // slabLimit of its order
	blocks [slabDepth]uintptr
}

// initOwned makes h an empty heap with the given id.
func (h *heapState) initOwned(id uint32) {
	*h = heapState{id: id}
	for i := range h.slabs {
		h.slabs[i].limit = slabLimit(slabMin + i)
	}
}

// counters are one heap's statistics (see Stats for their meaning).
type counters struct {
	allocs      uint64
	frees       uint64
	allocBytes  uint64
	freeBytes   uint64
	slabHits    uint64
	remoteFrees uint64 // blocks this heap pushed into another heap's inbox
	drained     uint64 // blocks this heap took out of its own inbox
	pools       uint64
	poolBytes   uint64
	swapPools   uint64
	swapBytes   uint64
	// permanent counts the blocks of AllocPermanent, which are allocated
	// (in allocs) and never freed.
	permanent      uint64
	permanentBytes uint64
	runs           uint64 // runs cut from this heap's pools
}

// poolHeader is the first 128-byte block of every pool. Its bytes 16..31
// are an ordinary block header (order poolHeaderOrder, rc 1) so that buddy
// merging stops at it; bytes 0..15 and 32..127 carry the pool's own
// fields. Byte offsets 0 and 2 are the C runtime's heap id and pool order.
type poolHeader struct {
	heapID uint16
	order  uint8
	flags  uint8
	magic  uint32
	_      uint64
	_      [HeaderSize - 16]byte // the block header proper
	next   uintptr               // next pool of the same heap
	prev   uintptr
	_      [2]uint64
	// runMap bit i is set while the 64 KiB at base + i<<runOrder is a run
	// (run.go). Only the owner writes it; any P reads it to route a free,
	// so both use atomics (a free reads the bit of its own run, which
	// cannot change under it, while the owner changes others).
	runMap [runsPerPool / 64]uint64
}

const (
	poolMagic = 0x6c6f6f70 // "pool"
	poolSwap  = 1          // flags: the pool is a mapping of a swap file
)

var _ [1<<poolHeaderOrder - unsafe.Sizeof(poolHeader{})]byte

func poolHdr(base uintptr) *poolHeader { return (*poolHeader)(offheap.Ptr(base)) }

// pushOwned puts the free block b of order k at the head of its free list.
func (h *heapState) pushOwned(b uintptr, k uint8) {
	if debugEnabled {
		h.debugOwned()
	}
	x := hdr(b)
	x.mmod = mmodFree
	x.blockOrder = k
	x.RC.n = 0
	head := h.free[k]
	x.Aux[0] = 0
	x.Aux[1] = uint64(head)
	if head != 0 {
		hdr(head).Aux[0] = uint64(b)
	}
	h.free[k] = b
	h.avail |= 1 << k
}

// unlinkOwned takes the free block b of order k off its free list.
func (h *heapState) unlinkOwned(b uintptr, k uint8) {
	if debugEnabled {
		h.debugOwned()
	}
	x := hdr(b)
	prev, next := uintptr(x.Aux[0]), uintptr(x.Aux[1])
	if prev == 0 {
		h.free[k] = next
	} else {
		hdr(prev).Aux[1] = uint64(next)
	}
	if next != 0 {
		hdr(next).Aux[0] = uint64(prev)
	}
	if h.free[k] == 0 {
		h.avail &^= 1 << k
	}
}

// allocOwned returns a block of order k, or 0 when the heap has none. The
// block's header is not yet initialised.
func (h *heapState) allocOwned(k uint8) uintptr {
	if debugEnabled {
		h.debugOwned()
	}
	if k <= runMaxOrder {
		return h.allocSmallOwned(k)
	}
	return h.allocBuddyOwned(k)
}

// allocBuddyOwned returns a block of order k > runMaxOrder from the slab
// cache or the free lists, splitting a larger block if need be, or 0 when
// the heap has none.
func (h *heapState) allocBuddyOwned(k uint8) uintptr {
	if debugEnabled {
		h.debugOwned()
	}
	if k <= slabMax {
		s := &h.slabs[k-slabMin]
		if s.n > 0 {
			s.n--
			h.c.slabHits++
			return s.blocks[s.n]
		}
	}
	m := h.avail &^ (1<<k - 1)
	if m == 0 {
		return 0
	}
	o := uint8(bits.TrailingZeros64(m))
	b := h.free[o]
	h.unlinkOwned(b, o)
	for o > k { // split: keep the lower half, free the upper
		o--
		h.pushOwned(b+1<<o, o)
	}
	return b
}

// freeOwned returns block b of order k, in the pool at base of order
// porder, to this heap, which owns that pool.
func (h *heapState) freeOwned(b uintptr, k uint8, base uintptr, porder uint8) {
	if debugEnabled {
		h.debugOwned()
	}
	if k >= slabMin && k <= slabMax {
		s := &h.slabs[k-slabMin]
		if s.n < s.limit {
			x := hdr(b)
			x.mmod = mmodCached
			x.RC.n = 0
			s.blocks[s.n] = b
			s.n++
			return
		}
	}
	h.coalesceOwned(b, k, base, porder)
}

// coalesceOwned merges block b of order k with its free buddies, order by
// order, and puts the result on its free list. A buddy is free exactly when
// its header carries mmodFree and the same order: only the owner writes
// those, so a buddy that is live, cached, waiting in an inbox, or split
// into smaller blocks never matches. The pool header, a live block of order
// MinOrder at the pool's base, stops merging one order below the pool.
func (h *heapState) coalesceOwned(b uintptr, k uint8, base uintptr, porder uint8) {
	if debugEnabled {
		h.debugOwned()
	}
	for k < porder-1 {
		buddy := base + ((b - base) ^ (1 << k))
		if !freeBuddy(buddy, k) {
			break
		}
		h.unlinkOwned(buddy, k)
		b = min(b, buddy)
		k++
	}
	h.pushOwned(b, k)
}

// freeBuddy reports whether the block at buddy is a free block of order k
// on the owner's free lists, for coalesceOwned. The owner calls it, and
// the header it reads may be another P's to write at that moment: a live
// block being freed into the owner's inbox (pushInbox marks it mmodInbox),
// or split into a block whose user writes its type. Either way it is not
// mmodFree with order k, and only the owner writes that, so the answer is
// right whatever the read sees. The race detector is told to ignore the
// read (go:norace): it is the one benign race the heap's design has.
//
//go:norace
func freeBuddy(buddy uintptr, k uint8) bool {
	bh := hdr(buddy)
	return bh.mmod == mmodFree && bh.blockOrder == k
}

// pushInbox hands block b to heap o, whose pool holds it. Any P may call it.
func pushInbox(o *heapState, b uintptr) {
	x := hdr(b)
	x.mmod = mmodInbox
	for {
		old := atomic.LoadUintptr(&o.inbox)
		x.Aux[1] = uint64(old)
		if atomic.CompareAndSwapUintptr(&o.inbox, old, b) {
			return
		}
	}
}

// drainInboxOwned takes back the blocks other Ps freed into this heap. A
// block whose pool has since moved to another heap (a merge while it was
// in flight) is passed on to that heap's inbox.
func (h *heapState) drainInboxOwned() {
	if debugEnabled {
		h.debugOwned()
	}
	b := atomic.SwapUintptr(&h.inbox, 0)
	for b != 0 {
		x := hdr(b)
		next := uintptr(x.Aux[1])
		h.c.drained++
		base, porder, _ := poolOf(b)
		if owner := uint32(poolHdr(base).heapID); owner == h.id {
			h.freeOwned(b, x.blockOrder, base, porder)
		} else {
			h.c.remoteFrees++
			pushInbox(stateOf(owner), b)
		}
		b = next
	}
}

// flushSlabsOwned returns every slab-cached block to the free lists.
func (h *heapState) flushSlabsOwned() {
	if debugEnabled {
		h.debugOwned()
	}
	for i := range h.slabs {
		s := &h.slabs[i]
		for s.n > 0 {
			s.n--
			b := s.blocks[s.n]
			base, porder, _ := poolOf(b)
			h.coalesceOwned(b, uint8(slabMin+i), base, porder)
		}
	}
}

// addPoolOwned makes the freshly mapped pool mp part of this heap: it writes
// the pool header and splits the rest of the pool into one free block of
// each order from poolHeaderOrder to the pool's order less one.
func (h *heapState) addPoolOwned(mp mappedPool) {
	if debugEnabled {
		h.debugOwned()
	}
	base := mp.base
	*poolHdr(base) = poolHeader{}
	*hdr(base) = Header{blockOrder: poolHeaderOrder, RC: RefCount{1}}
	ph := poolHdr(base)
	ph.heapID = uint16(h.id)
	ph.order = mp.order
	ph.flags = 0
	if mp.swap {
		ph.flags = poolSwap
	}
	ph.magic = poolMagic
	h.linkPoolOwned(base)
	for o := mp.order - 1; o >= poolHeaderOrder; o-- {
		h.pushOwned(base+1<<o, o)
	}
	size := uint64(1) << mp.order
	h.c.pools++
	h.c.poolBytes += size
	if mp.swap {
		h.c.swapPools++
		h.c.swapBytes += size
	}
}

func (h *heapState) linkPoolOwned(base uintptr) {
	if debugEnabled {
		h.debugOwned()
	}
	ph := poolHdr(base)
	ph.prev = 0
	ph.next = h.poolHead
	if h.poolHead != 0 {
		poolHdr(h.poolHead).prev = base
	}
	h.poolHead = base
}

func (h *heapState) unlinkPoolOwned(base uintptr) {
	if debugEnabled {
		h.debugOwned()
	}
	ph := poolHdr(base)
	if ph.prev == 0 {
		h.poolHead = ph.next
	} else {
		poolHdr(ph.prev).next = ph.next
	}
	if ph.next != 0 {
		poolHdr(ph.next).prev = ph.prev
	}
	ph.next, ph.prev = 0, 0
}
