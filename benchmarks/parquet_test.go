package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	pq "github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/parquet-go/parquet-go"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/value"
)

// BenchmarkReadParquet reads the engine's trades table (10M rows, 1M under
// -short) end to end as a user would, file in, a table out, from two
// files: file=engine, as rayarrow.WriteParquet writes it (zstd, SYM
// columns as dictionaries, the Arrow schema stored), and file=duckdb, the
// same rows as DuckDB writes them (snappy, row groups of 122,880 rows;
// interop/rewrite.mjs writes it, so it needs Node.js and the interop
// packages, and is skipped without them).
//
//   - impl=raygo is rayarrow.ReadParquet with no options: a raygo TABLE
//     in the heap, strings as the file types them (the engine file's SYM
//     columns come back SYM, DuckDB's VARCHARs STR);
//   - impl=raygosym reads sym and venue as SYM (AsSym), what an engine
//     grouping by them wants;
//   - impl=arrowgo is Arrow Go's pqarrow.ReadTable with parallel column
//     reads (an arrow.Table in Go memory);
//   - impl=duckdb is DuckDB's CREATE TABLE AS SELECT * FROM read_parquet
//     on 2 threads, timed inside Node by interop/readparquet.mjs (b.N runs
//     in one database, the time of each reported; not b.Loop, since the
//     loop runs in another process);
//   - impl=parquetgo-decode is parquet-go decoding every page of every
//     column on GOMAXPROCS goroutines and building nothing: the floor a
//     reader that builds columns can approach, a reference, not a rival.
//
// raygo's reads report peak-B/table-B: the most memory the read held
// (raygo's live bytes plus Go's heap, sampled every 200µs, less what was
// live before) over what the finished table holds (raygo's live bytes
// after the read, less those before: its blocks, as the heap sized them).
func BenchmarkReadParquet(b *testing.B) {
	tb, err := engineData()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := rayarrow.WriteParquet(filepath.Join(dir, "trades.parquet"), tb.Trades); err != nil {
		b.Fatal(err)
	}
	if err := rayarrow.WriteParquet(filepath.Join(dir, "ref.parquet"), tb.Ref); err != nil {
		b.Fatal(err)
	}
	files := []struct{ name, path, why string }{{"engine", filepath.Join(dir, "trades.parquet"), ""}}
	duckDir := filepath.Join(dir, "duckdb")
	why := ""
	if err := os.Mkdir(duckDir, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := interop("rewrite.mjs", dir, duckDir); err != nil {
		why = err.Error()
	}
	files = append(files, struct{ name, path, why string }{"duckdb", filepath.Join(duckDir, "trades.parquet"), why})
	for _, f := range files {
		var size int64
		if f.why == "" {
			st, err := os.Stat(f.path)
			if err != nil {
				b.Fatal(err)
			}
			size = st.Size()
		}
		run := func(impl string, read func(b *testing.B)) {
			b.Run("file="+f.name+"/impl="+impl, func(b *testing.B) {
				if f.why != "" {
					b.Skip(f.why)
				}
				b.SetBytes(size)
				b.ReportAllocs()
				read(b)
			})
		}
		raygo := func(opts ...rayarrow.ReadOption) func(b *testing.B) {
			return func(b *testing.B) {
				var ratio float64
				for b.Loop() {
					var t value.V
					before := heap.ReadStats().LiveBytes
					peak := peakDuring(func() {
						var err error
						if t, err = rayarrow.ReadParquet(f.path, opts...); err != nil {
							b.Fatal(err)
						}
					})
					table := heap.ReadStats().LiveBytes - before
					ratio = max(ratio, float64(peak)/float64(table))
					cow.Release(&t)
				}
				b.ReportMetric(ratio, "peak-B/table-B")
			}
		}
		run("raygo", raygo())
		run("raygosym", raygo(rayarrow.AsSym("sym", "venue")))
		run("arrowgo", func(b *testing.B) {
			for b.Loop() {
				fh, err := os.Open(f.path)
				if err != nil {
					b.Fatal(err)
				}
				mem := memory.NewGoAllocator()
				t, err := pqarrow.ReadTable(context.Background(), fh, pq.NewReaderProperties(mem),
					pqarrow.ArrowReadProperties{Parallel: true}, mem)
				if err != nil {
					b.Fatal(err)
				}
				t.Release()
				fh.Close()
			}
		})
		run("duckdb", func(b *testing.B) {
			out, err := interopOutput("readparquet.mjs", f.path, strconv.Itoa(b.N))
			if err != nil {
				b.Skip(err)
			}
			var times struct{ MS []float64 }
			if err := json.Unmarshal(out, &times); err != nil || len(times.MS) != b.N {
				b.Fatalf("readparquet.mjs: %v (%s)", err, out)
			}
			var total float64
			for _, ms := range times.MS {
				total += ms
			}
			b.ReportMetric(total*1e6/float64(b.N), "ns/op")
		})
		run("parquetgo-decode", func(b *testing.B) {
			for b.Loop() {
				if err := decodeEveryPage(f.path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// peakDuring runs f and returns the most memory it held: raygo's live bytes
// plus the Go heap's objects, sampled every 200µs, less what was live
// before.
func peakDuring(f func()) uint64 {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	now := func() uint64 {
		metrics.Read(samples)
		return uint64(heap.ReadStats().LiveBytes) + samples[0].Value.Uint64()
	}
	runtime.GC()
	base := now()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			if m := now(); m > peak.Load() {
				peak.Store(m)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	if m := now(); m > peak.Load() {
		peak.Store(m)
	}
	return peak.Load() - min(base, peak.Load())
}

// interop runs a script of the repository's interop directory with node,
// or says why it cannot.
func interop(script string, args ...string) error {
	_, err := interopOutput(script, args...)
	return err
}

func interopOutput(script string, args ...string) ([]byte, error) {
	dir, err := filepath.Abs(filepath.Join("..", "interop"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api")); err != nil {
		return nil, errors.New("DuckDB for Node is not installed (npm ci in interop/)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		return nil, errors.New("no node on the PATH")
	}
	cmd := exec.Command("node", append([]string{script}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("node %s: %v: %s", script, err, stderr.String())
	}
	return out, nil
}

// decodeEveryPage has parquet-go decode every page of every column chunk of
// the file at path, the chunks shared among GOMAXPROCS goroutines.
func decodeEveryPage(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return err
	}
	var chunks []parquet.ColumnChunk
	for _, rg := range pf.RowGroups() {
		chunks = append(chunks, rg.ColumnChunks()...)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, runtime.GOMAXPROCS(0))
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(chunks) {
					return
				}
				pages := chunks[i].Pages()
				for {
					p, err := pages.ReadPage()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						errs[w] = err
						return
					}
					_ = p.Data()
					if d := p.Dictionary(); d != nil {
						_ = d.Page().Data()
					}
					parquet.Release(p)
				}
				pages.Close()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// BenchmarkWriteParquet writes the engine's trades table (10M rows, 1M
// under -short) to a Parquet file with zstd, end to end (a table in, a
// file on disk): impl=raygo is rayarrow.WriteParquet (the native writer:
// level 3, row groups of 122,880 rows); impl=arrowgo is Arrow Go's
// pqarrow writer from the table's Arrow export (zstd, its default row
// groups and pages; STR columns as plain strings, which Arrow Go v17's
// writer needs); impl=duckdb is DuckDB's COPY t TO ... (FORMAT parquet,
// COMPRESSION zstd) on 2 threads from a table it loaded, timed inside
// Node by interop/writeparquet.mjs (skipped without Node). Each reports
// the file's size as file-B.
func BenchmarkWriteParquet(b *testing.B) {
	tb, err := engineData()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "out.parquet")
	size := func(b *testing.B) {
		st, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Size()), "file-B")
	}
	b.Run("impl=raygo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := rayarrow.WriteParquet(path, tb.Trades); err != nil {
				b.Fatal(err)
			}
		}
		size(b)
	})
	b.Run("impl=arrowgo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rec, err := rayarrow.ExportRecord(tb.Trades)
			if err != nil {
				b.Fatal(err)
			}
			plain := plainRecord(b, rec)
			rec.Release()
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			// (The writer closes what it writes to: the file is synced and
			// closed here.)
			w, err := pqarrow.NewFileWriter(plain.Schema(), struct{ io.Writer }{f}, pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Zstd)), pqarrow.DefaultWriterProps())
			if err == nil {
				err = w.Write(plain)
			}
			if err == nil {
				err = w.Close()
			}
			plain.Release()
			if err == nil {
				err = f.Sync()
			}
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
		}
		size(b)
	})
	b.Run("impl=duckdb", func(b *testing.B) {
		in := filepath.Join(dir, "in.parquet")
		if err := rayarrow.WriteParquet(in, tb.Trades); err != nil {
			b.Fatal(err)
		}
		out, err := interopOutput("writeparquet.mjs", in, path, strconv.Itoa(b.N))
		if err != nil {
			b.Skip(err)
		}
		var times struct {
			MS    []float64
			Bytes int64
		}
		if err := json.Unmarshal(out, &times); err != nil || len(times.MS) != b.N {
			b.Fatalf("writeparquet.mjs: %v (%s)", err, out)
		}
		var total float64
		for _, ms := range times.MS {
			total += ms
		}
		b.ReportMetric(total*1e6/float64(b.N), "ns/op")
		b.ReportMetric(float64(times.Bytes), "file-B")
	})
}

// plainRecord returns rec with its string_view columns as plain strings
// (Arrow Go v17's Parquet writer takes no string_view).
func plainRecord(b *testing.B, rec arrow.Record) arrow.Record {
	fields := rec.Schema().Fields()
	cols := make([]arrow.Array, len(fields))
	for i := range fields {
		col := rec.Column(i)
		views, ok := col.(*array.StringView)
		if !ok {
			col.Retain()
			cols[i] = col
			continue
		}
		sb := array.NewStringBuilder(memory.DefaultAllocator)
		sb.Reserve(views.Len())
		for j := range views.Len() {
			if views.IsNull(j) {
				sb.AppendNull()
			} else {
				sb.Append(views.Value(j))
			}
		}
		cols[i] = sb.NewArray()
		sb.Release()
		fields[i].Type = arrow.BinaryTypes.String
	}
	out := array.NewRecord(arrow.NewSchema(fields, nil), cols, rec.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out
}
