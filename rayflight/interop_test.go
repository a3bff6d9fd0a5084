package rayflight

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/flight"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"google.golang.org/grpc/codes"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// arrowServer is a Flight server written with Arrow Go alone: its records
// are built with Arrow's builders, three batches of n rows.
type arrowServer struct {
	flight.BaseFlightServer
	n int
}

var arrowSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "px", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

func (s *arrowServer) record(batch int) arrow.Record {
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrowSchema)
	defer b.Release()
	for i := range s.n {
		r := batch*s.n + i
		if r%7 == 3 {
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.Int64Builder).Append(int64(r))
		}
		b.Field(1).(*array.StringBuilder).Append(string(rune('a' + r%26)))
		b.Field(2).(*array.Float64Builder).Append(float64(r) / 2)
	}
	return b.NewRecord()
}

func (s *arrowServer) GetFlightInfo(_ context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return &flight.FlightInfo{
		Schema:           flight.SerializeSchema(arrowSchema, memory.DefaultAllocator),
		FlightDescriptor: desc,
		Endpoint:         []*flight.FlightEndpoint{{Ticket: &flight.Ticket{Ticket: []byte("all")}}},
		TotalRecords:     int64(3 * s.n),
	}, nil
}

func (s *arrowServer) DoGet(_ *flight.Ticket, stream flight.FlightService_DoGetServer) error {
	w := flight.NewRecordWriter(stream, ipc.WithSchema(arrowSchema))
	defer w.Close()
	for batch := range 3 {
		rec := s.record(batch)
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// clientOf starts an Arrow Go Flight server of srv on a loopback port
// and returns raygo's client of it; both stop when the test ends.
func clientOf(t *testing.T, srv flight.FlightServer) *Client {
	t.Helper()
	fs := flight.NewServerWithMiddleware(nil)
	fs.RegisterFlightService(srv)
	if err := fs.Init("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	go fs.Serve()
	t.Cleanup(fs.Shutdown)
	c, err := Dial(fs.Addr().String(), ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// raygo's client reads what a server written with Arrow Go's builders
// publishes.
func TestClientReadsAnArrowGoServer(t *testing.T) {
	heaptest.Check(t)
	c := clientOf(t, &arrowServer{n: 1000})
	tb, err := c.Fetch(context.Background(), "anything")
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&tb)
	if vec.NumRows(tb) != 3000 || vec.NumCols(tb) != 3 {
		t.Fatalf("%d rows, %d columns", vec.NumRows(tb), vec.NumCols(tb))
	}
	_, ids, _ := vec.ColumnByName(tb, "id")
	_, names, _ := vec.ColumnByName(tb, "name")
	for _, r := range []int{0, 3, 1999, 2999} {
		null, _ := vec.IsNull(ids, r)
		id, _ := vec.Get[int64](ids, r)
		name, _ := vec.GetStr(names, r)
		if null != (r%7 == 3) || (!null && id != int64(r)) || name != string(rune('a'+r%26)) {
			t.Errorf("row %d: id %d (null %v), name %q", r, id, null, name)
		}
	}
}

// A DoPut whose schema changes mid-stream, or whose body is cut short, is
// refused (InvalidArgument), publishes nothing and leaks nothing; the
// server goes on serving.
func TestMalformedPutsAreRefused(t *testing.T) {
	heaptest.Check(t)
	s := NewServer(Config{})
	defer s.Close()
	addr := serve(t, s)
	c, err := Dial(addr, ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fc, _ := c.conn(addr)
	ctx := context.Background()
	rec := (&arrowServer{n: 100}).record(0)
	defer rec.Release()
	other := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int32}}, nil)
	ob := array.NewRecordBuilder(memory.DefaultAllocator, other)
	ob.Field(0).(*array.Int32Builder).Append(1)
	orec := ob.NewRecord()
	ob.Release()
	defer orec.Release()

	put := func(name string, send func(stream flight.FlightService_DoPutClient) error) error {
		stream, err := fc.DoPut(ctx)
		if err != nil {
			return err
		}
		// A send that finds the stream ended (io.EOF) means the server has
		// answered already: its status is read below.
		if err := send(stream); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if err := stream.CloseSend(); err != nil {
			return err
		}
		_, err = stream.Recv()
		return err
	}
	desc := func(name string) *flight.FlightDescriptor {
		return &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{name}}
	}
	cases := map[string]func(flight.FlightService_DoPutClient) error{
		"a schema that changes mid-stream": func(stream flight.FlightService_DoPutClient) error {
			w := flight.NewRecordWriter(stream, ipc.WithSchema(arrowSchema))
			w.SetFlightDescriptor(desc("changing"))
			if err := w.Write(rec); err != nil {
				return err
			}
			w2 := flight.NewRecordWriter(stream, ipc.WithSchema(other))
			return w2.Write(orec)
		},
		"a body cut short": func(stream flight.FlightService_DoPutClient) error {
			return sendCut(stream.Send, desc("cut"), rec)
		},
		"no descriptor": func(stream flight.FlightService_DoPutClient) error {
			w := flight.NewRecordWriter(stream, ipc.WithSchema(arrowSchema))
			return w.Write(rec)
		},
	}
	for name, send := range cases {
		if err := put(name, send); code(err) != codes.InvalidArgument {
			t.Errorf("%s: %v, want InvalidArgument", name, err)
		}
	}
	for _, name := range []string{"changing", "cut"} {
		if _, ok := s.table(name); ok {
			t.Errorf("a refused put published %q", name)
		}
	}
	// The server still serves.
	good := must(vec.FromSlice(value.I64, []int64{1, 2, 3}))
	tb := must(vec.NewTable())
	if err := vec.AddColumn(&tb, "x", good); err != nil {
		t.Fatal(err)
	}
	cow.Release(&good)
	defer cow.Release(&tb)
	if err := c.Put(ctx, "good", tb); err != nil {
		t.Fatal(err)
	}
	var tk ticket
	info, err := fc.GetFlightInfo(ctx, desc("good"))
	if err != nil || json.Unmarshal(info.Endpoint[0].Ticket.Ticket, &tk) != nil || tk.Table != "good" {
		t.Errorf("after refused puts: %v %+v", err, tk)
	}
}

// recorder collects the FlightData a writer sends.
type recorder struct{ msgs *[]*flight.FlightData }

func (r recorder) Send(fd *flight.FlightData) error {
	*r.msgs = append(*r.msgs, fd)
	return nil
}

// cutServer sends arrowServer's batches with the last body cut short, as a
// broken or hostile server might.
type cutServer struct{ arrowServer }

func (s *cutServer) DoGet(_ *flight.Ticket, stream flight.FlightService_DoGetServer) error {
	var recs []arrow.Record
	for batch := range 3 {
		recs = append(recs, s.record(batch))
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	return sendCut(stream.Send, nil, recs...)
}

// sendCut sends recs as Flight data with the last message's body cut to a
// third, the first message carrying desc.
func sendCut(send func(*flight.FlightData) error, desc *flight.FlightDescriptor, recs ...arrow.Record) error {
	var msgs []*flight.FlightData
	w := flight.NewRecordWriter(recorder{&msgs}, ipc.WithSchema(recs[0].Schema()))
	for _, rec := range recs {
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	msgs[0].FlightDescriptor = desc
	last := msgs[len(msgs)-1]
	last.DataBody = last.DataBody[:len(last.DataBody)/3]
	for _, m := range msgs {
		if err := send(m); err != nil {
			return err
		}
	}
	return nil
}

// A server whose stream is cut short gets the client an error, and nothing
// of what it sent stays allocated.
func TestClientRefusesACutStream(t *testing.T) {
	heaptest.Check(t)
	c := clientOf(t, &cutServer{arrowServer{n: 500}})
	tb, err := c.Fetch(context.Background(), "x")
	if err == nil {
		t.Error("a cut stream was read")
	}
	cow.Release(&tb)
}
