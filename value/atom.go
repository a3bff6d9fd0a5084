package value

import (
	"math"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/offheap"
)

// Atoms keep their payload in header bytes 24..31 (Word), as the C runtime
// does: BOOL and U8 in the low byte, I16 in the low two, I32, DATE and TIME
// in the low four (sign-extended), F32 as its 32 bits (not widened to
// float64), F64, I64, TIMESTAMP and SYM ids in all eight. STR and GUID atoms
// keep their bytes in the block's own data, and Word holds a STR's length.
//
// A typed null atom has bit 0 of header byte 0 set and a zero payload.
const typedNullBit = 1

// newAtom allocates an atom of type t with data bytes of room.
func newAtom(t Type, data uintptr, word uint64) (V, error) {
	p, err := heap.Alloc(data)
	if err != nil {
		return V{}, err
	}
	h := heap.HeaderOf(p)
	h.Type = int8(t)
	h.Word = word
	return V{p}, nil
}

// NewBool returns a BOOL atom.
func NewBool(b bool) (V, error) {
	var w uint64
	if b {
		w = 1
	}
	return newAtom(-Bool, 0, w)
}

// NewU8 returns a U8 atom.
func NewU8(x uint8) (V, error) { return newAtom(-U8, 0, uint64(x)) }

// NewI16 returns an I16 atom.
func NewI16(x int16) (V, error) { return newAtom(-I16, 0, uint64(int64(x))) }

// NewI32 returns an I32 atom.
func NewI32(x int32) (V, error) { return newAtom(-I32, 0, uint64(int64(x))) }

// NewI64 returns an I64 atom.
func NewI64(x int64) (V, error) { return newAtom(-I64, 0, uint64(x)) }

// NewF32 returns an F32 atom; the value stays a float32.
func NewF32(x float32) (V, error) { return newAtom(-F32, 0, uint64(math.Float32bits(x))) }

// NewF64 returns an F64 atom.
func NewF64(x float64) (V, error) { return newAtom(-F64, 0, math.Float64bits(x)) }

// NewDate returns a DATE atom of days since 1970-01-01 (see DateOf).
func NewDate(days int32) (V, error) { return newAtom(-Date, 0, uint64(int64(days))) }

// NewTime returns a TIME atom of milliseconds since midnight, which must lie
// in [0, 86400000) (ErrDomain otherwise).
func NewTime(ms int32) (V, error) {
	if ms < 0 || ms >= MillisPerDay {
		return V{}, ray.Errorf(ray.ErrDomain, "value.NewTime", "%d ms is not a time of day: want [0, %d)", ms, MillisPerDay)
	}
	return newAtom(-Time, 0, uint64(int64(ms)))
}

// NewTimestamp returns a TIMESTAMP atom of nanoseconds since 1970-01-01 UTC.
func NewTimestamp(ns int64) (V, error) { return newAtom(-Timestamp, 0, uint64(ns)) }

// NewGUID returns a GUID atom.
func NewGUID(g [16]byte) (V, error) {
	v, err := newAtom(-GUID, 16, 0)
	if err == nil {
		*(*[16]byte)(v.data()) = g
	}
	return v, err
}

// NewStr returns a STR atom holding a copy of s.
func NewStr(s string) (V, error) {
	v, err := newAtom(-Str, uintptr(len(s)), uint64(len(s)))
	if err == nil {
		copy(offheap.Bytes(uintptr(v.data()), uintptr(len(s))), s)
	}
	return v, err
}

// NewSym returns a SYM atom for name, interning it.
func NewSym(name string) (V, error) {
	id, err := Intern(name)
	if err != nil {
		return V{}, err
	}
	return NewSymID(id)
}

// NewSymID returns a SYM atom for an interned id (ErrRange if there is no
// such symbol).
func NewSymID(id int64) (V, error) {
	if id < 0 || id >= SymCount() {
		return V{}, ray.Errorf(ray.ErrRange, "value.NewSymID", "symbol id %d outside [0, %d)", id, SymCount())
	}
	return newAtom(-Sym, 0, uint64(id))
}

// TypedNull returns the null atom of atom type t (a negative tag: -I64, not
// I64; ErrType otherwise).
func TypedNull(t Type) (V, error) {
	if t >= 0 || t < -Str {
		return V{}, ray.Errorf(ray.ErrType, "value.TypedNull", "%v is not an atom type", t)
	}
	var data uintptr
	if t == -GUID {
		data = 16
	}
	v, err := newAtom(t, data, 0)
	if err == nil {
		v.header().SetAtomTag(typedNullBit)
		if t == -GUID {
			*(*[16]byte)(v.data()) = [16]byte{}
		}
	}
	return v, err
}

