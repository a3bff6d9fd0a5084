package heap_test

import (
	"testing"
	"unsafe"

	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/heap/heaptest"
)

// A caller may keep a block as its first byte's address and free it
// through a one-byte slice there, as the package doc says: Free reads only
// where the slice starts.
func TestFreeByAddress(t *testing.T) {
	heaptest.Check(t)
	live := make([]*byte, 0, 1000)
	for i := range 1000 {
		b, err := heap.Alloc(16 + i*7)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)-1] = byte(i)
		live = append(live, &b[0])
	}
	for i, p := range live {
		if last := unsafe.Slice(p, 16+i*7)[16+i*7-1]; last != byte(i) {
			t.Fatalf("block %d lost its last byte: %d", i, last)
		}
		heap.Free(unsafe.Slice(p, 1))
	}
	if err := heap.Verify(); err != nil {
		t.Fatal(err)
	}
}
