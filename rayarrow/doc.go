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
//	                 symbol table's names (built once per table size)
//	TABLE            arrow.Record with the column names
//
// A slice exports as an Arrow offset into its parent's buffers. A column
// without nulls exports without a validity buffer; one with nulls gets a
// bitmap (1 = valid) built 64 rows at a time, in a raygo block of its own.
package rayarrow
