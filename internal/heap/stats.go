package heap

// Stats describes the heap. Counts of operations are cumulative since the
// process started; the others are current. Figures are exact when no
// goroutine is allocating or freeing (and the reader has synchronised with
// the last one that did); while others work, each figure is some recent
// value of itself.
//
// Every free is counted by the heap of the P that made it, wherever the
// block goes, so LiveBlocks and LiveBytes do not depend on where blocks
// wait: a block freed into another heap's inbox is no longer live.
type Stats struct {
	Allocs     uint64 // blocks allocated (Alloc, AllocZeroed, Realloc that moved)
	Frees      uint64 // blocks freed
	LiveBlocks int64  // Allocs - Frees - PermanentBlocks
	LiveBytes  int64  // bytes of live blocks, headers and rounding included
	// PermanentBlocks are blocks of process-wide tables (AllocPermanent),
	// never freed and not counted as live.
	PermanentBlocks int64
	PermanentBytes  int64
	SlabHits        uint64 // allocations served from a slab cache
	InboxBlocks     int64  // blocks freed on one P and not yet taken back by their owner
	Pools           int    // pools mapped, big pools included
	PoolBytes       uint64 // bytes of pools mapped (address space; see ReleasePages)
	SwapPools       int    // pools that are swap-file mappings
	SwapBytes       uint64
	// CachedBigPools are big pools (one block of over 16 MiB each) whose
	// block is free, kept mapped for reuse by any P (see GC);
	// CachedBigBytes is the size of their blocks.
	CachedBigPools int
	CachedBigBytes uint64
	Budget         uint64 // the budget (SetBudget)
	Reserved       uint64 // bytes reserved against the budget: LiveBytes plus the heaps' unspent credit
	PeakBytes      uint64 // high-water mark of Reserved
	Heaps          []PerP
}

// PerP describes one per-P heap. A heap's Allocs and Frees count the
// operations made on its P, so a heap can free more blocks than it
// allocated.
type PerP struct {
	ID          int
	Slot        int // the P whose heap this is, -1 for a spare
	Allocs      uint64
	Frees       uint64
	AllocBytes  uint64
	FreeBytes   uint64
	SlabHits    uint64
	SlabBlocks  int    // blocks now in its slab caches
	RemoteFrees uint64 // blocks it freed into another heap's inbox or runs
	Drained     uint64 // blocks it took back from its own inbox and runs
	Runs        int    // runs (64 KiB blocks carved into small blocks) in its pools
	Pools       int
	PoolBytes   uint64
	SwapPools   int
}

// ReadStats returns the statistics of every heap and their sum. It takes no
// lock that allocation takes and costs about a microsecond per heap.
func ReadStats() Stats {
	var s Stats
	slotOf := make(map[uint32]int)
	for i := range int(ctl.highSlot.Load()) {
		if id := slots[i].Load(); id != 0 {
			slotOf[id] = i
		}
	}
	var allocBytes, freeBytes, remote, drained, permBytes uint64
	for id := uint32(1); id < ctl.nextID.Load(); id++ {
		h := stateOf(id)
		c := h.c // a racy copy; see the type comment
		slot, ok := slotOf[id]
		if !ok {
			slot = -1
		}
		cached := 0
		for i := range h.slabs {
			cached += int(h.slabs[i].n)
		}
		s.Heaps = append(s.Heaps, PerP{
			ID: int(id), Slot: slot,
			Allocs: c.allocs, Frees: c.frees, AllocBytes: c.allocBytes, FreeBytes: c.freeBytes,
			SlabHits: c.slabHits, SlabBlocks: cached, RemoteFrees: c.remoteFrees, Drained: c.drained,
			Pools: int(c.pools), PoolBytes: c.poolBytes, SwapPools: int(c.swapPools), Runs: int(c.runs),
		})
		s.PermanentBlocks += int64(c.permanent)
		permBytes += c.permanentBytes
		s.Allocs += c.allocs
		s.Frees += c.frees
		allocBytes += c.allocBytes
		freeBytes += c.freeBytes
		s.SlabHits += c.slabHits
		remote += c.remoteFrees
		drained += c.drained
		s.Pools += int(c.pools)
		s.PoolBytes += c.poolBytes
		s.SwapPools += int(c.swapPools)
		s.SwapBytes += c.swapBytes
	}
	bp, bsp, bpb, bsb, cp, cb := bigStats()
	s.Pools += bp
	s.PoolBytes += bpb
	s.SwapPools += bsp
	s.SwapBytes += bsb
	s.CachedBigPools, s.CachedBigBytes = cp, cb
	s.Frees += unattached.frees.Load()
	freeBytes += unattached.freeBytes.Load()
	remote += unattached.remoteFrees.Load()
	s.PermanentBytes = int64(permBytes)
	s.LiveBlocks = int64(s.Allocs-s.Frees) - s.PermanentBlocks
	s.LiveBytes = int64(allocBytes-freeBytes) - s.PermanentBytes
	s.InboxBlocks = int64(remote - drained)
	s.Budget, s.Reserved = Budget()
	s.PeakBytes = uint64(budget.peak.Load())
	return s
}

// LiveBlocks returns the number of blocks allocated and not yet freed, in
// the whole process. It is the figure leak checks compare (see heaptest).
func LiveBlocks() int64 {
	var n int64
	for id := uint32(1); id < ctl.nextID.Load(); id++ {
		c := &stateOf(id).c
		n += int64(c.allocs) - int64(c.frees) - int64(c.permanent)
	}
	return n - int64(unattached.frees.Load())
}
