package heap

import (
	"math/bits"
	"sync/atomic"
	"unsafe"

	"github.com/raygo/ray/internal/offheap"
)

// Runs serve the small orders, MinOrder to runMaxOrder (64 B to 1 KiB
// blocks): a run is a 64 KiB buddy block carved into blocks of one order,
// with a bitmap of which are in use at its start. The package comment
// ("Runs") gives the design; this file is its code.

const (
	runOrder     = 16 // a run is a buddy block of 64 KiB
	runSize      = 1 << runOrder
	runMaxOrder  = 10 // the largest order runs serve
	numRunOrders = runMaxOrder - MinOrder + 1
	runWords     = runSize >> MinOrder >> 6 // bitmap words: one bit per 64-byte slot
	runsPerPool  = poolSize / runSize       // bits in a pool's run map
)

// A run's state, which says where its owner keeps it.
const (
	runCurrent = 1 + iota // the heap's run of its order that allocations take from
	runPartial            // on the heap's partial list of its order: some blocks free
	runFull               // on no list: every block in use
)

// runHeader is the start of a run. Bytes 0..31 are the run's own block
// header (Order runOrder, Mmod mmodRun, RC 1), so that the buddy heap sees
// a live block and never merges across it. The owner's fields and the
// live bitmap come next; the fields other Ps write (queued, inboxNext,
// remote) sit on cache lines of their own.
type runHeader struct {
	Header
	// The first line is read by every free and written rarely.
	order      uint8   // of its blocks
	state      uint8   // runCurrent, runPartial, runFull
	nwords     uint8   // live words in use: runWordsOf(order)
	first      uint8   // first slot past the header: runFirst(order)
	heapID     uint32  // the owner: its pool's heap, here so that a free reads no pool header
	next, prev uintptr // the partial list of its order
	_          [8]byte
	// The owner's counters, written by every allocation, on a line other
	// Ps do not read.
	used   uint32 // blocks in use: handed out and not yet freed or taken back
	cursor uint32 // live[:cursor] has no free slot
	_      [56]byte
	// live bit i is set while slot i is in use; the slots the header
	// covers are always set. Only the owner writes it; a free on another P
	// reads it to catch double frees.
	live [runWords]uint64

	queued    uint32 // atomic: 1 while the run is on its owner's run inbox
	_         uint32
	inboxNext uintptr // the next run on that inbox
	_         [48]byte
	// remote bit i is set when slot i was freed on another P and not yet
	// taken back by the owner: atomic.
	remote [runWords]uint64
}

const runHeaderSize = unsafe.Sizeof(runHeader{})

var (
	_ [unsafe.Offsetof(runHeader{}.live) - 128]byte // live starts the third line
	_ [128 - unsafe.Offsetof(runHeader{}.live)]byte
	_ [unsafe.Offsetof(runHeader{}.queued) % 64]byte // and the remote fields a line of their own
	_ [0 - unsafe.Offsetof(runHeader{}.queued)%64]byte
)

func runHdr(r uintptr) *runHeader { return (*runHeader)(offheap.Ptr(r)) }

// runSlots returns how many slots a run of order-k blocks has, header
// slots included, and runFirst the first slot past the header.
func runSlots(k uint8) uintptr { return runSize >> k }
func runFirst(k uint8) uintptr { return (runHeaderSize + 1<<k - 1) >> k }

// runCapacity is how many blocks a run of order k hands out.
func runCapacity(k uint8) uint32 { return uint32(runSlots(k) - runFirst(k)) }

// runWordsOf is how many live words a run of order k uses.
func runWordsOf(k uint8) uintptr { return (runSlots(k) + 63) >> 6 }

// take hands out the lowest free block of the run at r, or returns 0 when
// it has none. The caller owns the run and writes the block's header.
func (rh *runHeader) take(r uintptr) uintptr {
	// The word at the cursor almost always has a free slot: inline.
	if w := uintptr(rh.cursor); w < uintptr(rh.nwords) {
		if free := ^rh.live[w&(runWords-1)]; free != 0 {
			i := uintptr(bits.TrailingZeros64(free))
			storeLive(&rh.live[w&(runWords-1)], ^free|1<<i)
			rh.used++
			return r + (w<<6+i)<<rh.order
		}
	}
	return rh.takeNext(r)
}

