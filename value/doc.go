// Package value defines raygo's values: the V handle, the type tags, atoms
// of every type, the NULL singleton, ERROR values, handle atoms that own Go
// objects, and the process-wide symbol table. (The header's layout and what
// each kind of value owns are raygo's own business: internal/layout.)
//
// # Values
//
// A value is one block of the heap (package heap): a 32-byte header, then
// data. V is a handle to it: one pointer, the zero V meaning "no value".
// The header is the C runtime's ray_t, byte for byte:
//
//	bytes 0..15   per kind: null bits, slice parent and offset, external
//	              null map, STR pool, index block, link target (internal/layout)
//	byte 16       mmod: 0 heap block, 1 column mapped from a file
//	byte 17       order: the block is 2^order bytes
//	byte 18       type: the signed type tag (Type); negative is an atom
//	byte 19       attrs: attribute bits (internal/attrbits; users ask package attrs)
//	bytes 20..23  rc: the reference count (package cow changes it)
//	bytes 24..31  an atom's payload, or a vector's length
//
// Type tags and element sizes are the C runtime's (types.go). DATE, TIME and
// TIMESTAMP count from the Unix epoch, not from 2000 as in the C runtime
// (ARCHITECTURE.md, "Vectors"), so they are Arrow's date32, time32[ms] and timestamp[ns];
// time.go converts them to and from time.Time, with errors at the edges of
// their ranges.
//
// # Atoms
//
// Scalars keep their payload in header bytes 24..31. F32 stays a float32
// (the C runtime widens it). A typed null is an atom with bit 0 of byte 0
// set. STR and GUID atoms keep their bytes in their own block's data: every
// block has at least 32 data bytes, so a string of up to 32 bytes costs one
// 64-byte block, as the C runtime's 7-byte inline form does, and a longer
// one costs one block where the C runtime needs two; neither owns a child.
//
// The NULL singleton is a permanent block with the ARENA attribute: never
// freed, ignored by retain and release. ERROR values carry their kind and
// message in the value.
//
// # Handles
//
// A value may own a Go object (a graph, a vector index) only through a
// handle: an -I64 atom whose payload is an id in a Go-side table, never a
// Go pointer in off-heap memory (handle.go).
//
// # Symbols
//
// Intern gives each distinct name a dense id, in insertion order, for the
// life of the process; lookups take no lock; names live in permanent
// off-heap blocks and never move (sym.go).
//
// # Ownership
//
// Functions that construct values return (V, error) and hand the caller one
// reference, which it must give back with cow.Release. Read-only functions
// take a V and add no reference. Which slots of which value own references
// is written once, in internal/layout; package cow is the only code that walks
// them.
package value
