package heap

import (
	"sync/atomic"
)

// The budget caps the bytes of live blocks in the whole process, so that an
// engine gets ErrLimit (and can spill) where the kernel would otherwise kill
// it. Charging a global counter on every allocation would put a contended
// atomic on the fast path, so each heap reserves budget in chunks and spends
// its reservation (heapState.credit) without synchronisation; a free adds to
// the freeing heap's credit, and a heap whose credit passes creditHigh hands
// the excess back. The reserved total therefore exceeds the live bytes by at
// most creditHigh per heap, and an allocation is refused only when the
// shortfall itself does not fit.
//
// Memory mapped from files (store's mmod=1 columns) is not charged: the
// kernel can always drop those pages.
var budget struct {
	limit    atomic.Int64
	reserved atomic.Int64 // live bytes plus the heaps' credit
	peak     atomic.Int64 // high-water mark of reserved
}

const (
	creditChunk = 4 << 20
	creditHigh  = 8 << 20
)

func init() {
	budget.limit.Store(int64(physicalMemory() / 10 * 8))
}

// SetBudget sets the process-wide limit on bytes of live blocks and returns
// the previous limit. The default is 80% of physical memory (or of the
// cgroup's limit, when lower). Lowering it below what is live makes further
// allocations fail with ErrLimit; nothing already allocated is affected.
func SetBudget(bytes uint64) uint64 {
	if bytes > 1<<62 {
		bytes = 1 << 62
	}
	return uint64(budget.limit.Swap(int64(bytes)))
}

// Budget returns the limit on live bytes and the bytes now reserved against
// it (live blocks plus at most 8 MiB of unspent reservation per heap).
func Budget() (limit, reserved uint64) {
	return uint64(budget.limit.Load()), uint64(max(budget.reserved.Load(), 0))
}

// Pressure reports whether the reserved bytes have reached seven eighths of
// the budget: the point where an engine should start spilling rather than
// wait for ErrLimit.
func Pressure() bool {
	limit := budget.limit.Load()
	return budget.reserved.Load() >= limit-limit/8
}

// reserveOwned makes h's credit cover n bytes, reserving a chunk from the
// budget when it can and just the shortfall when only that fits. It
// reports false when even the shortfall would exceed the budget. It makes
// no system call and allocates nothing, so it runs pinned.
func (h *heapState) reserveOwned(n int64) bool {
	if debugEnabled {
		h.debugOwned()
	}
	need := n - h.credit
	want := max(need, creditChunk)
	for {
		used := budget.reserved.Load()
		limit := budget.limit.Load()
		w := want
		if used+w > limit {
			if used+need > limit {
				return false
			}
			w = need
		}
		if budget.reserved.CompareAndSwap(used, used+w) {
			h.credit += w
			for {
				p := budget.peak.Load()
				if used+w <= p || budget.peak.CompareAndSwap(p, used+w) {
					break
				}
			}
			return true
		}
	}
}

// refundOwned adds n freed bytes to h's credit and returns the excess over
// creditChunk to the budget once the credit passes creditHigh.
func (h *heapState) refundOwned(n int64) {
	if debugEnabled {
		h.debugOwned()
	}
	h.credit += n
	if h.credit > creditHigh {
		give := h.credit - creditChunk
		h.credit -= give
		budget.reserved.Add(-give)
	}
}

// returnCreditOwned hands all of h's credit back to the budget.
func (h *heapState) returnCreditOwned() {
	if debugEnabled {
		h.debugOwned()
	}
	if h.credit != 0 {
		budget.reserved.Add(-h.credit)
		h.credit = 0
	}
}
