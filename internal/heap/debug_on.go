//go:build raydebug

package heap

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/raygo/ray/internal/offheap"
)

const debugEnabled = true

// Debug is debugEnabled for raygo's other packages: true under the raydebug
// build tag, where they check what they would otherwise trust.
const Debug = debugEnabled

// poisonByte fills the data of freed blocks, so that a use after free reads
// an unmistakable pattern.
const poisonByte = 0xDB

// dbg records every block's history. It is a Go map under a mutex: slow,
// and only touched outside pinned sections.
var dbg struct {
	sync.Mutex
	seq    uint64
	blocks map[uintptr]*debugRecord
}

type debugRecord struct {
	order uint8
	live  bool
	seq   uint64
	alloc []uintptr
	free  []uintptr
}

func callers() []uintptr {
	pc := make([]uintptr, 16)
	return pc[:runtime.Callers(3, pc)]
}

func debugAlloc(b uintptr, k uint8) {
	site := callers()
	dbg.Lock()
	defer dbg.Unlock()
	if dbg.blocks == nil {
		dbg.blocks = make(map[uintptr]*debugRecord)
	}
	dbg.seq++
	dbg.blocks[b] = &debugRecord{order: k, live: true, seq: dbg.seq, alloc: site}
}

func debugFree(b uintptr) {
	site := callers()
	dbg.Lock()
	r := dbg.blocks[b]
	switch {
	case r == nil || !r.live && !heldByHeap(b):
		// A freed block's record outlives it; once its memory is part of
		// another block, the address is just an interior pointer.
		dbg.Unlock()
		panic(fmt.Sprintf("heap: free of %#x, a block that was never allocated (or lies inside another)", b))
	case !r.live:
		dbg.Unlock()
		panic(fmt.Sprintf("heap: double free of %#x (order %d)\nallocated at:\n%s\nfirst freed at:\n%s", b, r.order, stack(r.alloc), stack(r.free)))
	}
	r.live = false
	r.free = site
	k := r.order
	dbg.Unlock()
	data := offheap.Bytes(b+HeaderSize, 1<<k-HeaderSize)
	for i := range data {
		data[i] = poisonByte
	}
}

// debugPermanent forgets a permanent block: it is never freed, so it is
// neither a leak nor a block to check frees against.
func debugPermanent(b uintptr) {
	dbg.Lock()
	defer dbg.Unlock()
	delete(dbg.blocks, b)
}

func debugResize(b uintptr, k uint8) {
	dbg.Lock()
	defer dbg.Unlock()
	if r := dbg.blocks[b]; r != nil {
		r.order = k
	}
}

func stack(pcs []uintptr) string {
	if len(pcs) == 0 {
		return "\t(unknown)"
	}
	var sb strings.Builder
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		fmt.Fprintf(&sb, "\t%s\n\t\t%s:%d\n", f.Function, f.File, f.Line)
		if !more {
			break
		}
	}
	return sb.String()
}

// AllocSeq returns the number of allocations recorded so far.
func AllocSeq() uint64 {
	dbg.Lock()
	defer dbg.Unlock()
	return dbg.seq
}

// LiveAllocations describes every block allocated after the AllocSeq value
// since and not yet freed, with the stack that allocated it.
func LiveAllocations(since uint64) []string {
	dbg.Lock()
	defer dbg.Unlock()
	var recs []*debugRecord
	var addrs = make(map[*debugRecord]uintptr)
	for b, r := range dbg.blocks {
		if r.live && r.seq > since {
			recs = append(recs, r)
			addrs[r] = b
		}
	}
	slices.SortFunc(recs, func(a, b *debugRecord) int { return int(a.seq - b.seq) })
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		out = append(out, fmt.Sprintf("block %#x (order %d) allocated at:\n%s", addrs[r], r.order, stack(r.alloc)))
	}
	return out
}

// heldByHeap reports whether b is a block the heap holds as free.
func heldByHeap(b uintptr) bool {
	w := chunkWord(b)
	if w == 0 {
		return false
	}
	if r, ok := runOf(b, w); ok {
		_, ok := runSlot(runHdr(r), r, b)
		return ok && !runLive(r, b)
	}
	m := hdr(b).mmod
	return m == mmodFree || m == mmodCached || m == mmodInbox
}

// CheckAccess panics when p is a block the heap holds as free, naming where
// it was allocated and freed: a use after release. Package value calls it
// for every header it hands out. It finds blocks that have not been reused
// since; a block that already belongs to someone else looks live.
func CheckAccess(p unsafe.Pointer) {
	b := uintptr(p)
	if b == 0 {
		return
	}
	if !heldByHeap(b) {
		return
	}
	msg := fmt.Sprintf("heap: use of block %#x after it was freed", b)
	dbg.Lock()
	if r := dbg.blocks[b]; r != nil && !r.live {
		msg += fmt.Sprintf(" (order %d)\nallocated at:\n%s\nfreed at:\n%s", r.order, stack(r.alloc), stack(r.free))
	}
	dbg.Unlock()
	panic(msg)
}

// pinDepth[p] is how deep the goroutine running on P p is pinned (pin,
// unpin). A pinned goroutine cannot be descheduled, so a non-zero count
// seen from P p belongs to the goroutine reading it.
var pinDepth [maxHeaps]atomic.Int32

// pinHeap[p] is the heap in P p's slot when its goroutine pinned. A
// collection may empty the slot while the goroutine stays pinned, and the
// goroutine owns that heap until it unpins. The other way round, a
// goroutine that read p's id before moving to another P may install a new
// heap into p's empty slot (ensureHeap runs unpinned) after p's goroutine
// pinned: that heap is p's too, so debugOwned accepts the slot's heap as
// well.
var pinHeap [maxHeaps]atomic.Uint32

// debugSlot records that the goroutine pinned to pid read heap id from its
// slot: the slot may have been empty when it pinned (a collection had
// emptied it and restored it since), and the heap it read is the one it
// owns until it unpins.
func debugSlot(pid int, id uint32) {
	if uint(pid) < maxHeaps && pinDepth[pid].Load() > 0 {
		pinHeap[pid].Store(id)
	}
}

// collecting is set while a collection owns every heap (collect).
var collecting atomic.Bool

func debugPin(pid, delta int) {
	if uint(pid) < maxHeaps && pinDepth[pid].Add(int32(delta)) == 1 && delta > 0 {
		pinHeap[pid].Store(slots[pid].Load())
	}
}

func debugCollecting(on bool) { collecting.Store(on) }

// debugOwned panics unless the caller owns h: it is pinned and h is its
// P's heap, or a collection holds every heap. Every …Owned function calls
// it first.
func (h *heapState) debugOwned() {
	if collecting.Load() {
		return
	}
	pid := procPin()
	pinned := uint(pid) < maxHeaps && pinDepth[pid].Load() > 0
	mine := uint(pid) < maxHeaps && (pinHeap[pid].Load() == h.id || slots[pid].Load() == h.id)
	procUnpin()
	if pinned && mine {
		return
	}
	pc, _, _, _ := runtime.Caller(1)
	name := runtime.FuncForPC(pc).Name()
	if pinned {
		// Panicking while pinned is fatal (the runtime throws "panic
		// holding locks"), so the message goes to standard error first.
		msg := fmt.Sprintf("heap: %s on heap %d, which is not the heap of the pinned caller's P %d", name, h.id, pid)
		println(msg)
		panic(msg)
	}
	panic(fmt.Sprintf("heap: %s on heap %d by a caller that is not pinned", name, h.id))
}
