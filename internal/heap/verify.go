package heap

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/raygo/ray"
)

// VerifyError lists every broken invariant Verify found. It matches
// ray.ErrCorrupt with errors.Is.
type VerifyError struct {
	Findings []string // one line each, naming the heap, pool, block address and order
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("heap: Verify found %d problems:\n\t%s", len(e.Findings), strings.Join(e.Findings, "\n\t"))
}

// Unwrap makes a VerifyError match ray.ErrCorrupt.
func (e *VerifyError) Unwrap() error { return ray.ErrCorrupt }

// Verify walks every pool of every heap, and the big pools, and checks every
// invariant the allocator relies on, reporting all it finds broken rather
// than the first:
//
//   - each pool header is intact, belongs to the heap whose list holds it,
//     and every chunk of the pool points back at it;
//   - the blocks of each pool tile it exactly, each aligned to its size,
//     each free, cached, waiting in an inbox, or live with a non-zero
//     reference count;
//   - every free list is well linked, holds only free blocks of its order
//     from its own heap's pools, and its avail bit says whether it is empty;
//   - no free block has a free buddy of the same order (coalescing is
//     complete) and every free block is on a list;
//   - slab caches and inboxes hold blocks marked as theirs, once each;
//   - each run is in its pool's run map and the map marks nothing else;
//     its bitmaps and counts agree, its state agrees with the heap's run
//     lists and run inbox, and every block in use in it has references;
//   - each big pool is on exactly one of the big lists, with its block
//     live on the live list and free on the cached one, and the lists
//     agree with their counters;
//   - the live blocks and bytes counted by walking the pools equal the
//     statistics, and so do the blocks waiting in inboxes.
//
// Verify stops the world briefly and holds up allocation on every P while it
// runs. It costs time proportional to the number of blocks: a test tool.
func Verify() error {
	var res collectResult
	collect(opVerify, &res)
	if len(res.findings) > 0 {
		return &VerifyError{Findings: res.findings}
	}
	return nil
}

// verifyOwned checks every invariant of the held heaps and the big pools,
// in three steps: it records where the free lists, slab caches and inboxes
// say free blocks are; it walks every pool block by block, checking each
// block against those records; and it compares what the walk counted with
// the statistics. It returns the findings and the number of pools holding
// a live block.
func verifyOwned(held []heldHeap) (out []string, livePools int) {
	v := newVerifier(held)
	for _, hh := range held {
		v.freeLists(hh)
		v.slabs(hh)
		v.inbox(hh)
		v.runLists(hh)
	}
	for _, hh := range held {
		v.pools(hh)
	}
	bl, bb, bp := verifyBigOwned(v.report, v.maxBlocks)
	v.liveBlocks += bl
	v.liveBytes += bb
	v.livePools += bp
	v.totals()
	return v.out, v.livePools
}

// A verifier is one run of verifyOwned.
type verifier struct {
	out       []string
	maxBlocks uint64 // bounds every list walk: more would be a cycle

	// Where the lists say free blocks are, by address.
	free, cached, inboxed map[uintptr]blockMark
	// Runs on partial lists and run inboxes.
	partial, runInboxed map[uintptr]bool

	// What walking the pools found.
	liveBlocks, liveBytes int64
	livePools             int
	seenFree              int
	runCount              int
	pendingRemote         int // blocks freed in runs on other Ps, not yet taken back
}

type blockMark struct {
	order uint8
	heap  uint32
}

func newVerifier(held []heldHeap) *verifier {
	v := &verifier{
		maxBlocks:  1,
		free:       make(map[uintptr]blockMark),
		cached:     make(map[uintptr]blockMark),
		inboxed:    make(map[uintptr]blockMark),
		partial:    make(map[uintptr]bool),
		runInboxed: make(map[uintptr]bool),
	}
	for _, hh := range held {
		v.maxBlocks += stateOf(hh.id).c.poolBytes >> MinOrder
	}
	bigPools, _, _, _, _, _ := bigStats()
	v.maxBlocks += uint64(bigPools)
	return v
}