// takeNext is take past the cursor's word.
func (rh *runHeader) takeNext(r uintptr) uintptr {
	n := uintptr(rh.nwords)
	for w := uintptr(rh.cursor) + 1; w < n; w++ {
		if free := ^rh.live[w&(runWords-1)]; free != 0 {
			i := uintptr(bits.TrailingZeros64(free))
			storeLive(&rh.live[w&(runWords-1)], ^free|1<<i)
			rh.cursor = uint32(w)
			rh.used++
			return r + (w<<6+i)<<rh.order
		}
	}
	rh.cursor = uint32(n)
	return 0
}

// storeLive stores a word of a run's live bitmap. Only the run's owner
// stores, reading the word plainly; frees on other Ps load it atomically
// to catch double frees, reading only the bit of their own block, which
// the owner cannot change under them. A 64-bit store is single-copy atomic
// on every platform raygo runs on, so the owner's store is plain: an
// atomic one (an XCHG on amd64) would cost every allocation and free a few
// nanoseconds. When the race detector watches the heap, the store is
// atomic, so that the detector checks everything else.
func storeLive(p *uint64, v uint64) {
	if raceVisible {
		atomic.StoreUint64(p, v)
	} else {
		*p = v
	}
}

// runOf returns the run holding b when b lies in one: the run map of b's
// pool says so, without reading b. w is b's chunk table word.
func runOf(b, w uintptr) (r uintptr, ok bool) {
	base := w &^ (1<<chunkShift - 1)
	// A block at a 64 KiB boundary is a buddy block (a run's first slots
	// are its header): no need to read the run map.
	if w == 0 || uint8(w&63) != PoolOrder || b < base || b&(runSize-1) == 0 {
		return 0, false
	}
	i := (b - base) >> runOrder
	if atomic.LoadUint64(&poolHdr(base).runMap[i>>6&(runsPerPool/64-1)])&(1<<(i&63)) == 0 {
		return 0, false
	}
	return b &^ (runSize - 1), true
}

// runSlot returns the slot of b in the run at r and reports whether b is
// the start of a block past the header.
func runSlot(rh *runHeader, r, b uintptr) (slot uintptr, ok bool) {
	k := rh.order & 63
	off := b - r
	slot = off >> k
	return slot, off&(1<<k-1) == 0 && slot >= uintptr(rh.first) && rh.first != 0
}

// runLive reports whether b is a block in use in the run at r: handed out
// and freed neither here nor on another P.
func runLive(r, b uintptr) bool {
	rh := runHdr(r)
	slot, ok := runSlot(rh, r, b)
	if !ok {
		return false
	}
	w, bit := slot>>6, uint64(1)<<(slot&63)
	return atomic.LoadUint64(&rh.live[w])&bit != 0 && atomic.LoadUint64(&rh.remote[w])&bit == 0
}

// allocSmallOwned returns a block of order k <= runMaxOrder from the
// heap's current run of that order, else from another run: one freed on
// other Ps (the run inbox), one with free blocks (the partial list), or a
// new run cut from the buddy heap. It returns 0 when the heap has no
// memory left for a new run.
func (h *heapState) allocSmallOwned(k uint8) uintptr {
	if debugEnabled {
		h.debugOwned()
	}
	i := k - MinOrder
	if r := h.runs[i].cur; r != 0 {
		if b := runHdr(r).take(r); b != 0 {
			return b
		}
		runHdr(r).state = runFull
		h.runs[i].cur = 0
	}
	if atomic.LoadUintptr(&h.runInbox) != 0 {
		h.drainRunsOwned()
	}
	for {
		r := h.runs[i].partial
		if r != 0 {
			h.unlinkRunOwned(r, k)
		} else if r = h.newRunOwned(k); r == 0 {
			return 0
		}
		rh := runHdr(r)
		if b := rh.take(r); b != 0 {
			rh.state = runCurrent
			h.runs[i].cur = r
			return b
		}
		rh.state = runFull // not reached: a partial run has a free block
	}
}

// newRunOwned cuts a run of order-k blocks from the buddy heap, or returns
// 0 when the heap has no free 64 KiB.
func (h *heapState) newRunOwned(k uint8) uintptr {
	if debugEnabled {
		h.debugOwned()
	}
	r := h.allocBuddyOwned(runOrder)
	if r == 0 {
		return 0
	}
	rh := runHdr(r)
	*rh = runHeader{Header: Header{blockOrder: runOrder, mmod: mmodRun, RC: RefCount{1}},
		order: k, nwords: uint8(runWordsOf(k)), first: uint8(runFirst(k)), heapID: h.id}
	// The header's slots, and the bits past the last slot of a run with
	// fewer than 64 slots, stay set: take never sees them free.
	rh.live[0] = 1<<runFirst(k) - 1
	if slots := runSlots(k); slots < 64 {
		rh.live[0] |= ^uint64(0) << slots
	}
	base, _, _ := poolOf(r)
	i := (r - base) >> runOrder
	atomic.OrUint64(&poolHdr(base).runMap[i>>6], 1<<(i&63))
	h.c.runs++
	return r
}

