package rayarrow

import (
	"errors"
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"golang.org/x/sys/unix"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/heap"
)

// Arrow's readers size their buffers from lengths the file or stream
// declares, and allocate before they read: a few bytes declaring a 32 GiB
// buffer would have Go's allocator die with a fatal (unrecoverable) out of
// memory, and a few kilobytes of zstd can declare gigabytes of zeros. Each
// read gets its own readAllocator, which refuses to hold more than the
// read limit at once:
//
//   - the heap's budget, when one is set (heap.SetBudget): raygo copies
//     what it reads, so more could not be imported anyway;
//   - else maxExpansion times the bytes read so far plus expansionBase
//     (1024 times plus 256 MiB): the bound on decompression bombs, which
//     no ordinary file comes near (a column of one repeated value does;
//     set a budget to read such a file);
//   - and never more than half the machine's memory.
//
// The refusal is a panic (an Allocator cannot return an error), which the
// readers turn into ErrLimit.
//
// An IPC read also recycles its large buffers. Go's allocator zeroes a new
// buffer of megabytes and the kernel faults its pages in, for each record
// batch of a stream, since the collector hands freed spans back to the
// kernel; on a 2-core VM that cost more than the reading itself. So a
// buffer of recycleMin bytes or more is rounded up to a power of two and,
// once Arrow frees it, kept (up to recycleKeep bytes in all) for the read's
// next buffer of that size: the batches of a stream are alike, so after
// the first few a read allocates almost nothing new. A reused buffer is
// cleared, as a new one would be. (Parquet reads do not recycle: Arrow Go's
// Parquet reader is large enough that a release too early somewhere in it,
// harmless while Free does nothing, cannot be ruled out.)
type readAllocator struct {
	memory.Allocator
	limit    uint64
	budgeted bool          // limit is the budget: no expansion bound
	input    atomic.Uint64 // bytes of input read so far
	used     atomic.Uint64

	recycle bool
	mu      sync.Mutex
	kept    [64][][]byte // freed buffers by log2 of their capacity
	keep    int          // their bytes
}

const (
	recycleMin  = 64 << 10
	recycleKeep = 64 << 20
)

const (
	maxExpansion  = 1024
	expansionBase = 256 << 20
)

func newReadAllocator() *readAllocator {
	limit, budgeted := readLimit()
	// Arrow's Go allocator whatever memory.DefaultAllocator is: the
	// buffers are the collector's, so keeping or dropping one is safe.
	return &readAllocator{Allocator: memory.NewGoAllocator(), limit: limit, budgeted: budgeted}
}

var physicalMemory = sync.OnceValue(func() uint64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 1 << 62
	}
	return uint64(si.Totalram) * uint64(si.Unit)
})

// readLimit is the most a read may hold whatever its input, and whether the
// budget sets it.
func readLimit() (limit uint64, budgeted bool) {
	limit = physicalMemory() / 2
	if budget, _ := heap.Budget(); budget > 0 {
		return min(limit, budget), true
	}
	return limit, false
}

// expansionLimit is what a read of input bytes may decompress to when no
// budget is set.
func expansionLimit(input uint64) uint64 {
	return min(input, 1<<50)*maxExpansion + expansionBase
}

// take accounts for n more bytes, less the len(old) given back.
func (a *readAllocator) take(n int, old []byte) {
	if n < 0 {
		panic(ray.Errorf(ray.ErrCorrupt, "rayarrow.Read", "a buffer of %d bytes", n))
	}
	used := a.used.Add(uint64(n) - uint64(len(old)))
	if used > a.limit {
		a.used.Add(uint64(len(old)) - uint64(n))
		panic(ray.Errorf(ray.ErrLimit, "rayarrow.Read", "the data needs buffers of more than %d bytes (the budget, or half the machine's memory)", a.limit))
	}
	if in := a.input.Load(); !a.budgeted && used > expansionLimit(in) {
		a.used.Add(uint64(len(old)) - uint64(n))
		panic(ray.Errorf(ray.ErrLimit, "rayarrow.Read", "%d bytes of input need buffers of more than %d bytes: a decompression bomb? (set a budget to read it)", in, expansionLimit(in)))
	}
}

func (a *readAllocator) Allocate(n int) []byte {
	a.take(n, nil)
	if n < recycleMin || !a.recycle {
		return a.Allocator.Allocate(n)
	}
	class := bits.Len(uint(n - 1)) // 1<<class >= n
	a.mu.Lock()
	var b []byte
	if k := len(a.kept[class]); k > 0 {
		b, a.kept[class] = a.kept[class][k-1], a.kept[class][:k-1]
		a.keep -= cap(b)
	}
	a.mu.Unlock()
	if b == nil {
		return a.Allocator.Allocate(1 << class)[:n]
	}
	b = b[:n]
	clear(b)
	return b
}

func (a *readAllocator) Reallocate(n int, b []byte) []byte {
	if n <= cap(b) {
		a.take(n, b)
		return b[:n]
	}
	nb := a.Allocate(n)
	copy(nb, b)
	a.Free(b)
	return nb
}

func (a *readAllocator) Free(b []byte) {
	a.used.Add(-uint64(len(b)))
	c := cap(b)
	if !a.recycle || c < recycleMin || c&(c-1) != 0 {
		return // the collector's
	}
	a.mu.Lock()
	if a.keep+c <= recycleKeep {
		class := bits.Len(uint(c - 1))
		a.kept[class] = append(a.kept[class], b[:c])
		a.keep += c
	}
	a.mu.Unlock()
}

// panicError returns the error a recovered panic carries: a raygo error
// as it is (a read refused by readAllocator), anything else (Arrow Go v17
// panics on inconsistent buffers) as ErrCorrupt.
func panicError(op string, r any) error {
	var re *ray.Error
	if err, ok := r.(error); ok && errors.As(err, &re) {
		return re
	}
	return ray.Errorf(ray.ErrCorrupt, op, "inconsistent Arrow data: %v", r)
}
