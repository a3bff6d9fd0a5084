// Package index attaches accelerator indexes to vectors: hash (equality
// lookups and join probes), sort (a permutation: ranges and order), zone
// (min, max, null count: pruning) and bloom (may-contain).
//
// # Layout
//
// An index is an INDEX block (value.IndexHeader, then its owned child
// blocks, then a fixed payload). Attaching it moves the vector's header
// bytes 0..15 and its NULLMAP_EXT bit into the IndexHeader (HAS_NULLS
// stays; a link target in bytes 8..15 stays too) and puts the index in
// bytes 0..7 with HAS_INDEX set; Detach puts them back byte for byte. Null
// bits keep being read through the saved bytes (package vec knows), and
// package cow releases what the saved bytes own.
//
// # Staleness
//
// Every write to a vector (package vec) drops its index first, so an index
// never describes other data than its vector's. An index also records the
// length it was built for; lookups on a vector of another length (which
// cannot happen through vec) are refused with ErrCorrupt.
//
// # Keys
//
// Integers, DATE, TIME (4 bytes: the C runtime reads 8, §18.1), TIMESTAMP,
// BOOL and SYM ids are keyed by their value widened to 64 bits; floats by
// value, with -0.0 equal to 0.0 and NaN equal to nothing (NaN rows are not
// in hash or bloom indexes, and sort after every number); STR and GUID by
// their bytes. Keys are hashed with a per-process random seed, so no one
// can choose keys that collide. Null rows are in no hash or bloom index,
// sort last, and are counted by zones.
//
// A hash index groups the rows by key: a table of buckets (key, start,
// count) over one array of rows, newest first within a key, so a lookup
// reads one bucket and then its rows contiguously (hash.go). A sort index
// is the row permutation, built by sorting (key, row) pairs whose key
// orders as the values do, with the standard library's pdqsort
// (slices.SortFunc); STR and GUID compare their bytes instead.
package index
