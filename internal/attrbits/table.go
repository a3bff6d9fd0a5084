package attrbits

import (
	"fmt"

	"github.com/raygo/ray"
)

// Flag names a meaning an attribute bit can carry. Which bit, if any, holds
// it depends on the value's Class (see the table in the package comment).
type Flag uint8

const (
	FlagHasIndex   Flag = iota + 1 // vector: an index block sits in header bytes 0..7
	FlagSlice                      // vector: a view of a parent (bytes 0..15 = parent, offset)
	FlagNullmapExt                 // vector: bytes 0..7 hold an external null bitmap
	FlagHasNulls                   // vector: may contain nulls
	FlagHasLink                    // I32/I64 vector: a linked column, target in bytes 8..15
	FlagName                       // -SYM atom: a variable reference, not a literal
	FlagGraph                      // -I64 atom: holds a shared handle
	FlagHNSW                       // -I64 atom: holds a uniquely owned handle
	FlagArena                      // any: not reference counted, never freed
	FlagSorted                     // typed vector but SYM: rows ascending, no nulls (asserted)
	FlagUnique                     // typed vector: no two rows equal, no nulls (asserted)
	numFlags
)

var flagNames = [numFlags]string{
	FlagHasIndex: "HAS_INDEX", FlagSlice: "SLICE", FlagNullmapExt: "NULLMAP_EXT", FlagHasNulls: "HAS_NULLS",
	FlagHasLink: "HAS_LINK", FlagName: "NAME", FlagGraph: "GRAPH", FlagHNSW: "HNSW", FlagArena: "ARENA",
	FlagSorted: "SORTED", FlagUnique: "UNIQUE",
}

func (f Flag) String() string {
	if f < numFlags && flagNames[f] != "" {
		return flagNames[f]
	}
	return fmt.Sprintf("Flag(%d)", uint8(f))
}

// Class is the kind of value an attribute byte belongs to; it decides what
// each bit means.
type Class uint8

const (
	Other          Class = iota // DICT, TABLE, INDEX, NULL, ERROR, atoms other than -I64 and -SYM
	Vector                      // typed vectors other than I32, I64 and SYM; LIST
	LinkableVector              // I32 and I64 vectors: vectors that may carry a link
	SymVector                   // SYM vectors: the low bits are the index width
	I64Atom                     // -I64 atoms: may hold a handle
	SymAtom                     // -SYM atoms: may be a NAME
	numClasses
)

var classNames = [numClasses]string{"other", "vector", "I32/I64 vector", "SYM vector", "-I64 atom", "-SYM atom"}

func (c Class) String() string {
	if c < numClasses {
		return classNames[c]
	}
	return fmt.Sprintf("Class(%d)", uint8(c))
}

// Type tags as the file format numbers them (value.Type names them).
const (
	tagList = 0
	tagI32  = 4
	tagI64  = 5
	tagSym  = 12
	tagStr  = 13
)

// ClassOf returns the class of a value with type tag typ.
func ClassOf(typ int8) Class {
	switch {
	case typ == tagI32 || typ == tagI64:
		return LinkableVector
	case typ == tagSym:
		return SymVector
	case typ >= tagList && typ <= tagStr:
		return Vector
	case typ == -tagI64:
		return I64Atom
	case typ == -tagSym:
		return SymAtom
	}
	return Other
}

// bitOf is the namespace table: bitOf[class][flag] is the bit that carries
// flag for values of class, or 0 when flag has no meaning there.
var bitOf = [numClasses][numFlags]uint8{
	Other:          {FlagArena: 0x80},
	Vector:         {FlagSorted: 0x01, FlagUnique: 0x02, FlagHasIndex: 0x08, FlagSlice: 0x10, FlagNullmapExt: 0x20, FlagHasNulls: 0x40, FlagArena: 0x80},
	LinkableVector: {FlagSorted: 0x01, FlagUnique: 0x02, FlagHasLink: 0x04, FlagHasIndex: 0x08, FlagSlice: 0x10, FlagNullmapExt: 0x20, FlagHasNulls: 0x40, FlagArena: 0x80},
	SymVector:      {FlagUnique: 0x04, FlagHasIndex: 0x08, FlagSlice: 0x10, FlagNullmapExt: 0x20, FlagHasNulls: 0x40, FlagArena: 0x80},
	I64Atom:        {FlagGraph: 0x02, FlagHNSW: 0x04, FlagArena: 0x80},
	SymAtom:        {FlagName: 0x20, FlagArena: 0x80},
}

// symWidthMask is the low two bits of a SYM vector's byte: its width.
const symWidthMask = 0x03

// Width is the width of a SYM vector's ids.
type Width uint8

