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
	*h = Header{Order: 7, RC: RefCount{1}}
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
