// Package ray holds what every raygo package shares: the error kinds.
//
// raygo is the value layer of a columnar engine: typed atoms and vectors,
// strings, symbols, null maps and tables that live outside the Go heap in an
// mmap-backed buddy allocator, reference counted with copy-on-write, and
// exported to Apache Arrow without copying. The packages, from the bottom up:
//
//	heap      off-heap blocks: pools, buddy orders, per-P heaps, budget, Verify
//	attrs     the attribute byte and which bit means what for which value
//	value     the V handle, the 32-byte header, atoms, symbols
//	cow       retain, release, copy-on-write
//	vec       vectors, strings, symbols, lists, dicts, tables
//	store     column files mapped back without copying
//	index     hash, sort, zone and bloom indexes on vectors
//	rayarrow  zero-copy export to Apache Arrow
//
// Every error returned by any of them matches one of the Kind constants
// below with errors.Is, whichever package returned it:
//
//	if errors.Is(err, ray.ErrLimit) { spill() }
//
// This package imports nothing from the rest of raygo, so every other package
// can import it.
package ray
