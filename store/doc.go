// Package store keeps columns in files and maps them back without copying.
//
// # Column files
//
// A column file is, little-endian throughout:
//
//	[0, 128)          the file header: magic "RAYGOCOL", format version,
//	                  type, SYM width, row count, the offset and length of
//	                  each section, the symbol count a SYM column was
//	                  written against, a CRC-32C of the sections and a
//	                  CRC-32C of the header itself
//	[4064, 4096)      zeros (format v1 kept room for a value header here;
//	                  a mapping no longer puts it in the file)
//	[4096, ...)       the elements, as in memory (STR: 16-byte views)
//	then              the null bitmap (1 = null), when there are nulls
//	then              the STR pool, for STR columns
//
// The elements start on a page boundary, so MapColumn can map the file from
// them on, read-only, and point a value at it (mmod = 1): heap.MapFile puts
// the value header in anonymous memory just before the mapped elements, so
// nothing in the file, and no later change to it, can become a reference
// count or an owned pointer. The null bitmap is copied into a heap block,
// so that mapping costs O(1) in the rows apart from it, the optional
// checksum and the checks of SYM ids and BOOL bytes (one pass each at
// memory speed; none for SYM ids whose width holds only symbols). STR
// columns are never mapped: MapColumn loads them (see below). LoadColumn
// reads fixed-width elements through a cache-sized buffer into a heap
// vector, checksumming them on the way (as fast as os.ReadFile); a STR
// column's views and pool are read straight into its vector's blocks,
// checksummed a chunk at a time, and every view is checked against the
// pool before the vector is returned (vec.StrLoad); SYM ids are read whole
// first and checked before any is used.
// Mutating a mapped column copies it to the heap first (package vec), never
// writing to the mapping or past it; releasing it unmaps exactly the file.
// Mapped files are not charged to the heap's budget.
//
// # Files that change while mapped
//
// SaveColumn and SaveTable replace files by rename, so existing mappings
// keep reading the old file: that is the supported way to update a column
// others have mapped. (An advisory lock would not help: the programs that
// rewrite files in place are the ones that do not take it.) A file changed
// in place by another program while mapped is outside what raygo can
// check after MapColumn returns, and gives this:
//
//   - Rewritten in place: the rows read what the file now holds, so values
//     may be wrong, but no read leaves the column. The value header is never
//     file memory. STR columns are loaded, not mapped, because a rewritten
//     view could otherwise point a string anywhere. A SYM id beyond the
//     symbol table makes vec.GetSym return ErrCorrupt, and a BOOL byte
//     other than 0 or 1 reads as true (vec.Get, vec.RowAtom); vec.Elems and
//     an Arrow export see the raw bytes.
//   - Truncated: reading a row whose page is gone raises SIGBUS, which ends
//     the process, as with any mapped store. A goroutine that must survive
//     it can call debug.SetPanicOnFault(true) around its reads: the fault
//     then becomes a panic whose value is a runtime.Error with an
//     Addr() uintptr method, which recover can catch (tested here).
//
// # Never trusting a file
//
// Every field is checked before use: magic, version (a newer one is
// ErrNYI), the header checksum, the type, that the sections tile the file
// exactly, lengths against the row count; the value header and attribute
// bits on disk are never read (the loader writes its own). A SYM column
// whose ids reach past the symbol table is ErrCorrupt. Crafted or
// truncated files give ErrCorrupt, never a crash (FuzzColumnFile).
//
// # Crash safety
//
// Files are written to a temporary file in the same directory, synced,
// renamed over the target, and the directory synced: a reader sees the old
// file or the new one, never a torn one, and a failed write leaves the old
// file as it was and returns ErrIO. A table directory is saved by
// generation: the columns go to new files (c0.g2.col, ...), then the schema
// naming that generation replaces the old one, then the old generation's
// files are removed; so a reader, or the directory after a crash or a
// failed save, holds the old table or the new, never a mix of their
// columns (TestFaultSweep fails every step of a save in turn to check it).
package store
