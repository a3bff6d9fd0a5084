package vec

import (
	"github.com/raygo/ray"
	"github.com/raygo/ray/value"
)

// Elem is a Go type that can view a vector's elements in place:
//
//	bool      BOOL
//	uint8     U8
//	int16     I16
//	int32     I32, DATE (days since 1970), TIME (ms since midnight)
//	int64     I64, TIMESTAMP (ns since 1970)
//	float32   F32
//	float64   F64
//	[16]byte  GUID
//
// Elems and the other generic functions check that T is the element type of
// the vector's type, so an []int32 can never view an I64 vector.
type Elem interface {
	bool | uint8 | int16 | int32 | int64 | float32 | float64 | [16]byte
}

// accepts reports whether T views vectors of type t.
func accepts[T Elem](t value.Type) bool {
	var z T
	switch any(z).(type) {
	case bool:
		return t == value.Bool
	case uint8:
		return t == value.U8
	case int16:
		return t == value.I16
	case int32:
		return t == value.I32 || t == value.Date || t == value.Time
	case int64:
		return t == value.I64 || t == value.Timestamp
	case float32:
		return t == value.F32
	case float64:
		return t == value.F64
	case [16]byte:
		return t == value.GUID
	}
	return false
}

// typeError is the error for a T that does not view type t.
func typeError[T Elem](op string, t value.Type) error {
	var z T
	return ray.Errorf(ray.ErrType, op, "a %T cannot view a %v vector", z, t)
}

// isFixed reports whether t is a vector type whose elements an Elem views.
func isFixed(t value.Type) bool {
	switch t {
	case value.Bool, value.U8, value.I16, value.I32, value.I64, value.F32, value.F64,
		value.Date, value.Time, value.Timestamp, value.GUID:
		return true
	}
	return false
}