const (
	W8  Width = iota // 1-byte ids
	W16              // 2-byte ids
	W32              // 4-byte ids
	W64              // 8-byte ids
)

// Bytes returns the size of one id of width w.
func (w Width) Bytes() int { return 1 << w }

// WidthFor returns the narrowest width that holds ids up to maxID.
func WidthFor(maxID uint64) Width {
	switch {
	case maxID <= 0xFF:
		return W8
	case maxID <= 0xFFFF:
		return W16
	case maxID <= 0xFFFFFFFF:
		return W32
	}
	return W64
}

// HandleKind is what an -I64 atom's handle bits say it holds.
type HandleKind uint8

const (
	NoHandle     HandleKind = iota
	SharedHandle            // GRAPH: shared by copies, closed when the last reference goes
	UniqueHandle            // HNSW: owned by one atom, deep-cloned on copy
)

// Byte is an attribute byte read in the light of its value's type.
type Byte struct {
	class Class
	b     uint8
}

// Of pairs the attribute byte b with the type tag typ of its value.
func Of(typ int8, b uint8) Byte { return Byte{ClassOf(typ), b} }

// Raw returns the byte as stored in the header.
func (a Byte) Raw() uint8 { return a.b }

// Class returns the class the byte is read for.
func (a Byte) Class() Class { return a.class }

// Has reports whether the value carries flag. It is false whenever flag has
// no meaning for the value's class.
func (a Byte) Has(flag Flag) bool {
	if flag >= numFlags {
		return false
	}
	bit := bitOf[a.class][flag]
	return bit != 0 && a.b&bit != 0
}

// Set returns the byte with flag set or cleared. It fails with ErrType when
// flag has no meaning for the value's class, and with ErrDomain when setting
// a handle kind on an atom that already holds the other one.
func (a Byte) Set(flag Flag, on bool) (Byte, error) {
	if flag >= numFlags || bitOf[a.class][flag] == 0 {
		return a, ray.Errorf(ray.ErrType, "attrbits.Set", "%v has no meaning for a %v", flag, a.class)
	}
	if on && (flag == FlagGraph && a.Has(FlagHNSW) || flag == FlagHNSW && a.Has(FlagGraph)) {
		return a, ray.Errorf(ray.ErrDomain, "attrbits.Set", "an atom holds one handle: cannot set %v on one with %v", flag, a.Handle())
	}
	bit := bitOf[a.class][flag]
	if on {
		a.b |= bit
	} else {
		a.b &^= bit
	}
	return a, nil
}

// SymWidth returns the id width of a SYM vector; ok is false for any other
// class.
func (a Byte) SymWidth() (w Width, ok bool) {
	if a.class != SymVector {
		return 0, false
	}
	return Width(a.b & symWidthMask), true
}

// SetSymWidth returns the byte with width w; ErrType unless a SYM vector.
func (a Byte) SetSymWidth(w Width) (Byte, error) {
	if a.class != SymVector {
		return a, ray.Errorf(ray.ErrType, "attrbits.SetSymWidth", "a %v has no width", a.class)
	}
	if w > W64 {
		return a, ray.Errorf(ray.ErrDomain, "attrbits.SetSymWidth", "width %d is not one of W8..W64", w)
	}
	a.b = a.b&^symWidthMask | uint8(w)
	return a, nil
}

// Handle returns the kind of handle an -I64 atom holds; NoHandle for any
// other class.
func (a Byte) Handle() HandleKind {
	switch {
	case a.Has(FlagGraph):
		return SharedHandle
	case a.Has(FlagHNSW):
		return UniqueHandle
	}
	return NoHandle
}

func (k HandleKind) String() string {
	switch k {
	case SharedHandle:
		return "shared handle (GRAPH)"
	case UniqueHandle:
		return "unique handle (HNSW)"
	}
	return "no handle"
}

// Flags returns the flags the byte carries, for messages.
func (a Byte) Flags() []Flag {
	var out []Flag
	for f := Flag(1); f < numFlags; f++ {
		if a.Has(f) {
			out = append(out, f)
		}
	}
	return out
}

// Unknown returns the bits set that mean nothing for the value's class (a
// corrupt or foreign byte), so loaders can refuse them.
func (a Byte) Unknown() uint8 {
	known := uint8(0)
	for _, bit := range bitOf[a.class] {
		known |= bit
	}
	if a.class == SymVector {
		known |= symWidthMask
	}
	return a.b &^ known
}

func (a Byte) String() string {
	s := fmt.Sprintf("%#02x %v %v", a.b, a.class, a.Flags())
	if w, ok := a.SymWidth(); ok {
		s += fmt.Sprintf(" W%d", 8*w.Bytes())
	}
	return s
}
