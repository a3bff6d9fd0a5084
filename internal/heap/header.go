package heap

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/raygo/ray/internal/offheap"
)

// Header is the 32-byte header that starts every block; the element data of
// a value follows at byte HeaderSize. The layout is the C runtime's ray_t,
// byte for byte (see the package comment), so that column files written by
// either can be read by the other.
//
// The heap owns the mmod and order bytes and, while a block is free, Aux:
// only package heap writes them, always on a block no other goroutine can
// reach (one it is handing out, or one being freed, while pinned), so Verify
// reads them without racing with the block's owner. The value layer reads
// them through Mmod and Order. Everything else belongs to the value layer;
// the heap only zeroes it on allocation.
type Header struct {
	// Aux is bytes 0..15, a union whose meaning depends on the value (inline
	// null bits, slice parent and offset, external null map, STR pool, index
	// block). While the block is free the heap keeps its free-list links here.
	Aux [2]uint64
	// mmod is 0 for a heap block and 1 for a file-mapped column. Values of
	// mmodFree and above mark blocks the heap holds (see blockState).
	mmod uint8
	// blockOrder is log2 of the block size.
	blockOrder uint8
	// Type is the value's signed type tag; negative means an atom.
	Type int8
	// Attrs is the attribute byte (package attrs).
	Attrs uint8
	// RC is the reference count; 0 on a free block.
	RC RefCount
	// Word is bytes 24..31: an atom's payload or a vector's length.
	Word uint64
}

// Mmod reports where the block lives: MmodHeap for a block of this heap,
// MmodFile for a column mapped from a file.
func (h *Header) Mmod() uint8 { return h.mmod }

// Order reports log2 of the block's size, header included.
func (h *Header) Order() uint8 { return h.blockOrder }

// AtomTag returns the word an atom keeps in bytes 0..7 (package value's:
// a typed null's flag, an ERROR's kind); atoms own no slots.
func (h *Header) AtomTag() uint64 { return h.Aux[0] }

// SetAtomTag sets the word AtomTag returns.
func (h *Header) SetAtomTag(x uint64) { h.Aux[0] = x }

// copyValueFields copies the value layer's fields of src, the reference
// count included, into h, a block being handed out: not mmod and order,
// which the heap wrote for h's own block and Verify may be reading.
func (h *Header) copyValueFields(src *Header) {
	h.Aux, h.Type, h.Attrs, h.Word = src.Aux, src.Type, src.Attrs, src.Word
	h.RC.Store(src.RC.Load())
}

// HeaderSize is the size of Header, and the offset of a block's data.
const HeaderSize = 32

// The header size is part of the file format; pin it at compile time.
var _ [HeaderSize - unsafe.Sizeof(Header{})]byte
var _ [unsafe.Sizeof(Header{}) - HeaderSize]byte

// Byte offsets of the header fields, as the C runtime lays them out.
const (
	OffsetAux   = unsafe.Offsetof(Header{}.Aux)
	OffsetMmod  = unsafe.Offsetof(Header{}.mmod)
	OffsetOrder = unsafe.Offsetof(Header{}.blockOrder)
	OffsetType  = unsafe.Offsetof(Header{}.Type)
	OffsetAttrs = unsafe.Offsetof(Header{}.Attrs)
	OffsetRC    = unsafe.Offsetof(Header{}.RC)
	OffsetWord  = unsafe.Offsetof(Header{}.Word)
)

// Mmod values that the value layer sees.
const (
	MmodHeap = 0 // a block of this heap
	MmodFile = 1 // a column mapped from a file
)

// Mmod values the heap writes into blocks it holds. A live block never has
// them, so each one tells Free and Verify where a block is, and Free can
// refuse a double free before it corrupts a list.
const (
	mmodRun    = 0xFB // a run: a block carved into small blocks (run.go)
	mmodInbox  = 0xFC // freed on another P, waiting in its owner's inbox
	mmodCached = 0xFD // in a slab cache
	mmodFree   = 0xFE // on a free list
)

// HeaderOf returns the header of the block at p.
func HeaderOf(p unsafe.Pointer) *Header { return (*Header)(p) }

// hdr returns the header of the block at addr.
func hdr(addr uintptr) *Header { return (*Header)(offheap.Ptr(addr)) }

// RefCount is a block's reference count. It is only ever touched through
// these methods, which are atomic: a value may be shared by goroutines.
type RefCount struct{ n uint32 }

// Load returns the count.
func (r *RefCount) Load() uint32 { return atomic.LoadUint32(&r.n) }

// Store sets the count. Only the owner of a block that no other goroutine
// can see may call it.
func (r *RefCount) Store(n uint32) { atomic.StoreUint32(&r.n, n) }

// Retain adds one reference and returns the new count. It panics if the
// count was zero (the block is free or being freed) or would overflow.
func (r *RefCount) Retain() uint32 {
	n := atomic.AddUint32(&r.n, 1)
	if n <= 1 {
		r.badRetain(n)
	}
	return n
}

//go:noinline
func (r *RefCount) badRetain(n uint32) {
	atomic.AddUint32(&r.n, ^uint32(0))
	panic(fmt.Sprintf("heap: retain of block %p with reference count %d", r.block(), n-1))
}

// Release drops one reference and reports whether it was the last, in
// which case the caller must free the block. The last reference is never
// counted down: the count stays 1 until Free clears it while pinned, so a
// stop-the-world check (Verify) never sees a live block with a count of 0,
// however the releasing goroutine is stopped. Release panics on a count of
// zero, which is a double release (the C runtime wraps silently instead).
//
// A count of one needs no atomic write: the caller holds the only
// reference, so no other goroutine may retain or release the block. Above
// one, the count drops by compare-and-swap, so that of two goroutines
// releasing the last two references, exactly one sees the count at 1.
func (r *RefCount) Release() (last bool) {
	n := atomic.LoadUint32(&r.n)
	if n == 1 {
		return true
	}
	if n > 1 && atomic.CompareAndSwapUint32(&r.n, n, n-1) {
		return false
	}
	return r.releaseContended()
}

// releaseContended is Release when the count changed under it, or is 0.
//
//go:noinline
func (r *RefCount) releaseContended() bool {
	for {
		switch n := atomic.LoadUint32(&r.n); n {
		case 0:
			panic(fmt.Sprintf("heap: release of block %p whose reference count is already 0", r.block()))
		case 1:
			return true
		default:
			if atomic.CompareAndSwapUint32(&r.n, n, n-1) {
				return false
			}
		}
	}
}

// block returns the address of the header that holds r, for messages.
func (r *RefCount) block() unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(r), -int(OffsetRC))
}
