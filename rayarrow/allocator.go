package rayarrow

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	iheap "github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

// An Allocator is an Arrow Go memory.Allocator whose buffers are raygo heap
// blocks: pass it to any Arrow builder, reader or compute call
// (memory.NewCheckedAllocator wraps it like any other), and the arrays live
// off the Go heap, invisible to the collector, counted by the heap's
// statistics and held to its budget, and freed when Arrow releases them.
// It is safe for concurrent use; the zero Allocator is ready to use.
//
// Import adopts what Arrow builds or reads on an Allocator: a fixed-width
// array with no nulls becomes a raygo vector over the buffer's own block,
// no copy (see Import), and the block lives until both sides let go.
//
// Each buffer is one block (heap.AllocZeroed): 32 bytes of its data unused,
// then the buffer, so that every buffer starts 64 bytes into its block and
// so 64-byte aligned, as Arrow Go's own allocator aligns them (a block of
// 128 bytes or more is aligned to its size). Buffers come zeroed, as Go's allocator gives them, and so does the
// part a Reallocate adds.
//
// memory.Allocator returns no error, and Arrow's own allocators panic when
// memory runs out. This one panics past the heap's budget (or when the
// system refuses memory) with the heap's error, a *ray.Error whose kind is
// ErrLimit (ErrOOM), leaving the heap as it was. A caller that wants the
// error recovers it around the Arrow call:
//
//	func build(mem memory.Allocator) (arr arrow.Array, err error) {
//		defer func() {
//			if r := recover(); r != nil {
//				re, ok := r.(*ray.Error)
//				if !ok {
//					panic(r)
//				}
//				err = re // errors.Is(err, ray.ErrLimit)
//			}
//		}()
//		b := array.NewInt64Builder(mem)
//		defer b.Release()
//		...
//	}
type Allocator struct {
	allocated atomic.Int64
}

var _ memory.Allocator = (*Allocator)(nil)

// allocatorPad is the bytes between a block's data and the buffer: a
// block's data starts 32 bytes in (after the header heap.Alloc hides), so
// the buffer starts 64 bytes in.
const allocatorPad = 32

// NewAllocator returns an Allocator.
func NewAllocator() *Allocator { return new(Allocator) }

// Allocated returns the bytes of the buffers allocated and not yet freed.
func (a *Allocator) Allocated() int64 { return a.allocated.Load() }

// Allocate returns a zeroed buffer of size bytes.
func (a *Allocator) Allocate(size int) []byte {
	if size <= 0 {
		return []byte{}
	}
	d, err := heap.AllocZeroed(size + allocatorPad)
	if err != nil {
		panic(err)
	}
	a.allocated.Add(int64(size))
	buf := d[allocatorPad:]
	ours.add(buf)
	return buf
}

// Reallocate resizes b, a buffer of this Allocator, to size bytes, keeping
// its bytes; the bytes added are zero. It grows the block in place when the
// heap can.
func (a *Allocator) Reallocate(size int, b []byte) []byte {
	if cap(b) == 0 {
		return a.Allocate(size)
	}
	if size <= 0 {
		a.Free(b)
		return []byte{}
	}
	old := len(b)
	if size <= cap(b) {
		if size > old {
			clear(b[old:size])
		}
		a.allocated.Add(int64(size - old))
		return b[:size]
	}
	sh := ours.shard(b)
	sh.mu.Lock()
	adopted := layout.RC(blockOf(b)) > 1
	if !adopted {
		delete(sh.live, addrOf(b)) // no adopting while it moves
	}
	sh.mu.Unlock()
	if adopted {
		// A raygo vector (Import) reads the block: a new one, and the old
		// goes on living for that vector.
		nb := a.Allocate(size)
		copy(nb, b)
		a.Free(b)
		return nb
	}
	d, err := heap.Realloc(dataOf(b), size+allocatorPad)
	if err != nil {
		ours.add(b)
		panic(err)
	}
	a.allocated.Add(int64(size - old))
	nb := d[allocatorPad:]
	clear(nb[old:])
	ours.add(nb)
	return nb
}

// Free gives back b, a buffer of this Allocator. Its block is freed unless
// a raygo vector adopted it (Import), which then frees it.
func (a *Allocator) Free(b []byte) {
	if cap(b) == 0 {
		return
	}
	a.allocated.Add(-int64(len(b)))
	ours.remove(b)
	blk := blockOf(b)
	cow.Release(&blk)
}

// blockOf is the heap block a buffer was cut from, as a value: a raw
// block (a LIST of no items, owning nothing) until Import adopts it.
func blockOf(b []byte) value.V {
	return layout.FromPointer(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), -allocatorPad-iheap.HeaderSize))
}

// ours is the set of the buffers every Allocator has handed out and not
// taken back, by address, so that Import can tell them from other memory
// without reading any (an address outside raygo's heap is not looked at).
// It is sharded by address, so that goroutines allocating at once (Arrow's
// parallel readers) seldom meet on a lock.
var ours bufferSet

type bufferSet [64]bufferShard

type bufferShard struct {
	mu   sync.Mutex
	live map[uintptr]struct{}
	_    [48]byte // a shard per cache line
}

func addrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// shard is the shard of the buffer at b: blocks are at least 64-byte
// aligned, so the bits above those pick it, mixed.
func (s *bufferSet) shard(b []byte) *bufferShard {
	return &s[(uint64(addrOf(b))>>6*0x9E3779B97F4A7C15)>>58]
}

func (s *bufferSet) add(b []byte) {
	sh := s.shard(b)
	sh.mu.Lock()
	if sh.live == nil {
		sh.live = make(map[uintptr]struct{})
	}
	sh.live[addrOf(b)] = struct{}{}
	sh.mu.Unlock()
}

func (s *bufferSet) remove(b []byte) {
	sh := s.shard(b)
	sh.mu.Lock()
	delete(sh.live, addrOf(b))
	sh.mu.Unlock()
}

// adopt returns a vector of type t over rows [off, off+n) of the buffer
// b, without a copy, when an Allocator made b: a slice whose parent is b's
// block, made a vector of type t whose first rows are the block's 32
// unused bytes. The block then lives until both the slice's parent
// reference and the Allocator's buffer are released. ok is false when b is
// not an Allocator's, or its block was adopted as another type.
func adopt(b []byte, t value.Type, off, n int) (v value.V, ok bool, err error) {
	size := t.ElemSize()
	head := allocatorPad / size // the rows before the buffer
	rows := (allocatorPad + len(b)) / size
	if len(b) == 0 || off < 0 || n < 0 || head+off+n > rows {
		return value.V{}, false, nil
	}
	sh := ours.shard(b)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, mine := sh.live[addrOf(b)]; !mine {
		return value.V{}, false, nil
	}
	blk := blockOf(b)
	if !layout.AdoptBlock(blk, t, rows) {
		return value.V{}, false, nil
	}
	s, err := iheap.Alloc(0)
	if err != nil {
		return value.V{}, false, err
	}
	v = layout.FromPointer(s)
	layout.InitSlice(v, blk, cow.Retain(blk), head+off, n)
	return v, true, nil
}

// dataOf is the block data a buffer was cut from, as heap.Alloc returned it.
func dataOf(b []byte) []byte {
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), -allocatorPad)), cap(b)+allocatorPad)
}