// report records a finding; past 1000 the rest would only repeat them.
func (v *verifier) report(format string, args ...any) {
	if len(v.out) < 1000 {
		v.out = append(v.out, fmt.Sprintf(format, args...))
	}
}

// freeLists checks heap hh's free lists (each block free, of its list's
// order, in a pool of this heap, linked both ways, on one list only, and
// the avail mask in step) and records their blocks.
func (v *verifier) freeLists(hh heldHeap) {
	h := stateOf(hh.id)
	if h.id != hh.id {
		v.report("heap %d: state says id %d", hh.id, h.id)
	}
	for k := range uint8(numOrders) {
		if (h.avail&(1<<k) != 0) != (h.free[k] != 0) {
			v.report("heap %d: avail bit %d is %v but free list %d is %s", hh.id, k, h.avail&(1<<k) != 0, k, map[bool]string{true: "non-empty", false: "empty"}[h.free[k] != 0])
		}
		var prev uintptr
		n := uint64(0)
		for b := h.free[k]; b != 0; b = uintptr(hdr(b).Aux[1]) {
			if n++; n > v.maxBlocks {
				v.report("heap %d: free list %d does not end (a cycle?)", hh.id, k)
				break
			}
			base, _, ok := poolOf(b)
			if !ok {
				v.report("heap %d: free list %d: block %#x is in no pool", hh.id, k, b)
				break
			}
			x := hdr(b)
			switch {
			case uint32(poolHdr(base).heapID) != hh.id:
				v.report("heap %d: free list %d: block %#x is in pool %#x of heap %d", hh.id, k, b, base, poolHdr(base).heapID)
			case x.mmod != mmodFree || x.blockOrder != k || x.RC.n != 0:
				v.report("heap %d: free list %d: block %#x has mmod %#x order %d rc %d", hh.id, k, b, x.mmod, x.blockOrder, x.RC.n)
			case uintptr(x.Aux[0]) != prev:
				v.report("heap %d: free list %d: block %#x links back to %#x, not %#x", hh.id, k, b, x.Aux[0], prev)
			}
			if _, dup := v.free[b]; dup {
				v.report("heap %d: block %#x is on a free list twice", hh.id, b)
				break
			}
			v.free[b] = blockMark{k, hh.id}
			prev = b
		}
	}
}

// slabs checks heap hh's slab caches (within their limits, each block
// marked cached and of the slab's order, in one slab only) and records
// their blocks.
func (v *verifier) slabs(hh heldHeap) {
	h := stateOf(hh.id)
	for i := range h.slabs {
		s := &h.slabs[i]
		k := uint8(slabMin + i)
		if s.n > s.limit || s.limit > slabDepth {
			v.report("heap %d: slab %d holds %d blocks, limit %d", hh.id, k, s.n, s.limit)
			continue
		}
		for _, b := range s.blocks[:s.n] {
			if x := hdr(b); x.mmod != mmodCached || x.blockOrder != k {
				v.report("heap %d: slab %d: block %#x has mmod %#x order %d", hh.id, k, b, x.mmod, x.blockOrder)
			}
			if _, dup := v.cached[b]; dup {
				v.report("heap %d: block %#x is in a slab cache twice", hh.id, b)
			}
			v.cached[b] = blockMark{k, hh.id}
		}
	}
}

