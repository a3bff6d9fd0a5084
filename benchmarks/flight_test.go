package benchmarks

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/flight"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/rayflight"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// flightRows is the table BenchmarkFlight serves: 10M rows (1M under
// -short) of an int64, a float64 and a string column (15-byte names, too
// long to sit inline in a string view: they travel in the data buffers).
func flightRows() int {
	if testing.Short() {
		return 1 << 20
	}
	return 10_000_000
}

var flightSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "px", Type: arrow.PrimitiveTypes.Float64},
	{Name: "name", Type: arrow.BinaryTypes.String},
}, nil)

func flightName(i int) string { return fmt.Sprintf("instrument-%04d", i%1000) }

// builderServer is the rival: an Arrow Go Flight server that builds each
// batch with Arrow's builders, as a Go program without raygo would.
type builderServer struct {
	flight.BaseFlightServer
	rows, batch int
}

func (s *builderServer) DoGet(_ *flight.Ticket, stream flight.FlightService_DoGetServer) error {
	w := flight.NewRecordWriter(stream, ipc.WithSchema(flightSchema))
	defer w.Close()
	b := array.NewRecordBuilder(memory.DefaultAllocator, flightSchema)
	defer b.Release()
	for from := 0; from < s.rows; from += s.batch {
		for i := from; i < min(from+s.batch, s.rows); i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			b.Field(1).(*array.Float64Builder).Append(float64(i) / 4)
			b.Field(2).(*array.StringBuilder).Append(flightName(i))
		}
		rec := b.NewRecord()
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// drain reads a DoGet stream with Arrow Go's Flight reader and returns
// the rows and the bytes of the record batches' buffers.
func drain(b *testing.B, fc flight.Client, tk *flight.Ticket) (rows, bytes int64) {
	stream, err := fc.DoGet(context.Background(), tk)
	if err != nil {
		b.Fatal(err)
	}
	rd, err := flight.NewRecordReader(stream)
	if err != nil {
		b.Fatal(err)
	}
	defer rd.Release()
	for rd.Next() {
		rec := rd.Record()
		rows += rec.NumRows()
		for _, col := range rec.Columns() {
			for _, buf := range col.Data().Buffers() {
				if buf != nil {
					bytes += int64(buf.Len())
				}
			}
		}
	}
	if err := rd.Err(); err != nil {
		b.Fatal(err)
	}
	return rows, bytes
}

// BenchmarkFlight is DoGet over loopback of one partition holding the whole
// table, read by Arrow Go's Flight client: raygo's server, which exports
// the table's columns without copying them, against the Arrow Go server
// above, which builds its batches; and raygo's client fetching the table
// into the heap (impl=raygofetch). It reports the Arrow buffers' bytes per
// second.
func BenchmarkFlight(b *testing.B) {
	n := flightRows()
	const batch = 1 << 16
	ids, px, names := make([]int64, n), make([]float64, n), make([]string, n)
	for i := range n {
		ids[i], px[i], names[i] = int64(i), float64(i)/4, flightName(i)
	}
	tb, err := vec.NewTable()
	if err != nil {
		b.Fatal(err)
	}
	defer cow.Release(&tb)
	for _, c := range []struct {
		name string
		make func() (value.V, error)
	}{
		{"id", func() (value.V, error) { return vec.FromSlice(value.I64, ids) }},
		{"px", func() (value.V, error) { return vec.FromSlice(value.F64, px) }},
		{"name", func() (value.V, error) { return vec.FromStrings(names) }},
	} {
		v, err := c.make()
		if err == nil {
			err = vec.AddColumn(&tb, c.name, v)
			cow.Release(&v)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	// arrowClient is Arrow Go's Flight client of addr.
	arrowClient := func(addr string) (flight.Client, func()) {
		fc, err := flight.NewClientWithMiddleware(addr, nil, nil, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
		if err != nil {
			b.Fatal(err)
		}
		return fc, func() { fc.Close() }
	}
	// start serves fs on a loopback port.
	start := func(fs flight.Server) (string, func()) {
		if err := fs.Init("127.0.0.1:0"); err != nil {
			b.Fatal(err)
		}
		go fs.Serve()
		return fs.Addr().String(), fs.Shutdown
	}
	// rayServer serves the table from raygo's server in partitions of
	// the given rows.
	rayServer := func(partition int) (string, func()) {
		s := rayflight.NewServer(rayflight.Config{PartitionRows: partition, BatchRows: batch})
		if err := s.Publish("t", tb); err != nil {
			b.Fatal(err)
		}
		addr, stop := start(s.FlightServer())
		return addr, func() { stop(); s.Close() }
	}
	run := func(b *testing.B, fc flight.Client, tk *flight.Ticket) {
		b.ReportAllocs()
		var bytes int64
		for b.Loop() {
			rows, n := drain(b, fc, tk)
			if rows != int64(flightRows()) {
				b.Fatalf("%d rows", rows)
			}
			bytes = n
		}
		b.SetBytes(bytes)
	}

	b.Run("impl=raygo", func(b *testing.B) {
		addr, stop := rayServer(n)
		defer stop()
		fc, closeClient := arrowClient(addr)
		defer closeClient()
		info, err := fc.GetFlightInfo(context.Background(), &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{"t"}})
		if err != nil {
			b.Fatal(err)
		}
		run(b, fc, info.Endpoint[0].Ticket)
	})
	b.Run("impl=arrowbuilders", func(b *testing.B) {
		fs := flight.NewServerWithMiddleware(nil)
		fs.RegisterFlightService(&builderServer{rows: n, batch: batch})
		addr, stop := start(fs)
		defer stop()
		fc, closeClient := arrowClient(addr)
		defer closeClient()
		run(b, fc, &flight.Ticket{Ticket: []byte("t")})
	})
	// The fetches read a server of two partitions, each endpoint on a
	// stream of its own, into memory the caller keeps: Arrow Go's client
	// keeping the records it reads (impl=arrowgofetch) and raygo's filling
	// one TABLE (impl=raygofetch), which also reports the most memory it
	// held (raygo's live bytes and the Go heap) against the table's bytes.
	b.Run("impl=arrowgofetch", func(b *testing.B) {
		addr, stop := rayServer((n + 1) / 2)
		defer stop()
		fc, closeClient := arrowClient(addr)
		defer closeClient()
		b.ReportAllocs()
		for b.Loop() {
			info, err := fc.GetFlightInfo(context.Background(), &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{"t"}})
			if err != nil {
				b.Fatal(err)
			}
			recs := make([][]arrow.Record, len(info.Endpoint))
			var wg sync.WaitGroup
			for i, ep := range info.Endpoint {
				wg.Add(1)
				go func() {
					defer wg.Done()
					recs[i] = keep(b, fc, ep.Ticket)
				}()
			}
			wg.Wait()
			rows := int64(0)
			for _, rs := range recs {
				for _, r := range rs {
					rows += r.NumRows()
					r.Release()
				}
			}
			if rows != int64(n) {
				b.Fatalf("%d rows", rows)
			}
		}
	})
	b.Run("impl=raygofetch", func(b *testing.B) {
		addr, stop := rayServer((n + 1) / 2)
		defer stop()
		c, err := rayflight.Dial(addr, rayflight.ClientConfig{})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		b.ReportAllocs()
		var tableBytes uint64
		fetch := func() {
			t, err := c.Fetch(context.Background(), "t")
			if err != nil {
				b.Fatal(err)
			}
			if vec.NumRows(t) != n {
				b.Fatalf("%d rows", vec.NumRows(t))
			}
			tableBytes = uint64(heap.ReadStats().LiveBytes)
			cow.Release(&t)
		}
		var peak uint64
		for b.Loop() {
			before := uint64(heap.ReadStats().LiveBytes)
			peak = peakDuring(fetch)
			tableBytes -= before
		}
		b.ReportMetric(float64(peak)/float64(tableBytes), "peak-B/table-B")
	})
}

// keep reads a DoGet stream with Arrow Go's Flight reader and returns its
// records, retained.
func keep(b *testing.B, fc flight.Client, tk *flight.Ticket) []arrow.Record {
	stream, err := fc.DoGet(context.Background(), tk)
	if err != nil {
		b.Error(err)
		return nil
	}
	rd, err := flight.NewRecordReader(stream)
	if err != nil {
		b.Error(err)
		return nil
	}
	defer rd.Release()
	var out []arrow.Record
	for rd.Next() {
		rec := rd.Record()
		rec.Retain()
		out = append(out, rec)
	}
	if err := rd.Err(); err != nil {
		b.Error(err)
	}
	return out
}
