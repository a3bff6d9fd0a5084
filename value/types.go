package value

import "fmt"

// Type is a value's signed type tag (header byte 18). A positive tag is a
// vector (or LIST, DICT, TABLE...); the negative of a base tag is an atom of
// that type: -I64 is an int64 scalar. The numbers are the C runtime's and
// the column files'.
type Type int8

const (
	List      Type = 0  // a vector of values
	Bool      Type = 1  // 1 byte, 0 or 1
	U8        Type = 2  // 1 byte
	I16       Type = 3  // 2 bytes
	I32       Type = 4  // 4 bytes
	I64       Type = 5  // 8 bytes
	F32       Type = 6  // 4 bytes
	F64       Type = 7  // 8 bytes
	Date      Type = 8  // int32 days since 1970-01-01
	Time      Type = 9  // int32 milliseconds since midnight
	Timestamp Type = 10 // int64 nanoseconds since 1970-01-01 UTC
	GUID      Type = 11 // 16 bytes
	Sym       Type = 12 // symbol ids, 1, 2, 4 or 8 bytes wide (attrs.SymWidth)
	Str       Type = 13 // 16-byte string views (Arrow's layout) over a pool
	Index     Type = 97 // an accelerator index block
	Table     Type = 98 // column names and columns
	Dict      Type = 99 // keys and values
	Null      Type = 126
	Error     Type = 127
)

// elemSizes are the element sizes of the vector types; SYM's is its widest.
var elemSizes = [Str + 1]int{List: 8, Bool: 1, U8: 1, I16: 2, I32: 4, I64: 8, F32: 4, F64: 8,
	Date: 4, Time: 4, Timestamp: 8, GUID: 16, Sym: 8, Str: 16}

var typeNames = map[Type]string{
	List: "LIST", Bool: "BOOL", U8: "U8", I16: "I16", I32: "I32", I64: "I64", F32: "F32", F64: "F64",
	Date: "DATE", Time: "TIME", Timestamp: "TIMESTAMP", GUID: "GUID", Sym: "SYM", Str: "STR",
	Index: "INDEX", Table: "TABLE", Dict: "DICT", Null: "NULL", Error: "ERROR",
}

func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	if t < 0 && t > -Str-1 {
		return "-" + typeNames[-t]
	}
	return fmt.Sprintf("Type(%d)", int8(t))
}

// IsAtom reports whether t is a scalar: a negative tag, NULL or ERROR.
func (t Type) IsAtom() bool { return t < 0 || t >= Null }

// IsVector reports whether t is a typed vector (BOOL through STR).
func (t Type) IsVector() bool { return t >= Bool && t <= Str }

// Base returns the vector type of an atom type (-I64 → I64), and t itself
// otherwise.
func (t Type) Base() Type {
	if t < 0 {
		return -t
	}
	return t
}

// Atom returns the atom type of a vector type (I64 → -I64); ok is false when
// t has no atoms.
func (t Type) Atom() (Type, bool) {
	if t >= Bool && t <= Str {
		return -t, true
	}
	return 0, false
}

// ElemSize returns the bytes of one element of a vector or LIST of type t
// (8 for SYM: the widest; a SYM vector's own width is in its attributes),
// and 0 for anything else.
func (t Type) ElemSize() int {
	if t >= List && t <= Str {
		return elemSizes[t]
	}
	return 0
}