// runLists checks heap hh's current runs and partial lists (each run once,
// marked as such, of its list's order, in a pool of this heap, linked both
// ways) and its run inbox, and records their runs.
func (v *verifier) runLists(hh heldHeap) {
	h := stateOf(hh.id)
	mine := func(r uintptr) bool {
		base, porder, ok := poolOf(r)
		return ok && porder == PoolOrder && uint32(poolHdr(base).heapID) == hh.id && hdr(r).mmod == mmodRun
	}
	for i := range h.runs {
		k := uint8(MinOrder + i)
		if r := h.runs[i].cur; r != 0 && (!mine(r) || runHdr(r).state != runCurrent || runHdr(r).order != k) {
			v.report("heap %d: current run of order %d at %#x is not a current run of its own", hh.id, k, r)
		}
		var prev uintptr
		n := uint64(0)
		for r := h.runs[i].partial; r != 0; r = runHdr(r).next {
			if n++; n > v.maxBlocks {
				v.report("heap %d: partial list %d does not end", hh.id, k)
				break
			}
			if !mine(r) || runHdr(r).order != k || runHdr(r).prev != prev || v.partial[r] {
				v.report("heap %d: partial list %d: run %#x is not a run of this heap and order, links back wrongly or is listed twice", hh.id, k, r)
				break
			}
			v.partial[r] = true
			prev = r
		}
	}
	n := uint64(0)
	for r := h.runInbox; r != 0; r = runHdr(r).inboxNext {
		if n++; n > v.maxBlocks {
			v.report("heap %d: run inbox does not end", hh.id)
			break
		}
		if hdr(r).mmod != mmodRun || v.runInboxed[r] {
			v.report("heap %d: run inbox: %#x is not a run or is there twice", hh.id, r)
			break
		}
		v.runInboxed[r] = true
	}
}

// inbox checks heap hh's inbox (a list that ends, each block marked as
// waiting in one) and records its blocks.
func (v *verifier) inbox(hh heldHeap) {
	h := stateOf(hh.id)
	n := uint64(0)
	for b := h.inbox; b != 0; b = uintptr(hdr(b).Aux[1]) {
		if n++; n > v.maxBlocks {
			v.report("heap %d: inbox does not end (a cycle?)", hh.id)
			break
		}
		if x := hdr(b); x.mmod != mmodInbox {
			v.report("heap %d: inbox: block %#x has mmod %#x", hh.id, b, x.mmod)
		}
		v.inboxed[b] = blockMark{hdr(b).blockOrder, hh.id}
	}
}

// pools walks heap hh's pool list: each pool's header and chunk table
// entries, then its blocks (tile), and the list against the statistics.
func (v *verifier) pools(hh heldHeap) {
	h := stateOf(hh.id)
	var prev uintptr
	pools := uint64(0)
	var poolBytes uint64
	for base := h.poolHead; base != 0; base = poolHdr(base).next {
		if pools++; pools > v.maxBlocks {
			v.report("heap %d: pool list does not end", hh.id)
			break
		}
		ph := poolHdr(base)
		pw, po, ok := poolOf(base)
		switch {
		case ph.magic != poolMagic:
			v.report("heap %d: pool %#x: header magic %#x", hh.id, base, ph.magic)
			continue
		case uint32(ph.heapID) != hh.id:
			v.report("heap %d: pool %#x: header names heap %d", hh.id, base, ph.heapID)
		case ph.order < PoolOrder || ph.order > MaxPoolOrder:
			v.report("heap %d: pool %#x: order %d", hh.id, base, ph.order)
			continue
		case ph.prev != prev:
			v.report("heap %d: pool %#x links back to %#x, not %#x", hh.id, base, ph.prev, prev)
		}
		prev = base
		if !ok || pw != base || po != ph.order {
			v.report("heap %d: pool %#x: chunk table says pool %#x order %d", hh.id, base, pw, po)
			continue
		}
		for c := base; c < base+1<<ph.order; c += 1 << chunkShift {
			if w := chunkWord(c); w != base|uintptr(ph.order) {
				v.report("heap %d: pool %#x: chunk %#x maps to %#x", hh.id, base, c, w)
			}
		}
		poolBytes += 1 << ph.order
		if x := hdr(base); x.blockOrder != poolHeaderOrder || x.mmod != MmodHeap || x.RC.n != 1 {
			v.report("heap %d: pool %#x: header block has order %d mmod %#x rc %d", hh.id, base, x.blockOrder, x.mmod, x.RC.n)
		}
		liveBefore := v.liveBlocks
		v.tile(hh, base, ph.order)
		if v.liveBlocks > liveBefore {
			v.livePools++
		}
	}
	if pools != h.c.pools || poolBytes != h.c.poolBytes {
		v.report("heap %d: %d pools of %d bytes on its list, statistics say %d of %d", hh.id, pools, poolBytes, h.c.pools, h.c.poolBytes)
	}
}

