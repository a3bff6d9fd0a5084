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
// Each buffer is one block: its 32-byte header, 32 bytes unused, then the
// buffer, so that every buffer starts 64-byte aligned, as Arrow Go's own
// allocator aligns them (a block of 128 bytes or more is aligned to its
// size). Buffers come zeroed, as Go's allocator gives them, and so does the
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

// allocatorPad is the bytes between a block's data and the buffer: with
// the 32-byte header, a buffer starts 64 bytes into its block.
const allocatorPad = 64 - heap.HeaderSize

// NewAllocator returns an Allocator.
func NewAllocator() *Allocator { return new(Allocator) }

// Allocated returns the bytes of the buffers allocated and not yet freed.
func (a *Allocator) Allocated() int64 { return a.allocated.Load() }

// Allocate returns a zeroed buffer of size bytes.
func (a *Allocator) Allocate(size int) []byte {
	if size <= 0 {
		return []byte{}
	}
	p, err := heap.AllocZeroed(uintptr(size) + allocatorPad)
	if err != nil {
		panic(err)
	}
	a.allocated.Add(int64(size))
	return bufferOf(p, size)
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
	p, err := heap.Realloc(blockOf(b), uintptr(size)+allocatorPad)
	if err != nil {
		panic(err)
	}
	a.allocated.Add(int64(size - old))
	nb := bufferOf(p, size)
	clear(nb[old:])
	return nb
}

// Free gives back b, a buffer of this Allocator.
func (a *Allocator) Free(b []byte) {
	if cap(b) == 0 {
		return
	}
	a.allocated.Add(-int64(len(b)))
	heap.Free(blockOf(b))
}

// bufferOf is the buffer of size bytes in the block at p, its capacity the
// rest of the block.
func bufferOf(p unsafe.Pointer, size int) []byte {
	room := int(heap.Cap(p)) - allocatorPad
	return unsafe.Slice((*byte)(unsafe.Add(p, heap.HeaderSize+allocatorPad)), room)[:size]
}

// blockOf is the block of a buffer bufferOf made.
func blockOf(b []byte) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(unsafe.SliceData(b[:1])), -(heap.HeaderSize + allocatorPad))
}
