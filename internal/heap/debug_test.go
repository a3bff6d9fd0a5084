//go:build raydebug

package heap

import (
	"testing"

	"github.com/raygo/ray/internal/offheap"
)

func TestDebugDoubleFreeNamesBothSites(t *testing.T) {
	checkLeaks(t)
	p := mustAlloc(t, 100)
	Free(p)
	mustPanic(t, "TestDebugDoubleFreeNamesBothSites", func() { Free(p) })
	mustPanic(t, "double free of", func() { Free(p) })
}

func TestDebugFreeOfBlockNeverAllocated(t *testing.T) {
	checkLeaks(t)
	// Inside a live order-8 block, forge a header that passes the cheap
	// checks at the order-7 boundary: only the debug record knows better.
	p := mustAlloc(t, 200)
	fake := uintptr(p) + 128
	h := hdr(fake)
	*h = Header{blockOrder: 7, RC: RefCount{1}}
	mustPanic(t, "a block that was never allocated", func() { Free(offheap.Ptr(fake)) })
	Free(p)
}

func TestDebugPoisonsFreedBlocks(t *testing.T) {
	checkLeaks(t)
	p := mustAlloc(t, 100)
	Free(p)
	for i, c := range offheap.Bytes(uintptr(p)+HeaderSize, 100) {
		if c != poisonByte {
			t.Fatalf("freed block byte %d = %#x, want poison %#x", i, c, poisonByte)
		}
	}
}

// Under raydebug every …Owned function checks that its caller owns the
// heap: called without pinning, one panics naming itself.
func TestDebugOwnedFunctionsRefuseUnpinnedCallers(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	p := mustAlloc(t, 100) // the P has a heap now
	defer Free(p)
	h, _ := pinnedHeap()
	unpin()
	if h == nil {
		t.Fatal("no heap after allocating")
	}
	mustPanic(t, "flushSlabsOwned on heap", func() { h.flushSlabsOwned() })
	mustPanic(t, "not pinned", func() { h.drainInboxOwned() })
	// Pinned, the same calls pass.
	h2, _ := pinnedHeap()
	h2.drainInboxOwned()
	unpin()
}

// A goroutine may pin while a collection has emptied its P's slot, read
// the heap the collection put back, and meet the next collection emptying
// the slot again before it unpins (that collection waits for it): the
// heap it read is still its own, and debugOwned must say so. (CI once saw
// the false alarm this reproduces by hand.)
func TestDebugOwnedAfterTheSlotWasRefilled(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	p := mustAlloc(t, 100) // the P has a heap now
	defer Free(p)
	pid := pin()
	id := slots[pid].Load()
	pinHeap[pid].Store(0) // as if the slot was empty when the goroutine pinned
	h, _ := pinnedHeap()  // reads the slot (pinned twice now)
	unpin()
	slots[pid].Store(0) // the next collection empties the slot
	h.drainInboxOwned() // owned: must not panic (a panic here, pinned, is fatal)
	slots[pid].Store(id)
	unpin()
}