// tile walks the blocks that tile the pool at base, of order porder: each
// fits, is where its mark says (free blocks on a free list and merged with
// a free buddy, cached ones in a slab, inbox ones in an inbox), and each
// live block has references. It counts the live blocks and bytes.
func (v *verifier) tile(hh heldHeap, base uintptr, porder uint8) {
	end := base + 1<<porder
	b := base + 1<<poolHeaderOrder
	runs := 0
	for b < end {
		x := hdr(b)
		k := x.blockOrder
		if k < MinOrder || k >= porder || (b-base)&(1<<k-1) != 0 || b+1<<k > end {
			v.report("heap %d: pool %#x: block %#x has order %d, which does not fit; the walk stops here", hh.id, base, b, k)
			return
		}
		switch x.mmod {
		case mmodFree:
			m, ok := v.free[b]
			if !ok || m.order != k {
				v.report("heap %d: pool %#x: free block %#x order %d is on no free list", hh.id, base, b, k)
			} else {
				v.seenFree++
			}
			if k < porder-1 {
				buddy := base + ((b - base) ^ (1 << k))
				if y := hdr(buddy); y.mmod == mmodFree && y.blockOrder == k {
					v.report("heap %d: pool %#x: free block %#x and its buddy %#x, both order %d, are not merged", hh.id, base, b, buddy, k)
				}
			}
		case mmodCached:
			if m, ok := v.cached[b]; !ok || m.heap != hh.id {
				v.report("heap %d: pool %#x: block %#x is marked cached but is in no slab of its heap", hh.id, base, b)
			}
		case mmodInbox:
			if _, ok := v.inboxed[b]; !ok {
				v.report("heap %d: pool %#x: block %#x is marked as waiting in an inbox but is in none", hh.id, base, b)
			}
		case MmodHeap:
			if x.RC.Load() == 0 {
				v.report("heap %d: pool %#x: live block %#x order %d has reference count 0", hh.id, base, b, k)
			}
			v.liveBlocks++
			v.liveBytes += 1 << k
		case mmodRun:
			runs++
			v.run(hh, base, b)
		default:
			v.report("heap %d: pool %#x: block %#x order %d has mmod %#x", hh.id, base, b, k, x.mmod)
		}
		b += 1 << k
	}
	marked := 0
	for _, m := range poolHdr(base).runMap {
		marked += bits.OnesCount64(m)
	}
	if marked != runs {
		v.report("heap %d: pool %#x: the run map marks %d runs, the pool holds %d", hh.id, base, marked, runs)
	}
	v.runCount += runs
}

