package rayarrow

import (
	"encoding/binary"
	"errors"
	"io"
	"sync/atomic"

	"github.com/raygo/ray"
)

// Arrow Go v17's IPC reader trusts the flatbuffer metadata of each message:
// it sizes Go slices from vector lengths it has not checked against the
// metadata, so a few bytes can make the Go runtime abort with out of
// memory, which no recover catches. verifiedStream stands between the
// reader and the bytes: it reads each message's metadata first and checks
// that every table, string and vector the reader will follow lies inside
// it, then passes the message on unchanged. The checks follow Arrow's
// Message.fbs and Schema.fbs (the slots below are their field numbers).

// maxMetadata bounds one message's metadata (a schema of many thousand
// columns takes a few MiB).
const maxMetadata = 64 << 20

// maxFieldDepth bounds the nesting of a schema's fields.
const maxFieldDepth = 64

// A FramedReader is a source of an IPC stream that receives each message
// whole, and so knows the length of a message's body before the body is
// read (an Arrow Flight stream: each FlightData is one message). The IPC
// readers check the body a message's metadata declares against it, so
// that a message of a few bytes cannot make them allocate the body it
// declares (up to the read's bound) before finding it missing.
type FramedReader interface {
	io.Reader
	// BodyLen returns the bytes of the body of the message whose metadata
	// was read last.
	BodyLen() int64
}

type verifiedStream struct {
	r       io.Reader
	input   *atomic.Uint64 // counts the bytes read (readAllocator.input)
	pending []byte         // verified bytes not yet handed on
	body    int64          // body bytes of the current message still to pass through
	done    bool
	views   viewCounts
}

// viewCounts says how many string and binary view arrays a record batch,
// and the dictionary batch of each dictionary id, holds: the reader reads
// one variadic buffer count for each, past the end of the vector if it is
// short, so the vector must have that many.
type viewCounts struct {
	batch int
	dicts map[int64]int
}