// releaseRunOwned gives the empty run at r, on no list, back to the buddy
// heap.
func (h *heapState) releaseRunOwned(r uintptr) {
	if debugEnabled {
		h.debugOwned()
	}
	base, porder, _ := poolOf(r)
	i := (r - base) >> runOrder
	atomic.AndUint64(&poolHdr(base).runMap[i>>6], ^uint64(1<<(i&63)))
	h.c.runs--
	h.coalesceOwned(r, runOrder, base, porder)
}

// freeRunSlotOwned frees slot (word w, bit) of the run at r, which the
// heap owns, and moves the run to where its new state belongs.
func (h *heapState) freeRunSlotOwned(r uintptr, rh *runHeader, w uintptr, bit uint64) {
	if debugEnabled {
		h.debugOwned()
	}
	storeLive(&rh.live[w&(runWords-1)], rh.live[w&(runWords-1)]&^bit)
	rh.used--
	rh.cursor = min(rh.cursor, uint32(w))
	h.settleRunOwned(r, rh)
}

// settleRunOwned puts a run that just lost blocks where it belongs: a full
// run on the partial list, an empty partial run back to the buddy heap (a
// current run stays, empty or not). A run on a run inbox stays too, even
// empty: a free on another P queued it and then set the bit that emptied
// it, and the owner releases it when it takes it off the inbox.
func (h *heapState) settleRunOwned(r uintptr, rh *runHeader) {
	if debugEnabled {
		h.debugOwned()
	}
	if rh.state == runFull && rh.used < runCapacity(rh.order) {
		h.linkRunOwned(r, rh.order)
	}
	if rh.state == runPartial && rh.used == 0 && atomic.LoadUint32(&rh.queued) == 0 {
		h.unlinkRunOwned(r, rh.order)
		h.releaseRunOwned(r)
	}
}

// linkRunOwned puts the run at r on the partial list of order k.
func (h *heapState) linkRunOwned(r uintptr, k uint8) {
	if debugEnabled {
		h.debugOwned()
	}
	rh := runHdr(r)
	l := &h.runs[k-MinOrder]
	rh.state = runPartial
	rh.prev = 0
	rh.next = l.partial
	if l.partial != 0 {
		runHdr(l.partial).prev = r
	}
	l.partial = r
}

// unlinkRunOwned takes the run at r off the partial list of order k.
func (h *heapState) unlinkRunOwned(r uintptr, k uint8) {
	if debugEnabled {
		h.debugOwned()
	}
	rh := runHdr(r)
	if rh.prev == 0 {
		h.runs[k-MinOrder].partial = rh.next
	} else {
		runHdr(rh.prev).next = rh.next
	}
	if rh.next != 0 {
		runHdr(rh.next).prev = rh.prev
	}
	rh.next, rh.prev = 0, 0
	rh.state = runFull
}

// freeRemote frees slot (word w, bit) of the run at r on a P that does not
// own it: the run goes on its owner's run inbox unless it is there
// already, then the slot's remote bit is set. The order matters: until the
// bit is set the block counts as in use, so the run cannot go back to the
// buddy heap while this P still writes to it; and the owner keeps an empty
// run that is queued (settleRunOwned), since a P may have queued it and
// not yet set its bit. A bit set after the owner emptied its inbox waits
// for the run's next remote free or the next collection. The caller is
// pinned, so no collection runs meanwhile. It reports false when the bit
// was set already: a double free.
func freeRemote(owner *heapState, r uintptr, rh *runHeader, w uintptr, bit uint64) bool {
	if atomic.LoadUint32(&rh.queued) == 0 && atomic.CompareAndSwapUint32(&rh.queued, 0, 1) {
		pushRunInbox(owner, r)
	}
	return atomic.OrUint64(&rh.remote[w&(runWords-1)], bit)&bit == 0
}