// run checks the run at r in the pool at base: marked in the run map, its
// order and counts, its bitmaps (header slots in use, nothing past the
// last slot, remote bits only on blocks in use), its state against the
// heap's lists, and each block in use has references. It counts the
// blocks in use and the remotely freed ones.
func (v *verifier) run(hh heldHeap, base, r uintptr) {
	rh := runHdr(r)
	h := stateOf(hh.id)
	i := (r - base) >> runOrder
	k := rh.order
	switch {
	case (r-base)&(runSize-1) != 0 || hdr(r).blockOrder != runOrder:
		v.report("heap %d: run %#x: not a 64 KiB block", hh.id, r)
		return
	case poolHdr(base).order != PoolOrder || poolHdr(base).runMap[i>>6]&(1<<(i&63)) == 0:
		v.report("heap %d: run %#x: not in its pool's run map", hh.id, r)
	case rh.heapID != hh.id:
		v.report("heap %d: run %#x names heap %d as its owner", hh.id, r, rh.heapID)
	case k < MinOrder || k > runMaxOrder || uintptr(rh.nwords) != runWordsOf(k) || uintptr(rh.first) != runFirst(k):
		v.report("heap %d: run %#x: blocks of order %d, %d words, first slot %d", hh.id, r, k, rh.nwords, rh.first)
		return
	}
	n := runWordsOf(k)
	slots, first := runSlots(k), runFirst(k)
	var used, pending int
	for w := range uintptr(runWords) {
		live, remote := rh.live[w], rh.remote[w]
		if w >= n {
			if live != 0 || remote != 0 {
				v.report("heap %d: run %#x: bitmap word %d past its %d slots is in use", hh.id, r, w, slots)
			}
			continue
		}
		if remote&^live != 0 {
			v.report("heap %d: run %#x: blocks freed remotely that are not in use (word %d: %#x)", hh.id, r, w, remote&^live)
		}
		for m := live; m != 0; m &= m - 1 {
			s := w<<6 + uintptr(bits.TrailingZeros64(m))
			switch {
			case s < first || s >= slots:
			case remote&(1<<(s&63)) != 0:
				pending++
				used++
			default:
				used++
				b := r + s<<k
				if x := hdr(b); x.blockOrder != k || x.mmod != MmodHeap {
					v.report("heap %d: run %#x: block %#x in use has order %d mmod %#x", hh.id, r, b, x.blockOrder, x.mmod)
				} else if x.RC.Load() == 0 {
					v.report("heap %d: run %#x: live block %#x order %d has reference count 0", hh.id, r, b, k)
				}
				v.liveBlocks++
				v.liveBytes += 1 << k
			}
		}
		if w == 0 && live&(1<<first-1) != 1<<first-1 {
			v.report("heap %d: run %#x: header slots are not marked in use", hh.id, r)
		}
		if past := ^uint64(0) << (slots & 63); w == n-1 && slots < 64 && live&past != past {
			v.report("heap %d: run %#x: bits past its %d slots are not marked in use", hh.id, r, slots)
		}
	}
	v.pendingRemote += pending
	capacity := int(runCapacity(k))
	if int(rh.used) != used {
		v.report("heap %d: run %#x: counts %d blocks in use, its bitmap %d", hh.id, r, rh.used, used)
	}
	switch rh.state {
	case runCurrent:
		if h.runs[k-MinOrder].cur != r {
			v.report("heap %d: run %#x is marked current but the heap's current run of order %d is %#x", hh.id, r, k, h.runs[k-MinOrder].cur)
		}
	case runPartial:
		if !v.partial[r] {
			v.report("heap %d: run %#x is marked partial but is on no partial list", hh.id, r)
		}
		if used == 0 || used == capacity {
			v.report("heap %d: run %#x is on a partial list with %d of %d blocks in use", hh.id, r, used, capacity)
		}
	case runFull:
		if used != capacity {
			v.report("heap %d: run %#x is marked full with %d of %d blocks in use", hh.id, r, used, capacity)
		}
	default:
		v.report("heap %d: run %#x: state %d", hh.id, r, rh.state)
	}
	if (rh.queued != 0) != v.runInboxed[r] {
		v.report("heap %d: run %#x: queued %d but on a run inbox: %v", hh.id, r, rh.queued, v.runInboxed[r])
	}
}

// totals compares what the walk found with the lists and the statistics.
func (v *verifier) totals() {
	if v.seenFree != len(v.free) {
		v.report("free lists hold %d blocks but walking the pools finds %d of them", len(v.free), v.seenFree)
	}
	s := ReadStats()
	if s.LiveBlocks+s.PermanentBlocks != v.liveBlocks || s.LiveBytes+s.PermanentBytes != v.liveBytes {
		v.report("walking the pools finds %d live blocks of %d bytes; statistics say %d of %d (permanent ones included)",
			v.liveBlocks, v.liveBytes, s.LiveBlocks+s.PermanentBlocks, s.LiveBytes+s.PermanentBytes)
	}
	if s.InboxBlocks != int64(len(v.inboxed)+v.pendingRemote) {
		v.report("inboxes hold %d blocks and runs %d freed remotely; statistics say %d", len(v.inboxed), v.pendingRemote, s.InboxBlocks)
	}
	var runs uint64
	for _, hs := range s.Heaps {
		runs += uint64(hs.Runs)
	}
	if uint64(v.runCount) != runs {
		v.report("walking the pools finds %d runs; statistics say %d", v.runCount, runs)
	}
}

