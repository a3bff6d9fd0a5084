package heap

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/raygo/ray"

	iheap "github.com/raygo/ray/internal/heap"
)

// MaxSize is the largest size Alloc accepts.
const MaxSize = iheap.MaxSize

// Alloc returns size bytes of a new block, not initialised. The block's
// header, which raygo's values use, stays hidden: the slice is the data.
// The caller owns the block and must hand the slice (as Alloc, AllocZeroed
// or Realloc returned it, not a reslice of it) to Free exactly once.
//
// Alloc fails with ErrLimit when size exceeds MaxSize (a negative size
// does) or the block would take the live bytes past the budget, and with
// ErrOOM when the system refuses memory and no swap file can stand in for
// it.
func Alloc(size int) (b []byte, err error) {
	p, err := iheap.Alloc(uintptr(size))
	if err == nil {
		b = unsafe.Slice((*byte)(unsafe.Add(p, iheap.HeaderSize)), size)
	}
	return b, err
}

// AllocZeroed is Alloc with the bytes set to zero.
func AllocZeroed(size int) (b []byte, err error) {
	p, err := iheap.AllocZeroed(uintptr(size))
	if err == nil {
		b = unsafe.Slice((*byte)(unsafe.Add(p, iheap.HeaderSize)), size)
	}
	return b, err
}

// Realloc resizes the block of b (a slice Alloc, AllocZeroed or Realloc
// returned) to size bytes and returns them: the block grows in place when
// the heap can, and moves otherwise, keeping the first min(len(b), size)
// bytes; the rest are not initialised. On error b is unchanged and still
// owned by the caller. Realloc(nil, size) is Alloc.
func Realloc(b []byte, size int) ([]byte, error) {
	if b == nil {
		return Alloc(size)
	}
	p, err := iheap.Realloc(blockOf(b), uintptr(size))
	if err != nil {
		return b, err
	}
	return unsafe.Slice((*byte)(unsafe.Add(p, iheap.HeaderSize)), size), nil
}

// Free returns the block of b (a slice Alloc, AllocZeroed or Realloc
// returned, or any slice that starts where it did: only the start is read)
// to the heap; Free(nil) does nothing. Free panics, naming the
// address, when b is no block's data or its block is already free. Any
// goroutine may free any block.
func Free(b []byte) {
	if b == nil {
		return
	}
	iheap.Free(blockOf(b))
}

// blockOf is the block whose data b is.
func blockOf(b []byte) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), -iheap.HeaderSize)
}

// An Arena hands out memory for scratch work (sorts, hash builds) from heap
// blocks of 64 KiB (a larger piece gets a block of its own) and frees it
// all at once with Reset. Pieces are 16-byte aligned and cannot be freed
// one by one. The zero Arena is ready to use; an Arena is not safe for
// concurrent use.
type Arena struct {
	a iheap.Arena
}

// Bytes returns n bytes of scratch, not initialised, valid until Reset.
func (a *Arena) Bytes(n int) ([]byte, error) {
	if n < 0 {
		return nil, ray.Errorf(ray.ErrLength, "heap.Arena.Bytes", "%d bytes", n)
	}
	return a.a.Bytes(uintptr(n))
}

// Size returns the bytes of the heap blocks the arena holds.
func (a *Arena) Size() int { return int(a.a.Size()) }

// Reset frees every block of the arena: all the memory it handed out
// becomes invalid.
func (a *Arena) Reset() { a.a.Reset() }

// SetBudget sets the process-wide limit on bytes of live blocks and returns
// the previous limit. The default is 80% of physical memory (or of the
// cgroup's limit, when lower). Lowering it below what is live makes further
// allocations fail with ErrLimit; nothing already allocated is affected.
func SetBudget(bytes uint64) uint64 { return iheap.SetBudget(bytes) }

// Budget returns the limit on live bytes and the bytes now reserved against
// it (live blocks plus at most 8 MiB of unspent reservation per heap).
func Budget() (limit, reserved uint64) { return iheap.Budget() }

// Pressure reports whether the reserved bytes have reached seven eighths of
// the budget: the point where an engine should start spilling rather than
// wait for ErrLimit.
func Pressure() bool { return iheap.Pressure() }

