package heap

import (
	"unsafe"

	iheap "github.com/raygo/ray/internal/heap"
)

const (
	// HeaderSize is the size of a block's header: its data starts this
	// many bytes into the block.
	HeaderSize = iheap.HeaderSize
	// MaxSize is the largest data size Alloc accepts.
	MaxSize = iheap.MaxSize
)

// Alloc returns a block with room for size bytes of data after its 32-byte
// header. The header is zero except its order and reference count; the data
// bytes are not initialised. The caller owns the block and must hand it to
// Free exactly once.
//
// Alloc fails with ErrLimit when size exceeds MaxSize or the block would
// take the live bytes past the budget, and with ErrOOM when the system
// refuses memory and no swap file can stand in for it.
func Alloc(size uintptr) (unsafe.Pointer, error) { return iheap.Alloc(size) }

// AllocZeroed is Alloc with the first size data bytes set to zero.
func AllocZeroed(size uintptr) (unsafe.Pointer, error) { return iheap.AllocZeroed(size) }

// Realloc resizes the block at p to hold size bytes of data and returns the
// block, which may have moved. The header and the first min(size, Cap(p))
// data bytes are kept. On error p is unchanged and still owned by the
// caller. Realloc(nil, size) is Alloc.
func Realloc(p unsafe.Pointer, size uintptr) (unsafe.Pointer, error) { return iheap.Realloc(p, size) }

// Free returns the block at p to the heap. p must have come from Alloc,
// AllocZeroed or Realloc and not have been freed since; Free panics, naming
// the address, when p is in no pool, is not the start of a block, or is
// already free. Any goroutine may free any block.
func Free(p unsafe.Pointer) { iheap.Free(p) }

// Cap returns the number of data bytes the block at p holds: its size less
// the header.
func Cap(p unsafe.Pointer) uintptr { return iheap.Cap(p) }

// An Arena hands out memory for scratch work (sorts, hash builds) from heap
// blocks and frees it all at once with Reset. The zero Arena is ready to
// use; an Arena is not safe for concurrent use.
type Arena = iheap.Arena

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

// Stats are the heap's statistics (see ReadStats).
type Stats = iheap.Stats

// PerP describes one per-P heap in Stats.
type PerP = iheap.PerP

// ReadStats returns the statistics of every heap and their sum. It takes no
// lock that allocation takes and costs about a microsecond per heap.
func ReadStats() Stats { return iheap.ReadStats() }

// LiveBlocks returns the number of blocks allocated and not yet freed in the
// whole process: the figure leak checks compare (see heaptest).
func LiveBlocks() int64 { return iheap.LiveBlocks() }

// MappedFiles returns the number of column files mapped (package store)
// and their bytes, which the budget does not count.
func MappedFiles() (files int, bytes uint64) { return iheap.MappedFiles() }

// VerifyError lists what Verify found. It matches ray.ErrCorrupt.
type VerifyError = iheap.VerifyError

// Verify checks every invariant of the heap: pools, free lists, slab
// caches, inboxes, big pools and statistics, and returns a *VerifyError
// naming each one broken. It may run while other goroutines allocate and
// free; it stops the world briefly and costs time in proportion to the
// blocks: a test tool.
func Verify() error { return iheap.Verify() }

// SetSwapDir sets the directory where the heap creates file-backed pools
// when the kernel refuses anonymous memory, and returns the previous one.
// The empty string disables the fallback: a refused mapping is then ErrOOM.
// The default is $RAYGO_HEAP_SWAP, or the OS temp directory when it is
// unset ("off" disables).
func SetSwapDir(dir string) string { return iheap.SetSwapDir(dir) }

// SwapDir returns the directory of file-backed pools ("" when disabled).
func SwapDir() string { return iheap.SwapDir() }
