package rayflight

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/flight"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"google.golang.org/grpc/encoding"
	protocodec "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// wireCodec is gRPC's protobuf codec for every message but two of
// rayflight's own (the package doc's "On the wire" says why):
//
//   - outData, a FlightData to send, encoded straight from the body's
//     buffers (the exported columns) into one buffer of gRPC's pool;
//   - inData, a FlightData received, whose body stays in the frames gRPC
//     received it in until the IPC reader copies it out.
type wireCodec struct{ proto encoding.CodecV2 }

var codec = wireCodec{encoding.GetCodecV2(protocodec.Name)}

func (c wireCodec) Name() string { return protocodec.Name }

func (c wireCodec) Marshal(v any) (mem.BufferSlice, error) {
	if m, ok := v.(*outData); ok {
		return m.encode(), nil
	}
	return c.proto.Marshal(v)
}

func (c wireCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if m, ok := v.(*inData); ok {
		return m.decode(data)
	}
	return c.proto.Unmarshal(data, v)
}

// FlightData's fields (Flight.proto): flight_descriptor = 1, data_header
// = 2, app_metadata = 3, data_body = 1000, each length-delimited.
const (
	fieldDescriptor = 1
	fieldHeader     = 2
	fieldBody       = 1000
	wireBytes       = int(protowire.BytesType)
)

// outData is one FlightData to send: an IPC message's metadata and body.
type outData struct {
	descriptor []byte   // a marshalled FlightDescriptor, or nil
	header     []byte   // the IPC message's flatbuffer metadata
	body       [][]byte // the body's buffers and padding, in order
	bodyLen    int
}

// Write collects one piece of the body; ipc.Payload.SerializeBody calls it.
func (m *outData) Write(p []byte) (int, error) {
	m.body = append(m.body, p)
	m.bodyLen += len(p)
	return len(p), nil
}

// encode lays m out as FlightData's protobuf encoding (fields in number
// order, empty ones left out, as protobuf writes them) in one buffer of
// gRPC's pool, which gRPC gives back once the message is on the wire.
func (m *outData) encode() mem.BufferSlice {
	size := 0
	if len(m.descriptor) > 0 {
		size += protowire.SizeTag(fieldDescriptor) + protowire.SizeBytes(len(m.descriptor))
	}
	if len(m.header) > 0 {
		size += protowire.SizeTag(fieldHeader) + protowire.SizeBytes(len(m.header))
	}
	if m.bodyLen > 0 {
		size += protowire.SizeTag(fieldBody) + protowire.SizeBytes(m.bodyLen)
	}
	pool := mem.DefaultBufferPool()
	buf := pool.Get(size)
	b := (*buf)[:0]
	if len(m.descriptor) > 0 {
		b = protowire.AppendBytes(protowire.AppendTag(b, fieldDescriptor, protowire.BytesType), m.descriptor)
	}
	if len(m.header) > 0 {
		b = protowire.AppendBytes(protowire.AppendTag(b, fieldHeader, protowire.BytesType), m.header)
	}
	if m.bodyLen > 0 {
		b = protowire.AppendVarint(protowire.AppendTag(b, fieldBody, protowire.BytesType), uint64(m.bodyLen))
		for _, p := range m.body {
			b = append(b, p...)
		}
	}
	*buf = b
	return mem.BufferSlice{mem.NewBuffer(buf, pool)}
}

// sender is the sending side of a stream: grpc.ServerStream and
// grpc.ClientStream both are.
type sender interface {
	SendMsg(m any) error
}

// payloadWriter writes an ipc.Writer's messages to a Flight stream as
// outData.
type payloadWriter struct {
	stream     sender
	descriptor []byte // sent with the first message, then nil
}

// newStreamWriter returns the writer of DoGet and Put: records written to
// it go to stream, the first message with desc when it is not nil.
func newStreamWriter(stream sender, schema *arrow.Schema, desc *flight.FlightDescriptor) (*ipc.Writer, error) {
	pw := &payloadWriter{stream: stream}
	if desc != nil {
		b, err := proto.Marshal(desc)
		if err != nil {
			return nil, err
		}
		pw.descriptor = b
	}
	return ipc.NewWriterWithPayloadWriter(pw, ipc.WithSchema(schema)), nil
}

func (pw *payloadWriter) Start() error { return nil }
func (pw *payloadWriter) Close() error { return nil }

func (pw *payloadWriter) WritePayload(p ipc.Payload) error {
	m := &outData{descriptor: pw.descriptor}
	pw.descriptor = nil
	if meta := p.Meta(); meta != nil {
		m.header = meta.Bytes() // copied by encode
		defer meta.Release()
	}
	if err := p.SerializeBody(m); err != nil {
		return err
	}
	return pw.stream.SendMsg(m)
}

