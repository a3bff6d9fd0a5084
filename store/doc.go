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
// count or an owned pointer. The null bitmap and a STR pool are copied into
// heap blocks, so that mapping costs O(1) in the rows apart from them (and
// from the optional checksum). LoadColumn instead reads fixed-width
// elements through a cache-sized buffer into a heap vector, checksumming
// them on the way (as fast as os.ReadFile); STR and SYM elements are read
// whole first, since their views and ids are checked before any is used. Mutating a mapped
// column copies it to the heap first (package vec), never writing to the
// mapping or past it (reference §18.16); releasing it unmaps exactly the
// file (§18.17). Mapped files are not charged to the heap's budget. As with
// any mapped store, a file must not be truncated or rewritten in place
// while mapped (its rows would fault); SaveColumn replaces files by rename,
// which leaves existing mappings reading the old file.
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
// file as it was and returns ErrIO.
package store
