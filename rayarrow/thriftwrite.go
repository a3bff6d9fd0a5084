package rayarrow

import "encoding/binary"

// thriftWriter writes Thrift's compact protocol, the encoding of Parquet's
// file metadata and page headers, for the Parquet writer: the counterpart
// of thriftReader. Structs are written field by field in increasing id
// order (the short form of a field header holds the id's delta from the
// last one); begin and end bracket a nested struct.
type thriftWriter struct {
	b    []byte
	last []int16 // the last field id written, per open struct
}

func (w *thriftWriter) begin() { w.last = append(w.last, 0) }

func (w *thriftWriter) end() {
	w.b = append(w.b, tStop)
	w.last = w.last[:len(w.last)-1]
}

// field writes a field header of id and compact type typ.
func (w *thriftWriter) field(id int16, typ byte) {
	top := &w.last[len(w.last)-1]
	if d := id - *top; d > 0 && d <= 15 {
		w.b = append(w.b, byte(d)<<4|typ)
	} else {
		w.b = append(w.b, typ)
		w.b = binary.AppendVarint(w.b, int64(id))
	}
	*top = id
}

func (w *thriftWriter) i32(id int16, v int32) {
	w.field(id, tI32)
	w.b = binary.AppendVarint(w.b, int64(v))
}

func (w *thriftWriter) i64(id int16, v int64) {
	w.field(id, tI64)
	w.b = binary.AppendVarint(w.b, v)
}

func (w *thriftWriter) i8(id int16, v int8) {
	w.field(id, tByte)
	w.b = append(w.b, byte(v))
}

func (w *thriftWriter) bool(id int16, v bool) {
	if v {
		w.field(id, tTrue)
	} else {
		w.field(id, tFalse)
	}
}

func (w *thriftWriter) binary(id int16, v []byte) {
	w.field(id, tBinary)
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}

func (w *thriftWriter) string(id int16, v string) { w.binary(id, []byte(v)) }

// structField opens a struct-typed field; end closes it.
func (w *thriftWriter) structField(id int16) {
	w.field(id, tStruct)
	w.begin()
}

// list opens a list field of n elements of compact type elem; a list of
// structs then has each element bracketed by begin and end.
func (w *thriftWriter) list(id int16, elem byte, n int) {
	w.field(id, tList)
	if n < 15 {
		w.b = append(w.b, byte(n)<<4|elem)
	} else {
		w.b = append(w.b, 0xf0|elem)
		w.b = binary.AppendUvarint(w.b, uint64(n))
	}
}

// i32Elem and binaryElem write list elements.
func (w *thriftWriter) i32Elem(v int32) { w.b = binary.AppendVarint(w.b, int64(v)) }

func (w *thriftWriter) binaryElem(v string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}
