// Package index attaches accelerator indexes to vectors: hash (equality
// lookups and join probes), sort (a permutation: ranges and order), zone
// (min, max, null count: pruning) and bloom (may-contain), of every vector
// type. Zones of STR and GUID vectors order bytewise and those of SYM
// vectors by name (MayOverlapBytes), keeping the rows that hold their least
// and greatest values.
//
// # Layout
//
// An index is an INDEX block (layout.IndexHeader, then its owned child
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
// Integers, DATE, TIME (4 bytes: the C runtime reads 8, ARCHITECTURE.md D1), TIMESTAMP,
// BOOL and SYM ids are keyed by their value widened to 64 bits; floats by
// value, with -0.0 equal to 0.0 and NaN equal to nothing (NaN rows are not
// in hash or bloom indexes, and sort after every number); STR and GUID by
// their bytes. Keys are hashed with a per-process random seed, so no one
// can choose keys that collide. Null rows are in no hash or bloom index,
// sort last, and are counted by zones.
//
// A hash index groups the rows by key: a table of buckets (hash, start,
// count) over one array of rows, newest first within a key, so a lookup
// reads one bucket and then its rows contiguously. A bucket is chosen by
// the top bits of the key's hash. Word keys hash by a bijection, so equal
// hashes mean equal keys and the table holds no keys; STR and GUID keys
// are confirmed against a row. The build splits the rows into partitions
// by the same top bits, groups each partition in a table that fits in
// cache, and lays the groups into the bucket table in partition order, so
// no pass over 10M rows takes a cache miss per row (hash.go). Probe
// pipelines batches of keys: a batch is matched while the next one's rows
// and the one after's buckets are being read.
//
// A sort index is the row permutation. Every row gets a uint64 that
// orders as its value does (floats by their bits, NaN last; SYM by the
// rank of its name; STR and GUID by their first 8 bytes, big-endian) and
// the rows are radix sorted by it, least significant byte first, skipping
// the bytes all keys share: stable, so ties stay in row order, and about 7x
// faster than pdqsort over (key, row) pairs on 10M int64. STR and GUID rows
// whose 8-byte prefixes tie are then sorted by their whole bytes with the
// standard library's pdqsort (slices.SortFunc).
package index
