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
// Column names: Arrow allows empty and repeated field names, which a raygo
// table does not; such a column is named "col" and its position from 0
// ("col3"), on every import path (ImportRecord).
//
// A TableFill (fill.go) builds one TABLE of a known number of rows from
// record batches that arrive in parts at known rows, from several
// goroutines at once: columns are allocated once when the first schema
// arrives, batches are copied into their rows (STR columns into one pool
// through vec.StrFill, SYM ids widened under a lock when a dictionary
// interns past their width), and Finish refuses parts that overlap, leave
// rows unwritten or received other than their rows. NewGrowingFill is the
// same for a stream of unknown length: one part, whose columns grow (at
// least doubling, in place where the heap can) as batches arrive.
// rayflight's Fetch is built on both.
//
// An Allocator (allocator.go) puts raygo's heap behind Arrow Go: it is a
// memory.Allocator whose buffers are heap blocks (64-byte aligned,
// zeroed), so arrays that Arrow Go's builders, readers and compute
// functions make on it live off the Go heap, inside raygo's statistics and
// budget; past the budget it panics with the heap's ErrLimit, which a
// caller recovers. Its buffers are known by address (a set the Allocator
// keeps), so Import can adopt them: a fixed-width array with no nulls
// whose values buffer it made becomes a slice over that buffer's block,
// whose header, unused until then, is made a vector of the array's type
// covering the block's 32 spare bytes and the buffer (internal/layout's
// AdoptBlock). Both sides hold a reference to the block; Arrow growing
// such a buffer moves it rather than resize a block a vector reads. Arrow
// Go's IPC and Parquet readers, given an Allocator, read each column into
// a buffer of its own, so what they read on it is adopted too.
//
// Import (import.go) copies Arrow arrays and records into raygo values
// (Arrow's memory belongs to Go's collector), except those it adopts from
// an Allocator. It takes every type Export
// produces and string, large_string, binary, dictionaries with any index
// type, timestamps of any unit and zone, date64, time32[s] and time64; it
// widens int8, uint16, uint32 and uint64 to the next raygo integer and
// reads decimals as F64 (the nearest float64); anything else is ErrNYI
// naming the type. A TABLE holds vectors, so a record's list, struct and
// map columns are ErrNYI naming the column.
//
// Files (files.go): IPC streams and files (Feather v2, optionally LZ4 or
// zstd) go through Arrow's own writer and reader; Parquet is written and
// read by raygo's own writer and reader (pqwrite.go, and below). The
// writer encodes each (row group, column) chunk on one of GOMAXPROCS
// workers, each with its own zstd or snappy encoder: every column
// OPTIONAL, values PLAIN but SYM columns and strings and numbers of few
// distinct values, which get a compact dictionary per chunk (SYM ids are
// process-wide: a chunk's are remapped to 0..n-1; ColumnDictionary turns
// dictionaries off per column), min/max/null-count
// statistics (strings compared as bytes), and the Arrow schema in the
// footer's metadata, so STR reads back as STR and SYM as SYM. TIMESTAMP
// is written as Parquet's TIMESTAMP(NANOS, UTC), which DuckDB reads as
// TIMESTAMP WITH TIME ZONE, a type of microseconds: DuckDB drops the
// nanoseconds (Arrow readers and raygo keep them). interop/pqdiff.mjs has
// DuckDB read every type the writer writes, cell by cell. Tables with
// LIST columns go through Arrow Go's writer. Files give each
// SYM column one dictionary of its own symbols, shared by all the file's
// record batches (an IPC file may not replace a dictionary). Arrow's IPC
// writer writes a string_view column's data buffers whole, so a STR column
// whose pool holds much more than its rows use (a batch sliced from a
// longer column, or one with many overwritten strings) is written from a
// copy with just those bytes (compactForWriting): a table sent as batches
// would otherwise carry the whole pool in every batch.
//
// # Reading Parquet
//
// ReadParquet, ReadParquetFrom (an io.ReaderAt) and ScanParquet (a row
// group at a time, as an iter.Seq2) plan a read from the verified footer
// alone (pqplan.go): which columns (Columns, ColumnIndexes), which row
// groups (RowGroups, and RowGroupsInRange against the chunks' min/max
// statistics), which raygo type each column becomes, and which string
// columns are read as SYM (AsSym by name; DictionariesAsSym for every
// column whose dictionaries hold at most a limit of entries; a column a
// writer stored as an Arrow dictionary always). A directory of part files
// reads as one table, in file-name order. The read options are one set for
// every reader: ReadIPCFile and ScanIPCFile take them too.
//
// Flat columns (all that a TABLE holds but nested ones) are decoded by the
// native reader (pqnative.go, pqencoding.go), straight into raygo blocks:
// each fixed-width and SYM column is allocated once at the plan's row
// count; each (column, row group) chunk is read with one ReadAt into a
// block of the heap, its page headers walked and checked, its dictionary
// decoded (a SYM column interns each dictionary entry once, then writes
// ids), and its data pages cut into tasks of about 256K rows that
// GOMAXPROCS workers decode in place, a batch of 65,536 rows at a time,
// through resumable decoders of every encoding (PLAIN, PLAIN_DICTIONARY
// and RLE_DICTIONARY, RLE and BIT_PACKED levels, RLE booleans,
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY,
// BYTE_STREAM_SPLIT), pages v1 and v2, and every codec (uncompressed,
// snappy, gzip, zstd, brotli, LZ4 and LZ4_RAW). A STR column is written in
// parts, one a task, whose pools are joined at the end without copying a
// view (vec.StrParts). Definition levels become each task's null bitmap,
// written into the column at once (vec.SetNulls). Types convert as Import
// converts them (int8, uint16, uint32 and uint64 widen, decimals become the
// nearest F64, timestamps of any unit and INT96 become nanoseconds); a
// value out of range is ErrRange naming the first such row.
//
// A column the native reader does not place (a LIST, STRUCT or MAP is
// ErrNYI anyway; what remains are types only a stored Arrow schema gives)
// sends the read through Arrow Go: pqarrow decodes each column chunk on
// the calling goroutine, and the arrays are imported. Both readers give
// the same table for the same plan: TestParquetNativeMatchesArrowGo and
// FuzzReadParquet hold them to it.
//
// # Untrusted data
//
// Arrow Go v17 trusts what it reads. Its array constructors panic on
// buffers that contradict their metadata, and its IPC reader sizes Go
// slices from lengths it has not checked, which can make the Go runtime
// abort with out of memory, a crash no recover catches. So:
//
//   - ReadIPC and ReadIPCFile pass the stream through verifiedStream
//     (ipcverify.go). It checks every table, string and vector of each
//     message's metadata against the metadata's bounds, and each count the
//     reader sizes a slice by against what the message holds, before Arrow
//     sees the message. ReadIPCFile reads a file as its footer describes
//     it (ipcfile.go): the footer is walked with the same bounds-checked
//     reads, its schema becomes the stream's Schema message (apache-arrow
//     writes files whose body holds none), and each dictionary and record
//     batch block is read from the place the footer gives, inside the file,
//     through verifiedStream.
//   - ReadParquet verifies the file's footer before anything is decoded
//     (parquetverify.go): the Thrift file metadata (walked by
//     thriftReader: no list longer than the bytes left, bounded nesting, a
//     decoded size within the read limit), the schema (a tree at most 64
//     levels deep) and every column chunk (inside the file, one per leaf).
//     Encrypted files and columns in other files are ErrNYI. An Arrow
//     schema stored in the file's metadata (ARROW:schema, which Arrow Go
//     deserializes as an IPC message) passes through verifiedStream first.
//     The native reader checks each page header against its chunk, each
//     page's sizes against the read limit before it is decompressed, and
//     every length, count, bit width and dictionary index against the
//     bytes and entries there are; it allocates by the footer's row counts
//     (bounded by the read limit) and decodes in batches, never by a count
//     a page declares. Before Arrow Go reads a chunk, every page header of
//     it is walked, and the dictionary indexes of its pages are decoded and
//     checked (Arrow Go sizes a slice by the largest index it meets).
//     Pages are decompressed into buffers of the size their headers give
//     by codecs that refuse data that would not fit (codecs.go; the ones
//     registered process-wide at init replace Arrow Go's zstd and snappy,
//     which grow the buffer to whatever the frame declares).
//   - Every read allocates through its own readAllocator (readmem.go). It
//     holds at most the heap's budget when one is set; without one, at
//     most 1024 times the bytes read plus 256 MiB, which refuses
//     decompression bombs (a few KB of zstd can hold gigabytes of zeros)
//     with ErrLimit; and never more than half the machine's memory. A
//     Parquet file's pages together must decompress within the same
//     bound, checked from their headers before any is read.
//     IPC reads reuse their freed large buffers for the next batch's,
//     rather than have Go zero and fault in megabytes a batch.
//   - Import, ImportRecord and the readers check that an array's buffers
//     hold what its length promises, and that dictionary indices are in
//     range. They recover Arrow's panics, release whatever they had built,
//     and return ErrCorrupt. ReadParquet's Arrow path reads columns on the
//     calling goroutine, so that a panic over a damaged page reaches its
//     recover (pqarrow's own goroutines would end the process); the native
//     reader's workers recover their own.
//
// FuzzReadIPC, FuzzReadParquet and FuzzImport exercise all of this;
// RELIABILITY.md gives their last campaigns.
//
// Under the build tag raycdata (with cgo), ExportC hands a table to C,
// Python or Rust through the Arrow C Data Interface (cdata.go).
//
// interop/ holds a Node.js check that reads the files with apache-arrow and
// DuckDB (TestInterop runs it when node is present).
package rayarrow
