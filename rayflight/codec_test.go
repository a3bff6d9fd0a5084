package rayflight

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/flight"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// sampleFlightData are FlightData messages as protobuf encodes them.
func sampleFlightData(t testing.TB) [][]byte {
	var out [][]byte
	for _, fd := range []*flight.FlightData{
		{},
		{DataHeader: []byte("header")},
		{DataHeader: []byte("h"), DataBody: bytes.Repeat([]byte{7}, 300)},
		{FlightDescriptor: &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{"trades"}}, DataHeader: []byte("schema")},
		{AppMetadata: []byte("meta"), DataBody: []byte("body only")},
		{FlightDescriptor: &flight.FlightDescriptor{Type: flight.DescriptorCMD, Cmd: []byte{1, 2}}, DataHeader: []byte("x"), AppMetadata: []byte("m"), DataBody: []byte("b")},
	} {
		b, err := proto.Marshal(fd)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// outData encodes as protobuf encodes the FlightData it stands for.
func TestOutDataEncodesAsProtobuf(t *testing.T) {
	desc := &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{"t"}}
	descBytes, err := proto.Marshal(desc)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte{1, 2, 3}, 50_000)
	for _, c := range []struct {
		m    outData
		want *flight.FlightData
	}{
		{outData{}, &flight.FlightData{}},
		{outData{header: []byte("hdr")}, &flight.FlightData{DataHeader: []byte("hdr")}},
		{outData{descriptor: descBytes, header: []byte("hdr")}, &flight.FlightData{FlightDescriptor: desc, DataHeader: []byte("hdr")}},
		{outData{header: []byte("hdr"), body: [][]byte{big, {0, 0}, []byte("tail")}, bodyLen: len(big) + 6},
			&flight.FlightData{DataHeader: []byte("hdr"), DataBody: append(append(bytes.Clone(big), 0, 0), "tail"...)}},
	} {
		enc := c.m.encode()
		got := enc.Materialize()
		enc.Free()
		want, err := proto.Marshal(c.want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("encoding of %+v differs from protobuf's: %d bytes, want %d", c.want, len(got), len(want))
		}
	}
}

// splitSlice cuts b into pieces as gRPC's frames would, at every k bytes.
func splitSlice(b []byte, k int) mem.BufferSlice {
	var s mem.BufferSlice
	for len(b) > k {
		s = append(s, mem.SliceBuffer(b[:k]))
		b = b[k:]
	}
	return append(s, mem.SliceBuffer(b))
}

// FuzzFlightData decodes any bytes, cut into frames anywhere, as protobuf
// decodes them into a FlightData: the same fields, or an error when
// protobuf finds one.
func FuzzFlightData(f *testing.F) {
	for _, b := range sampleFlightData(f) {
		f.Add(b, uint16(7))
	}
	f.Add([]byte{0x12, 0x80, 0x80, 0x80, 0x80, 0x10}, uint16(1)) // a length past the message
	f.Add([]byte{0x1b, 0x08, 0x01, 0x1c}, uint16(2))             // a group
	f.Fuzz(func(t *testing.T, b []byte, cut uint16) {
		var want flight.FlightData
		wantErr := proto.Unmarshal(b, &want)
		var m inData
		err := m.decode(splitSlice(b, 1+int(cut)))
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("decode: %v; protobuf: %v", err, wantErr)
		}
		if err != nil {
			return
		}
		var body []byte
		if m.body != nil {
			body, _ = io.ReadAll(m.body)
			m.close()
		}
		if !bytes.Equal(m.header, want.DataHeader) || !bytes.Equal(body, want.DataBody) {
			t.Fatalf("header %q body %q; protobuf: %q %q", m.header, body, want.DataHeader, want.DataBody)
		}
		if (m.descriptor == nil) != (want.FlightDescriptor == nil) || m.descriptor != nil && !proto.Equal(m.descriptor, want.FlightDescriptor) {
			t.Fatalf("descriptor %v; protobuf: %v", m.descriptor, want.FlightDescriptor)
		}
	})
}

// msgReceiver hands out FlightData messages decoded by inData's codec
// from frames of a 4-byte little-endian length and the message's bytes.
type msgReceiver struct{ b []byte }