func (s *verifiedStream) Read(p []byte) (int, error) {
	for len(s.pending) == 0 && s.body == 0 {
		if s.done {
			return 0, io.EOF
		}
		if err := s.next(); err != nil {
			return 0, err
		}
	}
	if len(s.pending) > 0 {
		n := copy(p, s.pending)
		s.pending = s.pending[n:]
		return n, nil
	}
	if int64(len(p)) > s.body {
		p = p[:s.body]
	}
	n, err := s.r.Read(p)
	s.body -= int64(n)
	s.input.Add(uint64(n))
	if errors.Is(err, io.EOF) && s.body > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// next reads and verifies the next message's framing and metadata.
func (s *verifiedStream) next() error {
	var hdr [8]byte
	if _, err := io.ReadFull(s.r, hdr[:4]); err != nil {
		if errors.Is(err, io.EOF) { // the stream ends without an end marker
			s.done = true
			return nil
		}
		return err
	}
	head, size := hdr[:4], binary.LittleEndian.Uint32(hdr[:4])
	if size == 0xFFFFFFFF { // a continuation marker, then the size
		if _, err := io.ReadFull(s.r, hdr[4:]); err != nil {
			return err
		}
		head, size = hdr[:8], binary.LittleEndian.Uint32(hdr[4:])
	}
	if size == 0 { // the end-of-stream marker
		s.pending, s.done = append([]byte(nil), head...), true
		return nil
	}
	if size > maxMetadata {
		return corruptIPC("a message of %d bytes of metadata", size)
	}
	meta := make([]byte, size)
	if _, err := io.ReadFull(s.r, meta); err != nil {
		return err
	}
	s.input.Add(uint64(len(head) + len(meta)))
	body, err := verifyMessage(meta, &s.views)
	if err != nil {
		return err
	}
	if fr, ok := s.r.(FramedReader); ok && body > fr.BodyLen() {
		return corruptIPC("a message declaring a body of %d bytes holds %d", body, fr.BodyLen())
	}
	s.pending = append(append(make([]byte, 0, len(head)+len(meta)), head...), meta...)
	s.body = body
	return nil
}

func corruptIPC(format string, args ...any) error {
	return ray.Errorf(ray.ErrCorrupt, "rayarrow.ReadIPC", "IPC metadata: "+format, args...)
}

// fb is a flatbuffer whose every read is bounds-checked.
type fb []byte

func (b fb) u16(at int) (int, error) {
	if at < 0 || at+2 > len(b) {
		return 0, corruptIPC("a read at %d past %d bytes", at, len(b))
	}
	return int(binary.LittleEndian.Uint16(b[at:])), nil
}

func (b fb) u32(at int) (int, error) {
	if at < 0 || at+4 > len(b) {
		return 0, corruptIPC("a read at %d past %d bytes", at, len(b))
	}
	return int(binary.LittleEndian.Uint32(b[at:])), nil
}

func (b fb) i64(at int) (int64, error) {
	if at < 0 || at+8 > len(b) {
		return 0, corruptIPC("a read at %d past %d bytes", at, len(b))
	}
	return int64(binary.LittleEndian.Uint64(b[at:])), nil
}

// table is a flatbuffer table: its position and its vtable's.
type table struct {
	b          fb
	pos, vt    int
	vtLen, len int
}

func (b fb) table(pos int) (table, error) {
	soff, err := b.u32(pos)
	if err != nil {
		return table{}, err
	}
	vt := pos - int(int32(soff))
	vtLen, err := b.u16(vt)
	if err != nil {
		return table{}, err
	}
	tLen, err := b.u16(vt + 2)
	if err != nil {
		return table{}, err
	}
	if vtLen < 4 || vtLen%2 != 0 || vt+vtLen > len(b) || pos+tLen > len(b) {
		return table{}, corruptIPC("a table at %d with a vtable of %d bytes at %d", pos, vtLen, vt)
	}
	return table{b, pos, vt, vtLen, tLen}, nil
}

// field returns the position of field slot in t, or -1 if it is absent.
func (t table) field(slot int) (int, error) {
	at := 4 + 2*slot
	if at >= t.vtLen {
		return -1, nil
	}
	off, err := t.b.u16(t.vt + at)
	if err != nil || off == 0 {
		return -1, err
	}
	if off >= t.len {
		return -1, corruptIPC("field %d of the table at %d at %d, past its %d bytes", slot, t.pos, off, t.len)
	}
	return t.pos + off, nil
}

// ref follows the offset in field slot: the position it points at, or -1.
func (t table) ref(slot int) (int, error) {
	f, err := t.field(slot)
	if f < 0 || err != nil {
		return -1, err
	}
	off, err := t.b.u32(f)
	if err != nil {
		return -1, err
	}
	if f+off >= len(t.b) {
		return -1, corruptIPC("field %d of the table at %d points past the metadata", slot, t.pos)
	}
	return f + off, nil
}

// sub returns the table in field slot; ok is false if it is absent.
func (t table) sub(slot int) (table, bool, error) {
	at, err := t.ref(slot)
	if at < 0 || err != nil {
		return table{}, false, err
	}
	s, err := t.b.table(at)
	return s, err == nil, err
}

// vector checks the vector in field slot, of elements of size bytes, and
// returns its first element's position and its length (0, 0 if absent).
func (t table) vector(slot, size int) (int, int, error) {
	at, err := t.ref(slot)
	if at < 0 || err != nil {
		return 0, 0, err
	}
	n, err := t.b.u32(at)
	if err != nil {
		return 0, 0, err
	}
	if uint64(at)+4+uint64(n)*uint64(size) > uint64(len(t.b)) {
		return 0, 0, corruptIPC("a vector of %d elements of %d bytes at %d, past %d bytes", n, size, at, len(t.b))
	}
	return at + 4, n, nil
}

// tables checks each table of the vector of tables in field slot with f.
func (t table) tables(slot int, f func(table) error) error {
	first, n, err := t.vector(slot, 4)
	if err != nil {
		return err
	}
	for i := range n {
		at := first + 4*i
		off, err := t.b.u32(at)
		if err != nil {
			return err
		}
		s, err := t.b.table(at + off)
		if err != nil {
			return err
		}
		if err := f(s); err != nil {
			return err
		}
	}
	return nil
}

func (t table) u8(slot int) (int, error) {
	f, err := t.field(slot)
	if f < 0 || err != nil {
		return 0, err
	}
	if f >= len(t.b) {
		return 0, corruptIPC("a byte past the metadata")
	}
	return int(t.b[f]), nil
}

func (t table) u16(slot int) (int, error) {
	f, err := t.field(slot)
	if f < 0 || err != nil {
		return 0, err
	}
	return t.b.u16(f)
}

func (t table) i64(slot int) (int64, error) {
	f, err := t.field(slot)
	if f < 0 || err != nil {
		return 0, err
	}
	return t.b.i64(f)
}

// verifyMessage checks a Message and returns its body length. A schema
// sets views; batches are checked against it.
func verifyMessage(meta []byte, views *viewCounts) (int64, error) {
	b := fb(meta)
	root, err := b.u32(0)
	if err != nil {
		return 0, err
	}
	m, err := b.table(root)
	if err != nil {
		return 0, err
	}
	if err := m.tables(4, verifyKeyValue); err != nil { // custom_metadata
		return 0, err
	}
	body, err := m.i64(3)
	if err != nil {
		return 0, err
	}
	if body < 0 {
		return 0, corruptIPC("a body of %d bytes", body)
	}
	kind, err := m.u8(1)
	if err != nil {
		return 0, err
	}
	header, ok, err := m.sub(2)
	if err != nil || !ok {
		return body, err
	}
	switch kind {
	case 1: // Schema
		*views = viewCounts{dicts: map[int64]int{}}
		return body, verifySchema(header, views)
	case 2: // DictionaryBatch
		id, err := header.i64(0)
		if err != nil {
			return body, err
		}
		data, ok, err := header.sub(1)
		if err != nil || !ok {
			return body, err
		}
		return body, verifyRecordBatch(data, views.dicts[id])
	case 3: // RecordBatch
		return body, verifyRecordBatch(header, views.batch)
	}
	return body, nil // tensors and unknown kinds: the reader refuses them
}

func verifyKeyValue(kv table) error {
	if _, _, err := kv.vector(0, 1); err != nil {
		return err
	}
	_, _, err := kv.vector(1, 1)
	return err
}

func verifySchema(s table, views *viewCounts) error {
	if err := s.tables(1, func(f table) error { return verifyField(f, 0, views, &views.batch) }); err != nil {
		return err
	}
	if err := s.tables(2, verifyKeyValue); err != nil {
		return err
	}
	_, _, err := s.vector(3, 8) // features
	return err
}

// verifyField checks a field and its children, adding the view arrays it
// holds to *count, or, for a dictionary-encoded field (whose batches hold
// indices), to its dictionary's count.
func verifyField(f table, depth int, views *viewCounts, count *int) error {
	if depth > maxFieldDepth {
		return corruptIPC("fields nested deeper than %d", maxFieldDepth)
	}
	if _, _, err := f.vector(0, 1); err != nil { // name
		return err
	}
	typ, err := f.u8(2)
	if err != nil {
		return err
	}
	if d, ok, err := f.sub(4); err != nil { // dictionary encoding
		return err
	} else if ok {
		if _, _, err := d.sub(1); err != nil { // its index type
			return err
		}
		id, err := d.i64(0)
		if err != nil {
			return err
		}
		n := views.dicts[id]
		count = &n
		defer func() { views.dicts[id] = n }()
	}
	if typ == 23 || typ == 24 { // BinaryView, Utf8View
		*count++
	}
	if t, ok, err := f.sub(3); err != nil {
		return err
	} else if ok {
		switch typ {
		case 10: // Timestamp: its time zone
			if _, _, err := t.vector(1, 1); err != nil {
				return err
			}
		case 14: // Union: its type ids
			if _, _, err := t.vector(1, 4); err != nil {
				return err
			}
		}
	}
	if err := f.tables(5, func(c table) error { return verifyField(c, depth+1, views, count) }); err != nil {
		return err
	}
	return f.tables(6, verifyKeyValue)
}

func verifyRecordBatch(rb table, views int) error {
	if _, _, err := rb.vector(1, 16); err != nil { // nodes
		return err
	}
	_, nbufs, err := rb.vector(2, 16) // buffers
	if err != nil {
		return err
	}
	if _, _, err := rb.sub(3); err != nil { // compression
		return err
	}
	// The reader sizes a slice by each variadic count (string and binary
	// views): none can exceed the buffers there are.
	first, n, err := rb.vector(4, 8)
	if err != nil {
		return err
	}
	if n < views {
		return corruptIPC("%d variadic buffer counts for %d view arrays", n, views)
	}
	for i := range n {
		c, err := rb.b.i64(first + 8*i)
		if err != nil {
			return err
		}
		if c < 0 || c > int64(nbufs) {
			return corruptIPC("a variadic buffer count of %d in a batch of %d buffers", c, nbufs)
		}
	}
	return nil
}