// IsNull reports whether v is the NULL singleton or a typed null atom.
func IsNull(v V) bool {
	if v.p == nil {
		return false
	}
	if v == null {
		return true
	}
	return v.header().Type < 0 && v.header().AtomTag()&typedNullBit != 0
}

// atomOf checks that v is an atom of type t.
func atomOf(v V, t Type, op string) (*heap.Header, error) {
	if v.p == nil {
		return nil, ray.Errorf(ray.ErrType, op, "no value")
	}
	h := v.header()
	if Type(h.Type) != t {
		return nil, ray.Errorf(ray.ErrType, op, "want a %v atom, have %v", t, Type(h.Type))
	}
	if t == -I64 && h.Attrs&attrbits.Handles != 0 {
		return nil, ray.Errorf(ray.ErrType, op, "the -I64 atom holds a handle, not a number")
	}
	return h, nil
}

// AsBool returns the value of a BOOL atom.
func AsBool(v V) (bool, error) {
	h, err := atomOf(v, -Bool, "value.AsBool")
	return err == nil && h.Word != 0, err
}

// AsU8 returns the value of a U8 atom.
func AsU8(v V) (uint8, error) {
	h, err := atomOf(v, -U8, "value.AsU8")
	if err != nil {
		return 0, err
	}
	return uint8(h.Word), nil
}

// AsI16 returns the value of an I16 atom.
func AsI16(v V) (int16, error) {
	h, err := atomOf(v, -I16, "value.AsI16")
	if err != nil {
		return 0, err
	}
	return int16(h.Word), nil
}

// AsI32 returns the value of an I32 atom.
func AsI32(v V) (int32, error) {
	h, err := atomOf(v, -I32, "value.AsI32")
	if err != nil {
		return 0, err
	}
	return int32(h.Word), nil
}

// AsI64 returns the value of an I64 atom (not a handle atom).
func AsI64(v V) (int64, error) {
	h, err := atomOf(v, -I64, "value.AsI64")
	if err != nil {
		return 0, err
	}
	return int64(h.Word), nil
}

// AsF32 returns the value of an F32 atom.
func AsF32(v V) (float32, error) {
	h, err := atomOf(v, -F32, "value.AsF32")
	if err != nil {
		return 0, err
	}
	return math.Float32frombits(uint32(h.Word)), nil
}

// AsF64 returns the value of an F64 atom.
func AsF64(v V) (float64, error) {
	h, err := atomOf(v, -F64, "value.AsF64")
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(h.Word), nil
}

// AsDate returns the days since 1970-01-01 of a DATE atom.
func AsDate(v V) (int32, error) {
	h, err := atomOf(v, -Date, "value.AsDate")
	if err != nil {
		return 0, err
	}
	return int32(h.Word), nil
}

// AsTime returns the milliseconds since midnight of a TIME atom.
func AsTime(v V) (int32, error) {
	h, err := atomOf(v, -Time, "value.AsTime")
	if err != nil {
		return 0, err
	}
	return int32(h.Word), nil
}

// AsTimestamp returns the nanoseconds since 1970-01-01 UTC of a TIMESTAMP
// atom.
func AsTimestamp(v V) (int64, error) {
	h, err := atomOf(v, -Timestamp, "value.AsTimestamp")
	if err != nil {
		return 0, err
	}
	return int64(h.Word), nil
}

// AsGUID returns the bytes of a GUID atom.
func AsGUID(v V) ([16]byte, error) {
	if _, err := atomOf(v, -GUID, "value.AsGUID"); err != nil {
		return [16]byte{}, err
	}
	return *(*[16]byte)(v.data()), nil
}

// AsSym returns the symbol id of a SYM atom.
func AsSym(v V) (int64, error) {
	h, err := atomOf(v, -Sym, "value.AsSym")
	if err != nil {
		return 0, err
	}
	return int64(h.Word), nil
}

// AsStr returns a copy of a STR atom's bytes as a Go string.
func AsStr(v V) (string, error) {
	b, err := StrBytes(v)
	return string(b), err
}

// StrBytes returns a STR atom's bytes without copying. The slice aliases the
// atom's block: it is valid while the caller holds a reference to v, and
// must not be written (atoms may be shared).
func StrBytes(v V) ([]byte, error) {
	h, err := atomOf(v, -Str, "value.StrBytes")
	if err != nil {
		return nil, err
	}
	if h.Word == 0 {
		return []byte{}, nil
	}
	return unsafe.Slice((*byte)(v.data()), h.Word), nil
}
