//go:build race || raceheap

package heap

import (
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"github.com/raygo/ray/internal/offheap"
)

// Under the race detector (or the raceheap build tag) pools and the heap's
// tables are Go memory: large byte slices, which hold no pointers, so the
// collector never scans them, kept alive here until the pool is unmapped.
// The race detector watches only memory the Go runtime allocated, so this
// is what lets `go test -race` see a racy write to a block, a header or a
// heap's lists. Swap-file pools stay mappings and are not watched.
//
// A pinned section is a critical section of its P's heap: unpin releases
// and pin acquires a per-P atomic counter, and a collection acquires all of
// them after its stop-the-world barrier, so the race detector sees the
// order that pinning and stopping the world impose.
const raceVisible = true

// maxGoPool is the largest pool taken from Go memory; a larger one is
// refused as the kernel would refuse it, so it comes from a swap file.
const maxGoPool = 4 << 30

var goMemory struct {
	sync.Mutex
	pools  map[uintptr][]byte // by the pool's aligned base
	made   []byte             // what mapAnonymous made last, for mapAligned
	tables [][]byte
}

// mapAnonymous returns length bytes of Go memory, or an error past
// maxGoPool. Tests replace it to simulate a kernel that refuses memory.
// The caller holds goMemory's mutex.
var mapAnonymous = func(length uintptr) (uintptr, error) {
	if length > 2*maxGoPool {
		return 0, syscall.ENOMEM
	}
	b := make([]byte, length)
	goMemory.made = b
	return uintptr(unsafe.Pointer(unsafe.SliceData(b))), nil
}

// mapAligned returns size bytes at a multiple of size, in Go memory twice
// the size.
func mapAligned(size uintptr) (uintptr, error) {
	goMemory.Lock()
	defer goMemory.Unlock()
	raw, err := mapAnonymous(2 * size)
	if err != nil {
		return 0, err
	}
	base := (raw + size - 1) &^ (size - 1)
	if goMemory.pools == nil {
		goMemory.pools = make(map[uintptr][]byte)
	}
	goMemory.pools[base] = goMemory.made
	goMemory.made = nil
	return base, nil
}

func unmapPool(mp mappedPool) error {
	goMemory.Lock()
	_, ok := goMemory.pools[mp.base]
	delete(goMemory.pools, mp.base)
	goMemory.Unlock()
	if ok {
		return nil
	}
	return munmap(mp.base, 1<<mp.order) // a swap-file pool
}

// releaseAnonymous zeroes [addr, addr+n), as dropped pages would read.
func releaseAnonymous(addr, n uintptr) error {
	clear(offheap.Bytes(addr, n))
	return nil
}

func mmapTable(n uintptr) (uintptr, error) {
	b := make([]byte, n+8)
	goMemory.Lock()
	goMemory.tables = append(goMemory.tables, b)
	goMemory.Unlock()
	return (uintptr(unsafe.Pointer(unsafe.SliceData(b))) + 7) &^ 7, nil
}

// pinEpoch[p] orders the pinned sections of P p, and through it the
// collections, for the race detector.
var pinEpoch [maxHeaps]atomic.Uint32

func raceReleasePin(pid int) {
	if uint(pid) < maxHeaps {
		pinEpoch[pid].Add(1)
	}
}

func raceAcquirePin(pid int) {
	if uint(pid) < maxHeaps {
		pinEpoch[pid].Load()
	}
}

// raceAcquireAll and raceReleaseAll bracket a collection's work on every
// heap.
func raceAcquireAll() {
	for i := range pinEpoch {
		pinEpoch[i].Load()
	}
}

func raceReleaseAll() {
	for i := range pinEpoch {
		pinEpoch[i].Add(1)
	}
}
