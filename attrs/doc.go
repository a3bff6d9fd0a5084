// Package attrs is the one place that knows what the bits of a value's
// attribute byte (header byte 19) mean.
//
// The byte is namespaced by the kind of value, as in the C runtime: the same
// bit means different things for different classes (ARCHITECTURE.md, "The attribute namespace"):
//
//	bit        vectors       I32/I64 vectors  SYM vectors   -I64 atoms      -SYM atoms  any
//	0x01-0x03                                 width W8..W64
//	0x02                                                    GRAPH (shared)
//	0x04                     HAS_LINK                       HNSW (unique)
//	0x08       HAS_INDEX     HAS_INDEX        HAS_INDEX
//	0x10       SLICE         SLICE            SLICE
//	0x20       NULLMAP_EXT   NULLMAP_EXT      NULLMAP_EXT                   NAME
//	0x40       HAS_NULLS     HAS_NULLS        HAS_NULLS
//	0x80                                                                                ARENA
//
// ("vectors" are the typed vectors and LIST; DICT, TABLE, INDEX, NULL,
// ERROR and the other atoms only have ARENA.)
//
// Nobody else decides what a bit means. Callers read the byte through Of, which pairs it
// with the value's type tag, and ask questions: Has(Slice), SymWidth(),
// Handle(). A question that has no meaning for the value's class answers
// false (or an error, for the setters) and never reinterprets a bit that
// belongs to another class: Has(HasLink) on an -I64 atom whose HNSW bit is
// set is false, and so is Has(NullmapExt) on a -SYM atom that is a NAME.
//
// raygo's hot paths, which test one bit of a value whose class they know,
// use the raw bits of internal/attrbits, which its tests check against
// this table.
//
// The package imports nothing from raygo and knows the type tags only as the
// numbers of the file format (value checks that they agree).
package attrs