// GC returns every cached block to its free list, merges the heaps of Ps
// that a smaller GOMAXPROCS retired, and unmaps every pool that holds no
// live block, cached big pools included. It reports how many pools it
// unmapped. It briefly stops the world; call it when an engine has just
// dropped a lot of data, not on a schedule.
func GC() (pools int, err error) { return iheap.GC() }

// ReleasePages gives the kernel back the memory of every free block of
// 8 KiB or more, without unmapping anything, and reports how many bytes it
// advised.
func ReleasePages() (uint64, error) { return iheap.ReleasePages() }

// Stats describes the heap. Counts of operations are cumulative since the
// process started; the others are current. Figures are exact when no
// goroutine is allocating or freeing; while others work, each figure is
// some recent value of itself. Every free is counted by the heap of the P
// that made it, wherever the block goes, so LiveBlocks and LiveBytes do
// not depend on where blocks wait.
type Stats struct {
	Allocs     uint64 // blocks allocated (Alloc, AllocZeroed, Realloc that moved)
	Frees      uint64 // blocks freed
	LiveBlocks int64  // Allocs - Frees - PermanentBlocks
	LiveBytes  int64  // bytes of live blocks, headers and rounding included
	// PermanentBlocks are blocks of process-wide tables (the symbol table's),
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
	s := iheap.ReadStats()
	out := Stats{
		Allocs:          s.Allocs,
		Frees:           s.Frees,
		LiveBlocks:      s.LiveBlocks,
		LiveBytes:       s.LiveBytes,
		PermanentBlocks: s.PermanentBlocks,
		PermanentBytes:  s.PermanentBytes,
		SlabHits:        s.SlabHits,
		InboxBlocks:     s.InboxBlocks,
		Pools:           s.Pools,
		PoolBytes:       s.PoolBytes,
		SwapPools:       s.SwapPools,
		SwapBytes:       s.SwapBytes,
		CachedBigPools:  s.CachedBigPools,
		CachedBigBytes:  s.CachedBigBytes,
		Budget:          s.Budget,
		Reserved:        s.Reserved,
		PeakBytes:       s.PeakBytes,
		Heaps:           make([]PerP, len(s.Heaps)),
	}
	for i, h := range s.Heaps {
		out.Heaps[i] = PerP(h)
	}
	return out
}

// LiveBlocks returns the number of blocks allocated and not yet freed in the
// whole process: the figure leak checks compare (see heaptest).
func LiveBlocks() int64 { return iheap.LiveBlocks() }

// MappedFiles returns the number of column files mapped (package store)
// and their bytes, which the budget does not count.
func MappedFiles() (files int, bytes uint64) { return iheap.MappedFiles() }

// VerifyError lists what Verify found. It matches ray.ErrCorrupt.
type VerifyError struct {
	Findings []string // one line each, naming the heap, pool, block address and order
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("heap: Verify found %d problems:\n\t%s", len(e.Findings), strings.Join(e.Findings, "\n\t"))
}

// Unwrap makes a VerifyError match ray.ErrCorrupt.
func (e *VerifyError) Unwrap() error { return ray.ErrCorrupt }

// Verify checks every invariant of the heap: pools, free lists, slab
// caches, inboxes, big pools and statistics, and returns a *VerifyError
// naming each one broken. It may run while other goroutines allocate and
// free; it stops the world briefly and costs time in proportion to the
// blocks: a test tool.
func Verify() error {
	err := iheap.Verify()
	var ve *iheap.VerifyError
	if errors.As(err, &ve) {
		return &VerifyError{Findings: ve.Findings}
	}
	return err
}

// SetSwapDir sets the directory where the heap creates file-backed pools
// when the kernel refuses anonymous memory, and returns the previous one.
// The empty string disables the fallback: a refused mapping is then ErrOOM.
// The default is $RAYGO_HEAP_SWAP, or the OS temp directory when it is
// unset ("off" disables).
func SetSwapDir(dir string) string { return iheap.SetSwapDir(dir) }

// SwapDir returns the directory of file-backed pools ("" when disabled).
func SwapDir() string { return iheap.SwapDir() }
