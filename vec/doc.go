// Package vec holds raygo's vectors and what is built of them: typed
// columns of BOOL, U8, I16, I32, I64, F32, F64, DATE, TIME, TIMESTAMP and
// GUID; STR columns in Arrow's string-view layout (str.go); SYM columns of
// interned ids that widen as needed (sym.go); LISTs of values (list.go);
// DICTs (dict.go); TABLEs of named columns (table.go); the global
// environment of named values (env.go); and linked columns, which point
// into a table by row id (link.go). All of them have null bitmaps, and the
// column types have O(1) slices. Slice, Concat and ConcatAll take TABLEs
// too, column by column, so that code joining record batches or cutting a
// table into partitions uses the same operations as code on one column.
// Concat and ConcatAll allocate their result once, at its full size, and
// copy each row once; FromStringsFunc sizes a STR vector's pool in a first
// pass and writes it once, for bulk conversions; ToSym turns a STR vector
// into a SYM vector, interning each distinct string once. Decoders of
// columnar formats build columns in bulk (build.go): Zeros and Mutable,
// NewSymN and MutableSymIDs allocate a column once and let goroutines write
// disjoint rows in place; a StrBuilder appends strings copying each once,
// StrParts has several goroutines fill one STR vector's rows, their
// pools joined at the end without copying a view, and StrFill has them
// write runs of rows into one shared pool, each run's bytes reserved under
// a short lock, so that no byte is copied twice.
//
// # Layout
//
// A vector is one heap block: the 32-byte header (type, attributes, length
// in bytes 24..31) and the elements from byte 32, packed. Its capacity is
// what the block holds, (2^order - 32) / element size; growing at least
// doubles the block and grows in place when the heap can (heap.Realloc), so
// appends cost amortized O(1). Element access is zero-copy: Elems returns a
// []T over the block, after checking that T is the vector's element type.
//
// A slice is a header-only block with SLICE set, the root parent in header
// bytes 0..7 (an owned reference) and the element offset in bytes 8..15; a
// slice of a slice refers to the root. A slice has no null state of its
// own: its null bits are its parent's, read at the offset.
//
// Null bits (1 = null) are inline in header bytes 0..15 for rows 0..127 and
// in an external map beyond (nulls.go); SetNulls writes a whole bitmap at
// once, for decoders that build a column's nulls whole. With an index
// attached, header bytes 0..15 hold the index and the displaced bytes live
// inside it; every reader of null bits goes through internal/layout's
// NullBits, which knows (vec.NullBits hands kernels the same view).
//
// # Ownership and mutation
//
// Functions that may replace a vector take a pointer to the caller's handle
// (the C runtime's ray_t** convention, ARCHITECTURE.md, "Ownership"): vec.Append(&v, x). On
// success *vp may point to a new block; on error it is unchanged. Before
// any write, prepare makes the vector private: a shared vector is copied
// (cow), a slice is materialised into a block of its own (a write never
// reaches a shared parent: ARCHITECTURE.md D2), a vector mapped from a file is
// copied to the heap (never written past its mapping: D12), and an
// attached index is dropped (a stale index is a wrong answer). The external
// null map is copied on write too (D6).
//
// A write never takes a source it may free: a value stored into a LIST or
// DICT is retained before the container is made private (so a list stored
// in itself is copied, never a cycle), and rows or strings read from the
// vector being written are copied aside before its blocks move (alias.go,
// str.go).
//
// Read-only functions take a V and add no reference; the views they return
// (Elems, StrView, ListGet, ColumnByName) are valid while the caller holds
// its reference and does not mutate the vector. Iterators hold a reference
// of their own while their loop runs, so the loop body may write the vector
// (which then copies it). Functions that return a value the caller did not
// have (RowAtom, DictGet, Bound, Deref) return a reference of its own, to
// release.
//
// For loops that append, an Appender checks the type once and then appends
// at the cost of a store and a check, in the header it writes anyway, that
// no other owner or writer has touched the vector since.
package vec