func (r *msgReceiver) RecvMsg(m any) error {
	if len(r.b) < 4 {
		return io.EOF
	}
	n := int(binary.LittleEndian.Uint32(r.b))
	r.b = r.b[4:]
	if n > len(r.b) {
		n = len(r.b)
	}
	msg := r.b[:n]
	r.b = r.b[n:]
	return m.(*inData).decode(splitSlice(msg, 1+n/3))
}

// flightFrames is the DoGet stream of tb's record batches as msgReceiver
// frames.
func flightFrames(t testing.TB, tb value.V, batch int) []byte {
	var msgs []*flight.FlightData
	err := rayarrow.WriteTables(func(schema *arrow.Schema) (rayarrow.RecordWriter, error) {
		return flight.NewRecordWriter(recorder{&msgs}, ipc.WithSchema(schema)), nil
	}, batchesOf(t, tb, batch)...)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, m := range msgs {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		out = binary.LittleEndian.AppendUint32(out, uint32(len(b)))
		out = append(out, b...)
	}
	return out
}

// batchesOf slices tb into tables of batch rows (the caller's test
// releases them).
func batchesOf(t testing.TB, tb value.V, batch int) []value.V {
	var out []value.V
	for from := 0; from < vec.NumRows(tb); from += batch {
		s, err := vec.Slice(tb, from, min(batch, vec.NumRows(tb)-from))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	t.Cleanup(func() {
		for i := range out {
			cow.Release(&out[i])
		}
	})
	return out
}

// FuzzFlightStream reads any FlightData messages, as a DoGet stream, the
// way Fetch reads them: into a TableFill and through ReadIPC. Whatever
// the bytes, the read returns a raygo error or a table, and leaves no
// block behind.
func FuzzFlightStream(f *testing.F) {
	tb := sample(f, 40)
	defer cow.Release(&tb)
	f.Add(flightFrames(f, tb, 40))
	f.Add(flightFrames(f, tb, 13))
	f.Fuzz(func(t *testing.T, b []byte) {
		heaptest.Check(t)
		fill, err := rayarrow.NewTableFill(40)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := fill.Part(0, 40)
		s := &ipcStream{r: &msgReceiver{b: b}, limit: 1 << 20}
		err = p.AppendIPC(s)
		s.close()
		if err == nil {
			var got value.V
			if got, err = fill.Finish(); err == nil {
				if cerr := cow.Check(got); cerr != nil {
					t.Fatal(cerr)
				}
				cow.Release(&got)
			}
		}
		fill.Release()
		if err != nil && !errors.As(err, new(*ray.Error)) {
			t.Fatalf("not a raygo error: %v", err)
		}
		s = &ipcStream{r: &msgReceiver{b: b}, limit: 1 << 20}
		batches, err := rayarrow.ReadIPC(s)
		s.close()
		if err != nil && !errors.As(err, new(*ray.Error)) {
			t.Fatalf("not a raygo error: %v", err)
		}
		for i := range batches {
			cow.Release(&batches[i])
		}
	})
}

// A message whose metadata declares a longer body than its FlightData
// holds is refused before the body is allocated.
func TestDeclaredBodyPastTheMessage(t *testing.T) {
	heaptest.Check(t)
	tb := sample(t, 2000)
	defer cow.Release(&tb)
	var msgs []*flight.FlightData
	err := rayarrow.WriteTables(func(schema *arrow.Schema) (rayarrow.RecordWriter, error) {
		return flight.NewRecordWriter(recorder{&msgs}, ipc.WithSchema(schema)), nil
	}, tb)
	if err != nil {
		t.Fatal(err)
	}
	last := msgs[len(msgs)-1]
	last.DataBody = last.DataBody[:8]
	var frames []byte
	for _, m := range msgs {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		frames = binary.LittleEndian.AppendUint32(frames, uint32(len(b)))
		frames = append(frames, b...)
	}
	s := &ipcStream{r: &msgReceiver{b: frames}}
	defer s.close()
	_, err = rayarrow.ReadIPC(s)
	if !errors.Is(err, ray.ErrCorrupt) || !strings.Contains(err.Error(), "declaring a body") {
		t.Errorf("%v, want ErrCorrupt for the body", err)
	}
}
