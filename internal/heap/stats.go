package heap

// Stats and PerP are heap.Stats and heap.PerP, whose documentation
// describes each figure; the public package copies them field by field.
type Stats struct {
	Allocs          uint64
	Frees           uint64
	LiveBlocks      int64
	LiveBytes       int64
	PermanentBlocks int64
	PermanentBytes  int64
	SlabHits        uint64
	InboxBlocks     int64
	Pools           int
	PoolBytes       uint64
	SwapPools       int
	SwapBytes       uint64
	CachedBigPools  int
	CachedBigBytes  uint64
	Budget          uint64
	Reserved        uint64
	PeakBytes       uint64
	Heaps           []PerP
}

type PerP struct {
	ID          int
	Slot        int
	Allocs      uint64
	Frees       uint64
	AllocBytes  uint64
	FreeBytes   uint64
	SlabHits    uint64
	SlabBlocks  int
	RemoteFrees uint64
	Drained     uint64
	Runs        int
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
