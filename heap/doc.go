// Package heap is raygo's memory: an allocator of blocks that live outside
// the Go heap, in memory raygo maps itself. Every raygo value is one block
// (or a few), so that however much data an engine holds, Go's garbage
// collector has nothing to scan, and Arrow can be handed the memory as it
// is.
//
// Engines use it directly for memory of their own (hash tables, per-group
// state, spill buffers) with the same budget and statistics as their
// values:
//
//	b, err := heap.Alloc(1 << 20)  // 1 MiB, a []byte off the Go heap
//	...
//	heap.Free(b)                   // from any goroutine
//
// and to manage the process's memory as a whole: SetBudget caps the bytes
// of live blocks (an allocation past it is ErrLimit, and Pressure says when
// to spill first), GC and ReleasePages give memory back to the kernel,
// ReadStats counts it, and Verify checks every invariant of the heap.
//
// # Blocks
//
// A block is 2^k bytes, from 64 bytes to MaxSize plus its header, aligned
// to its size, and starts with a 32-byte header that raygo's value layer
// owns (ARCHITECTURE.md, "The value header"); Alloc hands out the data
// after it, as a []byte, and Free takes that slice back. A block is owned by
// whoever allocated it until it is given to Free, exactly once; Free
// panics, naming the address, on a block that is not live (a double free
// is caught before it corrupts anything). Blocks never hold Go pointers:
// the collector does not look inside them, so storing one there would let
// it free what the pointer reaches.
//
// A caller that keeps very many blocks in Go memory (a free list, a
// window of live buffers) may keep each as the address of its first byte,
// 8 bytes instead of a slice's 24, and give it back to Free as
// unsafe.Slice(p, 1): Free finds the block from where the slice starts and
// reads nothing else. BenchmarkHandOff and BenchmarkRandomMix hold their
// blocks so.
//
// # Design
//
// Pools of 32 MiB aligned to their size are carved into buddy blocks, with
// slab caches for the middle orders and runs (64 KiB blocks carved into
// blocks of one size, with a bitmap) for blocks of up to 1 KiB; each P
// (GOMAXPROCS) has a heap of its own,
// reached by pinning the goroutine to its P for the few nanoseconds of an
// allocation, so the fast paths take no lock; a block freed on another P
// goes back to its owner through a lock-free inbox. The full design, with
// the steps of Alloc and Free and the invariants Verify checks, is the
// package comment of internal/heap, which implements this package.
package heap
