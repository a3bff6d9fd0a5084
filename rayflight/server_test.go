package rayflight

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/flight"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func must(v value.V, err error) value.V {
	if err != nil {
		panic(err)
	}
	return v
}

// sample is a table of every column type raygo exports, each with nulls,
// of n rows.
func sample(t testing.TB, n int) value.V {
	t.Helper()
	ids, px, ok, day, at, names, syms := make([]int64, n), make([]float64, n), make([]bool, n), make([]int32, n), make([]int64, n), make([]string, n), make([]string, n)
	for i := range n {
		ids[i], px[i], ok[i], day[i], at[i] = int64(i), float64(i)/4, i%3 == 0, int32(i%1000), int64(i)*1000
		names[i] = fmt.Sprintf("name %d", i%57) + strings.Repeat("x", i%20)
		syms[i] = fmt.Sprintf("s%d", i%13)
	}
	tb := must(vec.NewTable())
	for _, c := range []struct {
		name string
		v    value.V
	}{
		{"id", must(vec.FromSlice(value.I64, ids))}, {"px", must(vec.FromSlice(value.F64, px))},
		{"ok", must(vec.FromSlice(value.Bool, ok))}, {"day", must(vec.FromSlice(value.Date, day))},
		{"at", must(vec.FromSlice(value.Timestamp, at))}, {"name", must(vec.FromStrings(names))},
		{"sym", must(vec.FromSyms(syms))},
	} {
		for i := 5; i < n; i += 11 {
			if err := vec.SetNull(&c.v, i, true); err != nil {
				t.Fatal(err)
			}
		}
		if err := vec.AddColumn(&tb, c.name, c.v); err != nil {
			t.Fatal(err)
		}
		cow.Release(&c.v)
	}
	return tb
}

