// Package attrbits is the one place that knows what the bits of a value's
// attribute byte (header byte 19) mean.
//
// The byte is namespaced by the kind of value, as in the C runtime: the same
// bit means different things for different classes (ARCHITECTURE.md, "The
// attribute namespace"):
//
//	bit        vectors       I32/I64 vectors  SYM vectors   -I64 atoms      -SYM atoms  any
//	0x01       SORTED        SORTED           width W8..W64
//	0x02       UNIQUE        UNIQUE           (0x01-0x03)   GRAPH (shared)
//	0x04                     HAS_LINK         UNIQUE        HNSW (unique)
//	0x08       HAS_INDEX     HAS_INDEX        HAS_INDEX
//	0x10       SLICE         SLICE            SLICE
//	0x20       NULLMAP_EXT   NULLMAP_EXT      NULLMAP_EXT                   NAME
//	0x40       HAS_NULLS     HAS_NULLS        HAS_NULLS
//	0x80                                                                                ARENA
//
// ("vectors" are the typed vectors and LIST; DICT, TABLE, INDEX, NULL,
// ERROR and the other atoms only have ARENA.) SORTED and UNIQUE are
// raygo's, not the C runtime's: what a user asserted about a vector's rows
// (package attrs), taken off by any write. A SYM vector's ids follow the
// order symbols were interned in, which says nothing a user would sort by,
// so SYM has UNIQUE alone, in the one bit its width leaves free.
//
// Code that does not know the class of the value it holds reads the byte
// through Of, which pairs it with the value's type tag, and asks questions:
// Has(FlagSlice), SymWidth(), Handle(). A question that has no meaning for
// the value's class answers false (or an error, for the setters) and never
// reinterprets a bit that belongs to another class.
//
// raygo's hot paths, which test one bit of a value whose class they know,
// use the raw constants below; the tests check each against the table.
// The package knows the type tags only as the numbers of the file format
// (package value checks that they agree).
package attrbits

// Bits of vectors (every vector class, LIST included).
const (
	Index      = 0x08 // HAS_INDEX
	Slice      = 0x10 // SLICE
	NullmapExt = 0x20 // NULLMAP_EXT
	HasNulls   = 0x40 // HAS_NULLS
)

// Order bits of typed vectors other than SYM.
const (
	Sorted = 0x01 // SORTED
	Unique = 0x02 // UNIQUE
)

// SymUnique is UNIQUE on SYM vectors.
const SymUnique = 0x04

// OrderBits returns the bits SORTED and UNIQUE take in a vector's class:
// UNIQUE alone for a SYM vector (sym), both for the others.
func OrderBits(sym bool) uint8 {
	if sym {
		return SymUnique
	}
	return Sorted | Unique
}

// Link is HAS_LINK, on I32 and I64 vectors only.
const Link = 0x04

// SymWidth masks a SYM vector's id width (Width).
const SymWidth = 0x03

// Handles are GRAPH and HNSW, on -I64 atoms only.
const Handles = 0x02 | 0x04

// Arena is ARENA, the same bit for every class.
const Arena = 0x80
