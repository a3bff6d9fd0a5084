package rayflight

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/flight"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// rangeServer answers with tickets in raygo's form, naming the row ranges
// it is given and the total it declares, and serves each ticket's rows of
// arrowServer's columns (row r of the table is row r of arrowServer's
// first batch of enough rows), as a raygo server would, or, told to, as
// a broken or hostile one would not.
type rangeServer struct {
	flight.BaseFlightServer
	ranges [][2]int
	total  int64
	extra  int  // rows each stream sends past its range (negative: short of it)
	cut    bool // cut each stream's last body
}

func (s *rangeServer) GetFlightInfo(_ context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	info := &flight.FlightInfo{FlightDescriptor: desc, TotalRecords: s.total}
	for _, r := range s.ranges {
		b, _ := json.Marshal(ticket{Table: "t", From: r[0], To: r[1], Gen: 1})
		info.Endpoint = append(info.Endpoint, &flight.FlightEndpoint{Ticket: &flight.Ticket{Ticket: b}})
	}
	return info, nil
}

// rowsRecord is rows [from, to) of the table rangeServer serves.
func rowsRecord(from, to int) arrow.Record {
	all := (&arrowServer{n: to}).record(0)
	defer all.Release()
	return all.NewSlice(int64(from), int64(to))
}

func (s *rangeServer) DoGet(tkt *flight.Ticket, stream flight.FlightService_DoGetServer) error {
	var tk ticket
	if err := json.Unmarshal(tkt.GetTicket(), &tk); err != nil {
		return err
	}
	to := max(tk.From, tk.To+s.extra)
	var recs []arrow.Record
	for from := tk.From; from < to; from += 100 {
		recs = append(recs, rowsRecord(from, min(from+100, to)))
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	if len(recs) == 0 {
		w := flight.NewRecordWriter(stream, ipc.WithSchema(arrowSchema))
		return w.Close()
	}
	if s.cut {
		return sendCut(stream.Send, nil, recs...)
	}
	w := flight.NewRecordWriter(stream, ipc.WithSchema(arrowSchema))
	defer w.Close()
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	return nil
}

// Endpoints of raygo tickets fill one table at their row ranges, whatever
// order they arrive in.
func TestFetchFillsEndpointRanges(t *testing.T) {
	heaptest.Check(t)
	want := rowsRecord(0, 1000)
	defer want.Release()
	wantTable := must(rayarrow.ImportRecord(want))
	defer cow.Release(&wantTable)
	for _, ranges := range [][][2]int{
		{{0, 1000}},
		{{0, 250}, {250, 700}, {700, 1000}},
		{{0, 0}, {0, 333}, {333, 333}, {333, 1000}},
	} {
		c := clientOf(t, &rangeServer{ranges: ranges, total: 1000})
		got, err := c.Fetch(context.Background(), "t")
		if err != nil {
			t.Fatalf("%v: %v", ranges, err)
		}
		if g, w := rows(t, got), rows(t, wantTable); g != w {
			t.Errorf("%v: fetched\n%.300s\nwant\n%.300s", ranges, g, w)
		}
		cow.Release(&got)
	}
}

// Ranges that overlap, leave gaps or disagree with the total or with the
// rows that arrive are refused, and nothing the fetch allocated is left.
func TestFetchRefusesBadRanges(t *testing.T) {
	heaptest.Check(t)
	for _, c := range []struct {
		name string
		srv  rangeServer
		kind error
	}{
		{"overlap", rangeServer{ranges: [][2]int{{0, 500}, {400, 1000}}, total: 1000}, ray.ErrCorrupt},
		{"gap", rangeServer{ranges: [][2]int{{0, 400}, {500, 1000}}, total: 1000}, ray.ErrCorrupt},
		{"backwards", rangeServer{ranges: [][2]int{{500, 1000}, {0, 500}}, total: 1000}, ray.ErrCorrupt},
		{"reversed range", rangeServer{ranges: [][2]int{{0, 600}, {600, 500}}, total: 500}, ray.ErrCorrupt},
		{"total too small", rangeServer{ranges: [][2]int{{0, 500}, {500, 1000}}, total: 900}, ray.ErrCorrupt},
		{"total too large", rangeServer{ranges: [][2]int{{0, 500}, {500, 1000}}, total: 1100}, ray.ErrCorrupt},
		{"rows past the range", rangeServer{ranges: [][2]int{{0, 500}, {500, 1000}}, total: 1000, extra: 1}, ray.ErrCorrupt},
		{"rows short of the range", rangeServer{ranges: [][2]int{{0, 500}, {500, 1000}}, total: 1000, extra: -1}, ray.ErrCorrupt},
		{"cut stream", rangeServer{ranges: [][2]int{{0, 500}, {500, 1000}}, total: 1000, cut: true}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			heaptest.Check(t)
			cl := clientOf(t, &c.srv)
			tb, err := cl.Fetch(context.Background(), "t")
			if err == nil {
				cow.Release(&tb)
				t.Fatal("fetched")
			}
			if c.kind != nil && !errors.Is(err, c.kind) {
				t.Errorf("%v, want %v", err, c.kind)
			}
			if !errors.As(err, new(*ray.Error)) {
				t.Errorf("%v is not a raygo error", err)
			}
		})
	}
}

