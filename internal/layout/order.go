package layout

import (
	"bytes"
	"encoding/binary"
	"math"
	"unsafe"

	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// RowsInOrder reports whether the rows of the vector v are ascending
// (sorted: each row at least the one before) and whether no two are equal
// (unique), as SORTED and UNIQUE promise. Both are false when a row is
// null or a float is NaN, and for a LIST; a SYM vector's ids are compared
// as ids. It reads every row (and keeps a set of them for unique, unless
// they are sorted), so it is for checks: cow.Check, and package attrs under
// the raydebug build tag.
func RowsInOrder(v value.V) (sorted, unique bool) {
	if v.IsZero() || !v.IsVector() {
		return false, false
	}
	n := int(Len(v))
	if bits, off := NullBits(v); bits != nil {
		for i := range n {
			if j := off + i; j>>3 < len(bits) && bits[j>>3]&(1<<(j&7)) != 0 {
				return false, false
			}
		}
	}
	key := rowKey(v)
	sorted, strict := true, true
	var prev []byte
	for i := range n {
		k, ok := key(i)
		if !ok {
			return false, false
		}
		if i > 0 {
			switch c := bytes.Compare(prev, k); {
			case c > 0:
				sorted = false
			case c == 0:
				strict = false
			}
		}
		prev = append(prev[:0], k...)
		if !sorted {
			break
		}
	}
	if sorted {
		return true, strict
	}
	seen := make(map[string]struct{}, n)
	for i := range n {
		k, _ := key(i)
		if _, dup := seen[string(k)]; dup {
			return false, false
		}
		seen[string(k)] = struct{}{}
	}
	return false, true
}

// rowKey returns a function giving row i of v as bytes that compare
// (bytes.Compare) as the rows do, and ok false for a NaN.
func rowKey(v value.V) func(i int) ([]byte, bool) {
	data := Data(v)
	size := ElemSize(v)
	var buf [16]byte
	raw := func(i int) []byte { return offheap.Bytes(uintptr(data)+uintptr(i*size), uintptr(size)) }
	// A signed integer's bytes, big-endian with the sign bit flipped,
	// compare as the integers do.
	signed := func(x int64) []byte {
		binary.BigEndian.PutUint64(buf[:8], uint64(x)^1<<63)
		return buf[:8]
	}
	// So do a float's, with negative numbers' bits all flipped; -0 is 0.
	float := func(f float64) ([]byte, bool) {
		if math.IsNaN(f) {
			return nil, false
		}
		if f == 0 {
			f = 0
		}
		b := math.Float64bits(f)
		if b&(1<<63) != 0 {
			b = ^b
		} else {
			b |= 1 << 63
		}
		binary.BigEndian.PutUint64(buf[:8], b)
		return buf[:8], true
	}
	switch v.Type() {
	case value.Bool, value.U8, value.GUID:
		return func(i int) ([]byte, bool) { return raw(i), true }
	case value.I16:
		return func(i int) ([]byte, bool) { return signed(int64(*(*int16)(unsafe.Pointer(&raw(i)[0])))), true }
	case value.I32, value.Date, value.Time:
		return func(i int) ([]byte, bool) { return signed(int64(*(*int32)(unsafe.Pointer(&raw(i)[0])))), true }
	case value.I64, value.Timestamp:
		return func(i int) ([]byte, bool) { return signed(*(*int64)(unsafe.Pointer(&raw(i)[0]))), true }
	case value.F32:
		return func(i int) ([]byte, bool) { return float(float64(*(*float32)(unsafe.Pointer(&raw(i)[0])))) }
	case value.F64:
		return func(i int) ([]byte, bool) { return float(*(*float64)(unsafe.Pointer(&raw(i)[0]))) }
	case value.Sym:
		return func(i int) ([]byte, bool) {
			var id uint64
			for j, b := range raw(i) {
				id |= uint64(b) << (8 * j)
			}
			binary.BigEndian.PutUint64(buf[:8], id)
			return buf[:8], true
		}
	case value.Str:
		var pool []byte
		if p := Pool(v); !p.IsZero() {
			pool = offheap.Bytes(uintptr(BlockData(p)), uintptr(Len(p)))
		}
		return func(i int) ([]byte, bool) {
			e := raw(i)
			l := binary.LittleEndian.Uint32(e)
			if l <= 12 {
				return e[4 : 4+l], true
			}
			at := uint64(binary.LittleEndian.Uint32(e[12:]))
			if at+uint64(l) > uint64(len(pool)) {
				return nil, false // a bad view: cow.Check reports it
			}
			return pool[at : at+uint64(l)], true
		}
	}
	return func(int) ([]byte, bool) { return nil, false }
}
