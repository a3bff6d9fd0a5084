package heap

import (
	"testing"
	"unsafe"
)

// runStats sums the runs of every heap.
func runStats() (runs int) {
	for _, h := range ReadStats().Heaps {
		runs += h.Runs
	}
	return runs
}

// Every order a run serves, in blocks of every data size that maps to it:
// each block is in a run of its order, at a slot past the header, and
// freeing them all leaves no run once collected.
func TestSmallBlocksLiveInRunsOfTheirOrder(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
	held := runStats() // runs holding permanent blocks of earlier tests
	var ps []unsafe.Pointer
	for size := uintptr(0); size <= 1<<runMaxOrder-HeaderSize; size += 7 {
		p := mustAlloc(t, size)
		ps = append(ps, p)
		b := uintptr(p)
		r, ok := runOf(b, chunkWord(b))
		if !ok {
			t.Fatalf("a block of %d bytes at %#x is in no run", size, b)
		}
		rh := runHdr(r)
		if k := orderFor(size); rh.order != k || HeaderOf(p).blockOrder != k {
			t.Fatalf("a block of %d bytes (order %d) is in a run of order %d, header order %d", size, k, rh.order, HeaderOf(p).blockOrder)
		}
		if slot, ok := runSlot(rh, r, b); !ok || slot < runFirst(rh.order) {
			t.Fatalf("block %#x is not a slot of its run %#x", b, r)
		}
	}
	big := mustAlloc(t, 1<<runMaxOrder) // the next order: a buddy block
	if _, ok := runOf(uintptr(big), chunkWord(uintptr(big))); ok {
		t.Errorf("a block of order %d is in a run", runMaxOrder+1)
	}
	Free(big)
	if err := Verify(); err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		Free(p)
	}
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
	if n := runStats(); n != held {
		t.Errorf("%d runs left after freeing every small block and GC, want %d", n, held)
	}
}

func TestInteriorAndHeaderPointersOfARunPanic(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	p := mustAlloc(t, 100) // order 8: 256-byte slots
	b := uintptr(p)
	r, _ := runOf(b, chunkWord(b))
	want := func(normal string) string {
		if debugEnabled {
			return "never allocated"
		}
		return normal
	}
	mustPanic(t, want("not a block (inside the run"), func() { Free(unsafe.Add(p, 64)) })
	mustPanic(t, want("not a block (inside the run"), func() { Free(unsafe.Add(p, -int(b-r)+256)) }) // a header slot
	mustPanic(t, "not a block (inside the run", func() { _, _ = Realloc(unsafe.Add(p, 8), 10) })
	Free(p)
}

// A free on another P sets the block's remote bit and queues its run on
// the owner's run inbox; the owner takes the block back at its next refill
// or collection, and a run emptied that way goes back to the buddy heap. A
// second remote free of the same block is refused.
func TestRemoteFreesEmptyARunBackToTheBuddyHeap(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	runsBefore := runStats()
	// A fresh run of order 9 (127 blocks), filled.
	var ps []unsafe.Pointer
	for range runCapacity(9) {
		ps = append(ps, mustAlloc(t, 400))
	}
	r, _ := runOf(uintptr(ps[0]), chunkWord(uintptr(ps[0])))
	rh := runHdr(r)
	// Free them as another heap would: no pin on the owner, only the
	// run's remote bits and the owner's run inbox.
	owner := stateOf(uint32(poolHdr(r &^ (poolSize - 1)).heapID))
	var mine []unsafe.Pointer
	for _, p := range ps {
		b := uintptr(p)
		if b&^(runSize-1) != r {
			mine = append(mine, p) // another run's: freed normally below
			continue
		}
		slot, _ := runSlot(rh, r, b)
		if !freeRemote(owner, r, rh, slot>>6, 1<<(slot&63)) {
			t.Fatalf("first remote free of %#x refused", b)
		}
		if freeRemote(owner, r, rh, slot>>6, 1<<(slot&63)) {
			t.Fatalf("second remote free of %#x accepted", b)
		}
		// Count it as the freeing heap would.
		h, _ := pinnedHeap()
		h.c.frees++
		h.c.freeBytes += 1 << 9
		h.c.remoteFrees++
		unpin()
	}
	if rh.queued != 1 || owner.runInbox == 0 {
		t.Fatalf("run %#x: queued %d, owner's run inbox %#x", r, rh.queued, owner.runInbox)
	}
	if s := ReadStats(); s.InboxBlocks == 0 {
		t.Error("remotely freed blocks are not counted as waiting")
	}
	if err := Verify(); err != nil { // a queued run with remote bits is consistent
		t.Fatal(err)
	}
	for _, p := range mine {
		Free(p)
	}
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
	if n := runStats(); n > runsBefore {
		t.Errorf("%d runs after the remote frees and GC, %d before", n, runsBefore)
	}
	if s := ReadStats(); s.InboxBlocks != 0 {
		t.Errorf("%d blocks still waiting after GC", s.InboxBlocks)
	}
}

// A million live 64-byte blocks take little more memory than the blocks:
// runs waste their header slots and the last run's and pool's free room.
// Freed and collected, the pools go back to the OS.
func TestMillionSmallBlocksMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("maps 160 MiB")
	}
	checkLeaks(t)
	onOneP(t)
	before := ReadStats()
	ps := make([]unsafe.Pointer, 1<<20)
	for i := range ps {
		ps[i] = mustAlloc(t, 64) // 96 bytes with the header: 128-byte blocks
	}
	s := ReadStats()
	live := s.LiveBytes - before.LiveBytes
	mapped := int64(s.PoolBytes - before.PoolBytes)
	t.Logf("%d MiB of blocks in %d MiB of pools (%.2fx)", live>>20, mapped>>20, float64(mapped)/float64(live))
	if float64(mapped) > 1.25*float64(live) {
		t.Errorf("%d bytes of pools for %d bytes of blocks: over 1.25x", mapped, live)
	}
	for _, p := range ps {
		Free(p)
	}
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
	if s := ReadStats(); s.PoolBytes > before.PoolBytes {
		t.Errorf("%d bytes of pools after freeing everything and GC, %d before", s.PoolBytes, before.PoolBytes)
	}
}

// One goroutine allocates small blocks and others free them, so that most
// frees are remote and runs empty while queued on their owner's inbox (a
// run must not go back to the buddy heap while it is queued: it found that
// bug). Verify checks the runs and lists after every round.
func TestHandOffStress(t *testing.T) {
	checkLeaks(t)
	rounds, perRound := 20, 50_000
	if testing.Short() {
		rounds = 4
	}
	ch := make(chan []unsafe.Pointer, 8)
	done := make(chan bool)
	for range 3 {
		go func() {
			for ps := range ch {
				for _, p := range ps {
					Free(p)
				}
			}
			done <- true
		}()
	}
	for round := range rounds {
		batch := make([]unsafe.Pointer, 0, 256)
		for i := range perRound {
			batch = append(batch, mustAlloc(t, uintptr(16+(i*37+round)%900)))
			if len(batch) == cap(batch) {
				ch <- batch
				batch = make([]unsafe.Pointer, 0, 256)
			}
		}
		ch <- batch
		if round%4 == 3 {
			if err := Verify(); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(ch)
	for range 3 {
		<-done
	}
}