// inData is one FlightData received. Its body stays in gRPC's receive
// buffers until read; close gives them back.
type inData struct {
	descriptor *flight.FlightDescriptor
	header     []byte
	body       *mem.Reader // nil: no body
}

func (m *inData) close() {
	if m.body != nil {
		m.body.Close()
		m.body = nil
	}
}

var errFlightData = errors.New("not a FlightData message")

// decode reads FlightData's protobuf encoding as protobuf does: fields in
// any order, the last of a repeated bytes field kept, repeated messages
// merged, unknown fields skipped. The body is kept in place when it ends
// the message, as every Flight implementation writes it, and copied out
// otherwise.
func (m *inData) decode(data mem.BufferSlice) error {
	*m = inData{}
	r := data.Reader()
	keep := false
	defer func() {
		if !keep {
			r.Close()
		}
	}()
	for r.Remaining() > 0 {
		field, wire, err := readKey(r, uint64(protowire.MaxValidNumber))
		if err != nil {
			return err
		}
		if wire != wireBytes {
			if err := skipField(r, field, wire, 0); err != nil {
				return err
			}
			continue
		}
		n, err := readVarint(r)
		if err != nil {
			return err
		}
		if n > uint64(r.Remaining()) {
			return fmt.Errorf("%w: a field of %d bytes in %d", errFlightData, n, r.Remaining())
		}
		switch field {
		case fieldBody:
			m.close()
			if n == uint64(r.Remaining()) && n > 0 {
				m.body, keep = r, true
				return nil
			}
			b := make([]byte, n)
			if _, err := io.ReadFull(r, b); err != nil {
				return err
			}
			if n > 0 {
				m.body = mem.BufferSlice{mem.SliceBuffer(b)}.Reader()
			}
		case fieldHeader, fieldDescriptor:
			b := make([]byte, n)
			if _, err := io.ReadFull(r, b); err != nil {
				return err
			}
			if field == fieldHeader {
				m.header = b
				continue
			}
			if m.descriptor == nil {
				m.descriptor = new(flight.FlightDescriptor)
			}
			if err := (proto.UnmarshalOptions{Merge: true}).Unmarshal(b, m.descriptor); err != nil {
				return fmt.Errorf("%w: %v", errFlightData, err)
			}
		default:
			if err := skip(r, int(n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// readKey reads a field's key: its number, at most maxField, and wire
// type. Protobuf allows numbers up to 2^29-1 in a message, and up to
// 2^31-1 inside a group it skips.
func readKey(r *mem.Reader, maxField uint64) (field uint64, wire int, err error) {
	key, err := readVarint(r)
	if err != nil {
		return 0, 0, err
	}
	if field = key >> 3; field < uint64(protowire.MinValidNumber) || field > maxField {
		return 0, 0, fmt.Errorf("%w: field number %d", errFlightData, field)
	}
	return field, int(key & 7), nil
}

// skipField skips the value of a field of the given wire type other than
// length-delimited bytes: a varint, a fixed 64 or 32 bits, or a group,
// nested at most depth deep.
func skipField(r *mem.Reader, field uint64, wire, depth int) error {
	switch wire {
	case 0:
		_, err := readVarint(r)
		return err
	case 1:
		return skip(r, 8)
	case 5:
		return skip(r, 4)
	case wireBytes:
		n, err := readVarint(r)
		if err != nil {
			return err
		}
		if n > uint64(r.Remaining()) {
			return fmt.Errorf("%w: a field of %d bytes in %d", errFlightData, n, r.Remaining())
		}
		return skip(r, int(n))
	case 3: // a group, up to the end-group key of its number
		if depth >= 100 {
			return fmt.Errorf("%w: groups nested too deep", errFlightData)
		}
		for {
			f, w, err := readKey(r, math.MaxInt32)
			if err != nil {
				return err
			}
			if w == 4 {
				if f != field {
					return fmt.Errorf("%w: a group ended by another field's key", errFlightData)
				}
				return nil
			}
			if err := skipField(r, f, w, depth+1); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("%w: wire type %d", errFlightData, wire)
}

func readVarint(r *mem.Reader) (uint64, error) {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		b, err := r.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("%w: a varint cut short", errFlightData)
		}
		if shift == 63 && b > 1 {
			break
		}
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v, nil
		}
	}
	return 0, fmt.Errorf("%w: a varint past 64 bits", errFlightData)
}

func skip(r *mem.Reader, n int) error {
	if d, _ := r.Discard(n); d != n {
		return fmt.Errorf("%w: a field cut short", errFlightData)
	}
	return nil
}