// verifyBigOwned checks the big pools (big.go): each on one list, its
// header intact and flagged big, its chunks pointing back at it, its block
// the upper half, live on the live list and free on the cached one; and the
// lists agree with their counters. It returns the live blocks, bytes and
// pools it found.
func verifyBigOwned(report func(string, ...any), maxBlocks uint64) (liveBlocks, liveBytes int64, livePools int) {
	bigLock() // a collection may hold it unpinned (big.go)
	defer bigUnlock()
	pools, cachedPools := 0, 0
	var poolBytes, cachedBytes uint64
	check := func(base uintptr, wantOrder uint8, live bool) bool {
		ph := poolHdr(base)
		pw, po, ok := poolOf(base)
		switch {
		case ph.magic != poolMagic || ph.flags&poolBig == 0 || ph.heapID != 0:
			report("big pool %#x: header magic %#x flags %#x heap %d", base, ph.magic, ph.flags, ph.heapID)
			return false
		case ph.order <= PoolOrder || ph.order > MaxPoolOrder || wantOrder != 0 && ph.order != wantOrder:
			report("big pool %#x: order %d on the list of order %d", base, ph.order, wantOrder)
			return false
		case !ok || pw != base || po != ph.order:
			report("big pool %#x: chunk table says pool %#x order %d", base, pw, po)
			return false
		}
		for c := base; c < base+1<<ph.order; c += 1 << chunkShift {
			if w := chunkWord(c); w != base|uintptr(ph.order) {
				report("big pool %#x: chunk %#x maps to %#x", base, c, w)
			}
		}
		k := ph.order - 1
		x := hdr(base + 1<<k)
		switch {
		case x.blockOrder != k:
			report("big pool %#x: block of order %d, not %d", base, x.blockOrder, k)
		case live && (x.mmod != MmodHeap || x.RC.Load() == 0):
			report("big pool %#x: live block has mmod %#x rc %d", base, x.mmod, x.RC.Load())
		case !live && x.mmod != mmodFree:
			report("big pool %#x: cached block has mmod %#x", base, x.mmod)
		}
		pools++
		poolBytes += 1 << ph.order
		return true
	}
	walk := func(head uintptr, wantOrder uint8, live bool) {
		var prev uintptr
		n := uint64(0)
		for base := head; base != 0; base = poolHdr(base).next {
			if n++; n > maxBlocks {
				report("a big pool list does not end")
				return
			}
			if poolHdr(base).prev != prev {
				report("big pool %#x links back to %#x, not %#x", base, poolHdr(base).prev, prev)
			}
			prev = base
			if !check(base, wantOrder, live) {
				return
			}
			if live {
				liveBlocks++
				liveBytes += 1 << (poolHdr(base).order - 1)
				livePools++
			} else {
				cachedPools++
				cachedBytes += 1 << (poolHdr(base).order - 1)
			}
		}
	}
	walk(big.live, 0, true)
	for o := range big.cached {
		walk(big.cached[o], uint8(o), false)
	}
	if pools != big.pools || poolBytes != big.poolBytes || cachedPools != big.cachedPools || cachedBytes != big.cachedBytes ||
		int(liveBlocks) != big.liveBlocks || uint64(liveBytes) != big.liveBytes {
		report("big pools: %d of %d bytes (%d cached, %d bytes; %d live blocks of %d bytes) on the lists; counters say %d of %d (%d, %d; %d of %d)",
			pools, poolBytes, cachedPools, cachedBytes, liveBlocks, liveBytes, big.pools, big.poolBytes, big.cachedPools, big.cachedBytes, big.liveBlocks, big.liveBytes)
	}
	return liveBlocks, liveBytes, livePools
}
