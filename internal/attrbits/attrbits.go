// Package attrbits holds the raw bits of the attribute byte for raygo's hot
// paths, where a question such as "is this vector a slice" must be one AND
// rather than a call. Package attrs is the authority on what each bit means
// for each class of value (ARCHITECTURE.md, "The attribute namespace");
// each constant here names the bit attrs gives a flag in the classes the
// callers test it on, and the tests check them against attrs' table. Code
// that does not know the class of the value it holds asks attrs instead.
package attrbits

// Bits of vectors (every vector class, LIST included).
const (
	Index      = 0x08 // HAS_INDEX
	Slice      = 0x10 // SLICE
	NullmapExt = 0x20 // NULLMAP_EXT
	HasNulls   = 0x40 // HAS_NULLS
)

// Link is HAS_LINK, on I32 and I64 vectors only.
const Link = 0x04

// SymWidth masks a SYM vector's id width (attrs.Width).
const SymWidth = 0x03

// Handles are GRAPH and HNSW, on -I64 atoms only.
const Handles = 0x02 | 0x04

// Arena is ARENA, the same bit for every class.
const Arena = 0x80
