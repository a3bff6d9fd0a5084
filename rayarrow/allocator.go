package rayarrow

import (
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray/heap"
)

// An Allocator is an Arrow Go memory.Allocator whose buffers are raygo heap
// blocks: pass it to any Arrow builder, reader or compute call
// (memory.NewCheckedAllocator wraps it like any other), and the arrays live
// off the Go heap, invisible to the collector, counted by the heap's
// statistics and held to its budget, and freed when Arrow releases them.
// It is safe for concurrent use; the zero Allocator is ready to use.
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
	return d[allocatorPad:]
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
	d, err := heap.Realloc(dataOf(b), size+allocatorPad)
	if err != nil {
		panic(err)
	}
	a.allocated.Add(int64(size - old))
	nb := d[allocatorPad:]
	clear(nb[old:])
	return nb
}

// Free gives back b, a buffer of this Allocator.
func (a *Allocator) Free(b []byte) {
	if cap(b) == 0 {
		return
	}
	a.allocated.Add(-int64(len(b)))
	heap.Free(dataOf(b))
}

// dataOf is the block data a buffer was cut from, as heap.Alloc returned it.
func dataOf(b []byte) []byte {
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), -allocatorPad)), cap(b)+allocatorPad)
}
