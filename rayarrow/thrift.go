package rayarrow

import (
	"encoding/binary"
	"math"
)

// thriftReader walks Thrift's compact protocol, the encoding of Parquet's
// file metadata and page headers, without building anything: it reads the
// fields a caller asks for and skips the rest. parquetverify.go walks a
// file's metadata and page headers with it before Arrow Go decodes them.
//
// Arrow Go sizes Go slices from the counts a Thrift list declares, and
// recurses as deep as structs nest. The walk refuses what would make
// either dangerous: a list or map of more elements than bytes left (every
// element takes at least one byte), nesting deeper than maxThriftDepth, and
// anything truncated. It also counts the elements it passes (elems), from
// which the caller bounds what decoding will allocate.
type thriftReader struct {
	b     []byte
	pos   int
	depth int
	elems int  // list, set and map elements and struct fields passed
	bad   bool // the bytes are not valid compact Thrift: every read after returns zero
	why   string
}

// maxThriftDepth bounds how deep structs and containers nest. Parquet's
// metadata nests six levels at most (a file's row group's column chunk's
// metadata's statistics, a schema element's logical type's time unit).
const maxThriftDepth = 24

// Compact protocol types.
const (
	tStop     = 0
	tTrue     = 1
	tFalse    = 2
	tByte     = 3
	tI16      = 4
	tI32      = 5
	tI64      = 6
	tDouble   = 7
	tBinary   = 8
	tList     = 9
	tSet      = 10
	tMap      = 11
	tStruct   = 12
	tUUID     = 13
	numTTypes = 14
)

func (t *thriftReader) fail(why string) {
	if !t.bad {
		t.bad, t.why = true, why
	}
	t.pos = len(t.b)
}

func (t *thriftReader) left() int { return len(t.b) - t.pos }

func (t *thriftReader) byte() byte {
	if t.pos >= len(t.b) {
		t.fail("truncated")
		return 0
	}
	c := t.b[t.pos]
	t.pos++
	return c
}

func (t *thriftReader) varint() uint64 {
	v, n := binary.Uvarint(t.b[t.pos:])
	if n <= 0 {
		t.fail("a bad varint")
		return 0
	}
	t.pos += n
	return v
}

// i64 reads a zigzag varint (i16, i32 and i64 alike).
func (t *thriftReader) i64() int64 {
	v := t.varint()
	return int64(v>>1) ^ -int64(v&1)
}

// i32 reads a zigzag varint that must fit in 32 bits.
func (t *thriftReader) i32() int32 {
	v := t.i64()
	if v < math.MinInt32 || v > math.MaxInt32 {
		t.fail("an i32 out of range")
		return 0
	}
	return int32(v)
}

// skipBytes passes n bytes.
func (t *thriftReader) skipBytes(n uint64) {
	if n > uint64(t.left()) {
		t.fail("truncated")
		return
	}
	t.pos += int(n)
}

// binary returns a binary or string field's bytes (aliasing the input).
func (t *thriftReader) binary() []byte {
	n := t.varint()
	if n > uint64(t.left()) {
		t.fail("a binary field longer than what is left")
		return nil
	}
	s := t.b[t.pos : t.pos+int(n)]
	t.pos += int(n)
	return s
}

// fields walks a struct: for each field it calls f with the field's id and
// type, and f reads the value (or calls skip). It stops at the struct's
// end or at the first fault.
func (t *thriftReader) fields(f func(id int16, typ byte)) {
	if t.enter() {
		return
	}
	defer t.leave()
	var id int16
	for !t.bad {
		h := t.byte()
		typ := h & 15
		if typ == tStop {
			return
		}
		if d := h >> 4; d != 0 {
			id += int16(d)
		} else {
			v := t.i64()
			if v < math.MinInt16 || v > math.MaxInt16 {
				t.fail("a field id out of range")
				return
			}
			id = int16(v)
		}
		if typ >= numTTypes {
			t.fail("an unknown field type")
			return
		}
		t.elems++
		f(id, typ)
	}
}

func (t *thriftReader) enter() bool {
	t.depth++
	if t.depth > maxThriftDepth {
		t.fail("nested too deep")
		return true
	}
	return false
}

func (t *thriftReader) leave() { t.depth-- }

// list reads a list or set header: its element type and size. The size is
// at most the bytes left, since every element takes at least one.
func (t *thriftReader) list() (elem byte, n int) {
	h := t.byte()
	size := uint64(h >> 4)
	if size == 15 {
		size = t.varint()
	}
	elem = h & 15
	if size > uint64(t.left()) || elem == tStop || elem >= numTTypes {
		t.fail("a list of more elements than bytes left")
		return 0, 0
	}
	t.elems += int(size)
	return elem, int(size)
}

// elements calls f for each element of a list or set of the given type,
// which must be want.
func (t *thriftReader) elements(typ, want byte, f func()) {
	if typ != tList && typ != tSet {
		t.fail("a list field of another type")
		return
	}
	elem, n := t.list()
	if elem != want && !(want == tTrue && elem == tFalse) {
		t.fail("a list of the wrong element type")
		return
	}
	if t.enter() {
		return
	}
	defer t.leave()
	for i := 0; i < n && !t.bad; i++ {
		f()
	}
}

// skip passes a value of type typ.
func (t *thriftReader) skip(typ byte) {
	switch typ {
	case tTrue, tFalse:
		// a struct field's bool is in its field header
	case tByte:
		t.skipBytes(1)
	case tI16, tI32, tI64:
		t.varint()
	case tDouble:
		t.skipBytes(8)
	case tUUID:
		t.skipBytes(16)
	case tBinary:
		t.skipBytes(t.varint())
	case tStruct:
		t.fields(func(_ int16, typ byte) { t.skip(typ) })
	case tList, tSet:
		elem, n := t.list()
		if t.enter() {
			return
		}
		for i := 0; i < n && !t.bad; i++ {
			t.skipElem(elem)
		}
		t.leave()
	case tMap:
		size := t.varint()
		if size == 0 {
			return
		}
		kv := t.byte()
		if size > uint64(t.left())/2 || kv>>4 == tStop || kv&15 == tStop || kv>>4 >= numTTypes || kv&15 >= numTTypes {
			t.fail("a map of more entries than bytes left")
			return
		}
		t.elems += int(size)
		if t.enter() {
			return
		}
		for i := uint64(0); i < size && !t.bad; i++ {
			t.skipElem(kv >> 4)
			t.skipElem(kv & 15)
		}
		t.leave()
	default:
		t.fail("an unknown type")
	}
}

// skipElem passes a container element: as skip, but a bool is a byte.
func (t *thriftReader) skipElem(typ byte) {
	if typ == tTrue || typ == tFalse {
		t.skipBytes(1)
		return
	}
	t.skip(typ)
}

// int reads an integer field of any integer type.
func (t *thriftReader) int(typ byte) int64 {
	switch typ {
	case tI16, tI32, tI64:
		return t.i64()
	case tByte:
		return int64(int8(t.byte()))
	}
	t.fail("an integer field of another type")
	return 0
}