// pushRunInbox puts the run at r, queued, on heap o's run inbox, a
// lock-free stack. Any P may call it.
func pushRunInbox(o *heapState, r uintptr) {
	rh := runHdr(r)
	for {
		old := atomic.LoadUintptr(&o.runInbox)
		rh.inboxNext = old
		if atomic.CompareAndSwapUintptr(&o.runInbox, old, r) {
			return
		}
	}
}

// drainRunsOwned takes back the blocks other Ps freed in this heap's runs:
// it empties the run inbox and clears, in each run on it, the live bits of
// its remote bits. A run whose pool has moved to another heap since (a
// merge) is passed on to that heap's inbox.
func (h *heapState) drainRunsOwned() {
	if debugEnabled {
		h.debugOwned()
	}
	r := atomic.SwapUintptr(&h.runInbox, 0)
	for r != 0 {
		rh := runHdr(r)
		next := rh.inboxNext
		if owner := rh.heapID; owner != h.id {
			pushRunInbox(stateOf(owner), r)
		} else {
			atomic.StoreUint32(&rh.queued, 0) // before the bits: a later free queues it again
			h.harvestOwned(r, rh)
		}
		r = next
	}
}

// harvestOwned takes back the run's remotely freed blocks.
func (h *heapState) harvestOwned(r uintptr, rh *runHeader) {
	if debugEnabled {
		h.debugOwned()
	}
	var n uint32
	for w := range runWordsOf(rh.order) {
		if atomic.LoadUint64(&rh.remote[w]) == 0 {
			continue
		}
		freed := atomic.SwapUint64(&rh.remote[w], 0)
		storeLive(&rh.live[w], rh.live[w]&^freed)
		n += uint32(bits.OnesCount64(freed))
		rh.cursor = min(rh.cursor, uint32(w))
	}
	rh.used -= n
	h.c.drained += uint64(n)
	h.settleRunOwned(r, rh)
}

// sweepRunsOwned, in a collection, takes back every remotely freed block
// of the heap's runs (those that missed the inbox too) and gives every
// empty run, current ones included, back to the buddy heap.
func (h *heapState) sweepRunsOwned() {
	if debugEnabled {
		h.debugOwned()
	}
	h.drainRunsOwned()
	for i := range h.runs {
		if r := h.runs[i].cur; r != 0 {
			h.runs[i].cur = 0
			if rh := runHdr(r); rh.used < runCapacity(rh.order) {
				h.linkRunOwned(r, rh.order)
			} else {
				rh.state = runFull
			}
		}
	}
	h.eachRunOwned(func(r uintptr) {
		rh := runHdr(r)
		if atomic.LoadUint32(&rh.queued) == 0 {
			h.harvestOwned(r, rh)
		}
	})
	for i := range h.runs {
		k := uint8(MinOrder + i)
		for r := h.runs[i].partial; r != 0; {
			next := runHdr(r).next
			if runHdr(r).used == 0 {
				h.unlinkRunOwned(r, k)
				h.releaseRunOwned(r)
			}
			r = next
		}
	}
}

// eachRunOwned calls f with every run of the heap's pools. f may release
// the run it is given.
func (h *heapState) eachRunOwned(f func(r uintptr)) {
	if debugEnabled {
		h.debugOwned()
	}
	for base := h.poolHead; base != 0; base = poolHdr(base).next {
		eachRunOf(base, f)
	}
}

// eachRunOf calls f with every run of the pool at base.
func eachRunOf(base uintptr, f func(r uintptr)) {
	if poolHdr(base).order != PoolOrder {
		return
	}
	for j := range runsPerPool / 64 {
		for m := poolHdr(base).runMap[j]; m != 0; m &= m - 1 {
			f(base + uintptr(j*64+bits.TrailingZeros64(m))<<runOrder)
		}
	}
}

// mergeRunsOwned moves src's current and partial runs onto h's partial
// lists; their pools have just moved to h. Full runs are on no list.
func (h *heapState) mergeRunsOwned(src *heapState) {
	if debugEnabled {
		h.debugOwned()
	}
	for i := range src.runs {
		k := uint8(MinOrder + i)
		if r := src.runs[i].cur; r != 0 {
			src.runs[i].cur = 0
			if runHdr(r).used < runCapacity(k) {
				h.linkRunOwned(r, k)
			} else {
				runHdr(r).state = runFull
			}
		}
		for r := src.runs[i].partial; r != 0; r = src.runs[i].partial {
			src.unlinkRunOwned(r, k)
			h.linkRunOwned(r, k)
		}
	}
	h.c.runs += src.c.runs
	src.c.runs = 0
}
