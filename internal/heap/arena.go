package heap

import (
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/offheap"
)

// arenaBlockSize is the data size of an Arena's backing blocks: a 64 KiB
// block less its header.
const arenaBlockSize = 1<<16 - HeaderSize

// Arena is a scratch bump allocator for temporary memory that dies all at
// once: an operator's intermediate buffers, say. It carves 16-byte aligned
// pieces out of 64 KiB heap blocks (larger requests get a block of their
// own) and frees them all in Reset. Pieces have no header and cannot be
// freed one by one; they must not be used after Reset.
//
// An Arena is not safe for concurrent use. Its zero value is ready to use.
type Arena struct {
	blocks    []unsafe.Pointer // backing blocks, from Alloc
	next, end uintptr          // free space in the last block
}

// Alloc returns n bytes of uninitialised memory, 16-byte aligned, valid
// until Reset.
func (a *Arena) Alloc(n uintptr) (unsafe.Pointer, error) {
	if n > MaxSize-15 {
		return nil, ray.Errorf(ray.ErrLimit, "heap.Arena.Alloc", "%d bytes exceed the largest block", n)
	}
	n = max((n+15)&^15, 16)
	if a.end-a.next < n {
		p, err := Alloc(max(n, arenaBlockSize))
		if err != nil {
			return nil, err
		}
		a.blocks = append(a.blocks, p)
		a.next = uintptr(p) + HeaderSize
		a.end = a.next + Cap(p)
	}
	p := a.next
	a.next += n
	return offheap.Ptr(p), nil
}

// Bytes is Alloc returning a slice of length n.
func (a *Arena) Bytes(n uintptr) ([]byte, error) {
	p, err := a.Alloc(n)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*byte)(p), n), nil
}

// Size returns the bytes of heap blocks the arena holds.
func (a *Arena) Size() uintptr {
	var n uintptr
	for _, p := range a.blocks {
		n += Cap(p) + HeaderSize
	}
	return n
}

// Reset frees every block of the arena; all memory it returned becomes
// invalid.
func (a *Arena) Reset() {
	for i, p := range a.blocks {
		Free(p)
		a.blocks[i] = nil
	}
	a.blocks = a.blocks[:0]
	a.next, a.end = 0, 0
}
