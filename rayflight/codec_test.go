package rayflight

import (
	"bytes"
	"io"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/flight"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
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
