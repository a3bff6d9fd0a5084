package rayarrow

import (
	"errors"
	"sync"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"golang.org/x/sys/unix"

	"github.com/raygo/ray"
	"github.com/raygo/ray/heap"
)

// Arrow's readers size their buffers from lengths the file or stream
// declares, and allocate before they read: a few bytes declaring a 32 GiB
// buffer would have Go's allocator die with a fatal (unrecoverable) out of
// memory. The readers here get readAllocator instead, which refuses any
// single buffer larger than half the machine's memory, or than the heap's
// budget when one is set: no import of such a buffer could succeed anyway,
// since raygo copies what it reads. The refusal is a panic (an Allocator
// cannot return an error), which the readers turn into ErrLimit.
var readAllocator memory.Allocator = boundedAllocator{memory.DefaultAllocator}

type boundedAllocator struct{ memory.Allocator }

var physicalMemory = sync.OnceValue(func() uint64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 1 << 62
	}
	return uint64(si.Totalram) * uint64(si.Unit)
})

// readLimit is the largest buffer a reader may allocate.
func readLimit() uint64 {
	limit := physicalMemory() / 2
	if budget, _ := heap.Budget(); budget > 0 {
		limit = min(limit, budget)
	}
	return limit
}

func (a boundedAllocator) check(n int) {
	if n < 0 || uint64(n) > readLimit() {
		panic(ray.Errorf(ray.ErrLimit, "rayarrow.Read", "the data declares a buffer of %d bytes, more than the %d a read may take", n, readLimit()))
	}
}

func (a boundedAllocator) Allocate(n int) []byte {
	a.check(n)
	return a.Allocator.Allocate(n)
}

func (a boundedAllocator) Reallocate(n int, b []byte) []byte {
	a.check(n)
	return a.Allocator.Reallocate(n, b)
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