// rows renders a table row by row.
func rows(t testing.TB, tb value.V) string {
	var sb strings.Builder
	for i := range vec.NumCols(tb) {
		name, col, _ := vec.ColumnAt(tb, i)
		fmt.Fprintf(&sb, "%s:", name)
		for r := range int(col.Len()) {
			a, err := vec.RowAtom(col, r)
			if err != nil {
				t.Fatal(err)
			}
			sb.WriteString(a.String())
			sb.WriteByte(',')
			cow.Release(&a)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// serve starts s on a loopback port and returns its address.
func serve(t testing.TB, s *Server) string {
	t.Helper()
	fs := s.FlightServer()
	if err := fs.Init("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	go fs.Serve()
	t.Cleanup(fs.Shutdown)
	return fs.Addr().String()
}

// serveSample starts a server of cfg on a loopback port publishing a
// sample table of the given rows as name, and returns the server, its
// address and the table; the test's cleanup releases them all.
func serveSample(t testing.TB, cfg Config, name string, rows int) (*Server, string, value.V) {
	t.Helper()
	s := NewServer(cfg)
	t.Cleanup(s.Close)
	addr := serve(t, s)
	tb := sample(t, rows)
	t.Cleanup(func() { cow.Release(&tb) })
	if err := s.Publish(name, tb); err != nil {
		t.Fatal(err)
	}
	return s, addr, tb
}

// Every column type, with nulls, goes through DoGet in several partitions
// of several batches, and through DoPut, and comes back as it was.
func TestRoundTrips(t *testing.T) {
	heaptest.Check(t)
	_, addr, tb := serveSample(t, Config{PartitionRows: 1000, BatchRows: 300}, "trades", 3500)
	c, err := Dial(addr, ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	want := rows(t, tb)
	// SYM comes back as SYM: it travels as a dictionary.
	got := must(c.Fetch(ctx, "trades"))
	if g := rows(t, got); g != want {
		t.Errorf("fetched:\n%.400s\nwant\n%.400s", g, want)
	}
	cow.Release(&got)
	if err := c.Put(ctx, "copy", tb); err != nil {
		t.Fatal(err)
	}
	back := must(c.Fetch(ctx, "copy"))
	if g := rows(t, back); g != want {
		t.Errorf("put and fetched:\n%.400s\nwant\n%.400s", g, want)
	}
	cow.Release(&back)
	empty := sample(t, 0)
	defer cow.Release(&empty)
	if err := c.Put(ctx, "empty", empty); err != nil {
		t.Fatal(err)
	}
	e := must(c.Fetch(ctx, "empty"))
	if vec.NumRows(e) != 0 || vec.NumCols(e) != 7 {
		t.Errorf("an empty table came back with %d rows, %d columns", vec.NumRows(e), vec.NumCols(e))
	}
	cow.Release(&e)
	if err := c.Drop(ctx, "copy"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Fetch(ctx, "copy"); err == nil {
		t.Error("a dropped table was fetched")
	}
}

// Arrow Go's own Flight client reads what the server publishes.
func TestArrowFlightClientReads(t *testing.T) {
	heaptest.Check(t)
	_, addr, _ := serveSample(t, Config{PartitionRows: 700}, "t", 2000)
	fc, info := arrowClient(t, addr, "t")
	ctx := context.Background()
	if len(info.Endpoint) != 3 || info.TotalRecords != 2000 {
		t.Fatalf("%d endpoints, %d records", len(info.Endpoint), info.TotalRecords)
	}
	total := 0
	for _, ep := range info.Endpoint {
		stream, err := fc.DoGet(ctx, ep.Ticket)
		if err != nil {
			t.Fatal(err)
		}
		rd, err := flight.NewRecordReader(stream)
		if err != nil {
			t.Fatal(err)
		}
		for rd.Next() {
			rec := rd.Record()
			total += int(rec.NumRows())
			if rec.NumCols() != 7 || rec.Schema().Field(6).Type.ID().String() != "DICTIONARY" {
				t.Errorf("a record of %d columns, the last %v", rec.NumCols(), rec.Schema().Field(6).Type)
			}
		}
		if err := rd.Err(); err != nil {
			t.Fatal(err)
		}
		rd.Release()
	}
	if total != 2000 {
		t.Errorf("Arrow Go read %d rows", total)
	}
}

// arrowClient returns Arrow Go's Flight client of addr and the FlightInfo
// of the table name; the client closes when the test ends.
func arrowClient(t *testing.T, addr, name string) (flight.Client, *flight.FlightInfo) {
	t.Helper()
	fc, err := flight.NewClientWithMiddleware(addr, nil, nil, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fc.Close() })
	info, err := fc.GetFlightInfo(context.Background(), &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{name}})
	if err != nil {
		t.Fatal(err)
	}
	return fc, info
}

// code is the gRPC code an error carries, wrapped in raygo errors or not.
func code(err error) codes.Code {
	var se interface{ GRPCStatus() *status.Status }
	if errors.As(err, &se) {
		return se.GRPCStatus().Code()
	}
	return codes.Unknown
}

// Bad input gets a Flight error and the server goes on serving: no or a
// wrong token, a ticket not the server's, an unknown table, a stale
// generation, a put past the limit; nothing is left allocated.
func TestBadInputIsRefused(t *testing.T) {
	heaptest.Check(t)
	s, addr, tb := serveSample(t, Config{Token: "secret", MaxPutBytes: 10_000}, "t", 5000)
	ctx := context.Background()
	for _, token := range []string{"", "wrong"} {
		c, err := Dial(addr, ClientConfig{Token: token})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Fetch(ctx, "t"); code(err) != codes.Unauthenticated {
			t.Errorf("token %q: %v, want Unauthenticated", token, err)
		}
		c.Close()
	}
	c, err := Dial(addr, ClientConfig{Token: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Fetch(ctx, "nothing"); code(err) != codes.NotFound {
		t.Errorf("an unknown table: %v, want NotFound", err)
	}
	fc, _ := c.conn(addr)
	actx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer secret")
	for _, tk := range []string{"not json", `{"table":"t","from":0,"to":99999,"gen":1}`, `{"table":"t","from":0,"to":10,"gen":7}`} {
		stream, err := fc.DoGet(actx, &flight.Ticket{Ticket: []byte(tk)})
		if err == nil {
			_, err = stream.Recv()
		}
		if code(err) != codes.InvalidArgument && code(err) != codes.NotFound {
			t.Errorf("ticket %s: %v", tk, err)
		}
	}
	if err := c.Put(ctx, "big", tb); code(err) != codes.ResourceExhausted {
		t.Errorf("a put past the limit: %v, want ResourceExhausted", err)
	}
	if _, ok := s.table("big"); ok {
		t.Error("a refused put published a table")
	}
	got := must(c.Fetch(ctx, "t")) // still serving
	cow.Release(&got)
}

// Sixteen clients fetch and put at once (run it with -race); afterwards
// every table the server holds reads right and nothing else is live.
func TestManyClientsAtOnce(t *testing.T) {
	heaptest.Check(t)
	_, addr, tb := serveSample(t, Config{PartitionRows: 500, BatchRows: 200}, "t", 2000)
	want := rows(t, tb)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := Dial(addr, ClientConfig{})
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			ctx := context.Background()
			for range 3 {
				got, err := c.Fetch(ctx, "t")
				if err != nil {
					errs <- err
					return
				}
				if rows(t, got) != want {
					errs <- fmt.Errorf("client %d read other rows", i)
				}
				cow.Release(&got)
				if err := c.Put(ctx, fmt.Sprintf("p%d", i%4), tb); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
