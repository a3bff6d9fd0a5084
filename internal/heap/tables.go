package heap

import (
	"sync/atomic"
	"unsafe"

	"github.com/raygo/ray/internal/offheap"
)

// The heap's two lookup tables live, like the blocks, in memory mapped at
// start-up and never returned: reserved with MAP_NORESERVE, so only the pages
// actually touched cost memory.
//
// The chunk table has one word per 32 MiB of address space. The word of
// every chunk a pool covers holds the pool's base with its order in the low
// bits; every other word is zero. It answers "which pool holds this address"
// with one load, for standard and big pools alike, without reading
// anything inside the block: the C runtime reads the word at each 32 MiB
// boundary and can take a live block there for a pool header (reference
// ARCHITECTURE.md D8); here a block's bytes never decide where its pool is.
//
// The state table holds one heapState per heap id, heapStateSize bytes each,
// so a heap id is turned into its state with a multiply and an add.

const (
	// addrBits is the user address space the chunk table covers: 48 bits
	// on linux/amd64 (47 in fact) and linux/arm64.
	addrBits = 48
	maxAddr  = 1 << addrBits

	numChunks = maxAddr >> chunkShift

	// maxHeaps bounds the number of heaps, and so GOMAXPROCS: a P whose
	// id is maxHeaps-1 or more cannot have a heap (Alloc returns ErrLimit).
	// Heap id 0 means "no heap".
	maxHeaps = 1024

	heapStateSize = 16384
)

var (
	chunkTable uintptr // numChunks words
	stateTable uintptr // maxHeaps heapStates
	initErr    error   // why the tables could not be mapped
)

var _ [heapStateSize - unsafe.Sizeof(heapState{})]byte // heapState fits its slot

func init() {
	chunkTable, initErr = mapTables(numChunks * 8)
	if initErr == nil {
		stateTable, initErr = mapTables(maxHeaps * heapStateSize)
	}
}

func mapTables(n uintptr) (uintptr, error) {
	return mmapTable(n)
}

// chunkWord returns the chunk table word for addr: its pool's base and order,
// or 0 when no pool covers addr.
func chunkWord(addr uintptr) uintptr {
	if addr >= maxAddr {
		return 0
	}
	return atomic.LoadUintptr((*uintptr)(offheap.Ptr(chunkTable + (addr>>chunkShift)*8)))
}

// setChunks points every chunk of the pool at base to it (word != 0) or
// clears them (word == 0).
func setChunks(base uintptr, order uint8, word uintptr) {
	for c := base; c < base+1<<order; c += 1 << chunkShift {
		atomic.StoreUintptr((*uintptr)(offheap.Ptr(chunkTable+(c>>chunkShift)*8)), word)
	}
}

// poolOf returns the base and order of the pool holding addr; ok is false
// when addr is in no pool of this heap.
func poolOf(addr uintptr) (base uintptr, order uint8, ok bool) {
	w := chunkWord(addr)
	if w == 0 {
		return 0, 0, false
	}
	return w &^ (1<<chunkShift - 1), uint8(w & 63), true
}

// stateOf returns the state of heap id.
func stateOf(id uint32) *heapState {
	return (*heapState)(offheap.Ptr(stateTable + uintptr(id)*heapStateSize))
}