// A fetch past the heap's budget is ErrLimit and leaves nothing allocated.
func TestFetchPastTheBudget(t *testing.T) {
	heaptest.Check(t)
	// Numbers without nulls: the server exports them without allocating,
	// so that the budget refuses the client's columns, not the server's
	// batches (both are in this process).
	// 64 MB of columns, far past the budget's margin and the credit each
	// per-P heap may hold reserved.
	s := NewServer(Config{PartitionRows: 500_000, BatchRows: 50_000})
	t.Cleanup(s.Close)
	addr := serve(t, s)
	big := must(vec.NewTable())
	for _, name := range []string{"a", "b", "c", "d"} {
		col := must(vec.FromSlice(value.I64, make([]int64, 2_000_000)))
		if err := vec.AddColumn(&big, name, col); err != nil {
			t.Fatal(err)
		}
		cow.Release(&col)
	}
	defer cow.Release(&big)
	if err := s.Publish("big", big); err != nil {
		t.Fatal(err)
	}
	c, err := Dial(addr, ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, reserved := heap.Budget()
	old := heap.SetBudget(reserved + 4<<20)
	defer heap.SetBudget(old)
	tb, err := c.Fetch(context.Background(), "big")
	if err == nil {
		cow.Release(&tb)
		t.Fatal("a table past the budget was fetched")
	}
	// The server shares this process's heap: the budget stops either the
	// client's columns (ErrLimit) or a batch the server slices, which ends
	// the stream (ErrIO, carrying the server's ErrLimit). Either way nothing
	// stays allocated (heaptest). TestTableFillPastTheBudget pins the
	// client's side alone.
	if !errors.Is(err, ray.ErrLimit) && !(errors.Is(err, ray.ErrIO) && strings.Contains(err.Error(), "limit")) {
		t.Errorf("%v, want ErrLimit, or ErrIO for the server's", err)
	}
}

// A cancelled fetch stops with the context's error and leaves nothing.
func TestFetchCancelled(t *testing.T) {
	heaptest.Check(t)
	_, addr, _ := serveSample(t, Config{PartitionRows: 1000, BatchRows: 100}, "t", 5000)
	c, err := Dial(addr, ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if tb, err := c.Fetch(ctx, "t"); err == nil {
		cow.Release(&tb)
		t.Error("a cancelled fetch returned a table")
	} else if !errors.Is(err, context.Canceled) {
		t.Errorf("%v, want context.Canceled", err)
	}
	for tb, err := range c.Scan(ctx, "t") {
		if err == nil {
			cow.Release(&tb)
			t.Fatal("a cancelled scan yielded a batch")
		}
	}
}

// Scan yields the batches Fetch joins, in order, and a scan stopped
// early leaves nothing behind.
func TestScan(t *testing.T) {
	heaptest.Check(t)
	_, addr, tb := serveSample(t, Config{PartitionRows: 1000, BatchRows: 300}, "t", 3500)
	c, err := Dial(addr, ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var batches []value.V
	for b, err := range c.Scan(context.Background(), "t") {
		if err != nil {
			t.Fatal(err)
		}
		batches = append(batches, b)
	}
	if len(batches) != 3*4+2 { // three partitions of 1000 rows in batches of 300, one of 500
		t.Errorf("%d batches", len(batches))
	}
	all := must(vec.ConcatAll(batches...))
	for i := range batches {
		cow.Release(&batches[i])
	}
	if g, w := rows(t, all), rows(t, tb); g != w {
		t.Errorf("scanned\n%.300s\nwant\n%.300s", g, w)
	}
	cow.Release(&all)
	n := 0
	for b, err := range c.Scan(context.Background(), "t") {
		if err != nil {
			t.Fatal(err)
		}
		cow.Release(&b)
		if n++; n == 2 {
			break
		}
	}
}

// The fill takes the string types other servers send (string, large
// string, string view) and dictionaries of each.
func TestFetchFillsOtherStringTypes(t *testing.T) {
	heaptest.Check(t)
	for _, dt := range []arrow.DataType{arrow.BinaryTypes.LargeString, arrow.BinaryTypes.StringView, arrow.BinaryTypes.Binary} {
		srv := &typedServer{typ: dt, n: 700}
		c := clientOf(t, srv)
		got, err := c.Fetch(context.Background(), "t")
		if err != nil {
			t.Fatalf("%v: %v", dt, err)
		}
		_, col, _ := vec.ColumnAt(got, 0)
		for i := range 700 {
			if null, _ := vec.IsNull(col, i); null != (i%5 == 2) {
				t.Fatalf("%v: row %d null %v", dt, i, null)
			}
			if i%5 == 2 {
				continue
			}
			s, err := vec.StrView(col, i)
			if err != nil || string(s) != srv.value(i) {
				t.Fatalf("%v: row %d is %q (%v), want %q", dt, i, s, err, srv.value(i))
			}
		}
		cow.Release(&got)
	}
}

// typedServer serves one string column of the given type in two
// endpoints of raygo tickets.
type typedServer struct {
	flight.BaseFlightServer
	typ arrow.DataType
	n   int
}

func (s *typedServer) value(i int) string {
	return strings.Repeat(string(rune('a'+i%26)), i%30)
}

func (s *typedServer) GetFlightInfo(_ context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	info := &flight.FlightInfo{FlightDescriptor: desc, TotalRecords: int64(s.n)}
	for _, r := range [][2]int{{0, s.n / 2}, {s.n / 2, s.n}} {
		b, _ := json.Marshal(ticket{Table: "t", From: r[0], To: r[1], Gen: 1})
		info.Endpoint = append(info.Endpoint, &flight.FlightEndpoint{Ticket: &flight.Ticket{Ticket: b}})
	}
	return info, nil
}

func (s *typedServer) DoGet(tkt *flight.Ticket, stream flight.FlightService_DoGetServer) error {
	var tk ticket
	if err := json.Unmarshal(tkt.GetTicket(), &tk); err != nil {
		return err
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: s.typ, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := tk.From; i < tk.To; i++ {
		switch fb := b.Field(0).(type) {
		case *array.LargeStringBuilder:
			if i%5 == 2 {
				fb.AppendNull()
			} else {
				fb.Append(s.value(i))
			}
		case *array.StringViewBuilder:
			if i%5 == 2 {
				fb.AppendNull()
			} else {
				fb.Append(s.value(i))
			}
		case *array.BinaryBuilder:
			if i%5 == 2 {
				fb.AppendNull()
			} else {
				fb.Append([]byte(s.value(i)))
			}
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	w := flight.NewRecordWriter(stream, ipc.WithSchema(schema))
	defer w.Close()
	return w.Write(rec)
}

// twoEndpoints is arrowServer with its batches in two endpoints of tickets
// that name no rows, as servers other than raygo's write them.
type twoEndpoints struct{ arrowServer }

func (s *twoEndpoints) GetFlightInfo(_ context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return &flight.FlightInfo{FlightDescriptor: desc, TotalRecords: -1, Endpoint: []*flight.FlightEndpoint{
		{Ticket: &flight.Ticket{Ticket: []byte("0")}}, {Ticket: &flight.Ticket{Ticket: []byte("1")}}}}, nil
}

func (s *twoEndpoints) DoGet(tkt *flight.Ticket, stream flight.FlightService_DoGetServer) error {
	w := flight.NewRecordWriter(stream, ipc.WithSchema(arrowSchema))
	defer w.Close()
	for batch := range 3 {
		rec := s.record(int(tkt.GetTicket()[0]-'0')*3 + batch)
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// Endpoints that name no rows are read into growing tables and joined in
// endpoint order.
func TestFetchJoinsEndpointsWithoutRanges(t *testing.T) {
	heaptest.Check(t)
	c := clientOf(t, &twoEndpoints{arrowServer{n: 3000}})
	got, err := c.Fetch(context.Background(), "t")
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&got)
	want := rowsRecord(0, 6*3000)
	defer want.Release()
	wantTable := must(rayarrow.ImportRecord(want))
	defer cow.Release(&wantTable)
	if g, w := rows(t, got), rows(t, wantTable); g != w {
		t.Errorf("fetched\n%.300s\nwant\n%.300s", g, w)
	}
}
