// Package rayarrow hands raygo columns to Apache Arrow (Arrow Go v17)
// without copying their elements.
//
// Export wraps the memory of a vector's block in Arrow buffers (through
// memory.NewBufferWithAllocator). Each buffer holds one raygo reference to
// the block it shows, given back by the buffer's allocator when Arrow frees
// the buffer, so the memory lives exactly as long as the last Arrow
// reference or the last raygo one, whichever comes later, and the two may
// be released in either order on any goroutines.
//
//	raygo            Arrow
//	BOOL             boolean (bits packed: the one copy)
//	U8 I16 I32 I64   uint8 int16 int32 int64
//	F32 F64          float32 float64
//	DATE             date32 (days since 1970)
//	TIME             time32[ms]
//	TIMESTAMP        timestamp[ns, UTC]
//	GUID             fixed_size_binary(16)
//	STR              string_view: the views and the pool as they are
//	SYM              dictionary: indices at the vector's width over the
//	                 symbol table's names (built once per table size); a
//	                 column much shorter than the table gets int32
//	                 indices over its own symbols instead (a copy)
//	TABLE            arrow.Record with the column names
//
// A slice exports as an Arrow offset into its parent's buffers. A column
// without nulls exports without a validity buffer; one with nulls gets a
// bitmap (1 = valid) built 64 rows at a time, in a raygo block of its own.
// A LIST of vectors of one type exports as an Arrow list (list.go: the one
// export that copies, since Arrow wants the items' values contiguous).
//
// Import (import.go) copies Arrow arrays and records into raygo values:
// Arrow's memory belongs to Go's collector. It takes every type Export
// produces and string, large_string, binary, dictionaries with any index
// type, timestamps of any unit and zone, date64, time32[s] and time64;
// anything else is ErrNYI naming the type.
//
// Files (files.go) go through Arrow's own writers and readers: IPC streams
// and files (Feather v2, optionally LZ4 or zstd) and Parquet. Parquet in
// Arrow Go v17 does not take string_view, so STR and SYM columns are
// written to Parquet as plain strings (and read back as STR). Files give
// each SYM column one dictionary of its own symbols, shared by all the
// file's record batches (an IPC file may not replace a dictionary).
//
// # Untrusted data
//
// Arrow Go v17 has no validation of arrays; its constructors panic on
// buffers that contradict their metadata. Import, ImportRecord and the
// readers recover such panics, release whatever they had built, and return
// ErrCorrupt; they check what raygo itself relies on (dictionary indices);
// and the readers allocate through readAllocator (readmem.go), which
// refuses buffers larger than half the machine's memory or the heap's
// budget (ErrLimit) instead of letting Go's allocator abort. One hole
// remains that raygo cannot close: Arrow Go's IPC schema decoder sizes Go
// slices from lengths in the stream before checking them, so a crafted
// stream can still make the Go runtime abort with out of memory. Read IPC
// data from untrusted sources in a process that may die, or validate it
// with another reader first; raygo's own column files (package store) are
// checked field by field and fuzzed.
//
// Under the build tag raycdata (with cgo), ExportC hands a table to C,
// Python or Rust through the Arrow C Data Interface (cdata.go).
//
// interop/ holds a Node.js check that reads the files with apache-arrow and
// DuckDB (TestInterop runs it when node is present).
package rayarrow
