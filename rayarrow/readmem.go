package rayarrow

import (
	"errors"
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
// read gets its own readAllocator, which refuses to hold more than half
// the machine's memory at once, or more than the heap's budget when one is
// set: raygo copies what it reads, so more could not be imported anyway.
// The refusal is a panic (an Allocator cannot return an error), which the
// readers turn into ErrLimit. To bound what untrusted input may make a
// read allocate, set a budget (heap.SetBudget): it bounds Arrow's buffers
// and the vectors imported from them alike.
type readAllocator struct {
	memory.Allocator
	limit uint64
	used  atomic.Uint64
}

func newReadAllocator() *readAllocator {
	return &readAllocator{Allocator: memory.DefaultAllocator, limit: readLimit()}
}

var physicalMemory = sync.OnceValue(func() uint64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 1 << 62
	}
	return uint64(si.Totalram) * uint64(si.Unit)
})

// readLimit is the most a read may hold.
func readLimit() uint64 {
	limit := physicalMemory() / 2
	if budget, _ := heap.Budget(); budget > 0 {
		limit = min(limit, budget)
	}
	return limit
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
}

func (a *readAllocator) Allocate(n int) []byte {
	a.take(n, nil)
	return a.Allocator.Allocate(n)
}

func (a *readAllocator) Reallocate(n int, b []byte) []byte {
	a.take(n, b)
	return a.Allocator.Reallocate(n, b)
}

func (a *readAllocator) Free(b []byte) {
	a.used.Add(-uint64(len(b)))
	a.Allocator.Free(b)
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
