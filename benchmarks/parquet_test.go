package benchmarks

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	pq "github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/parquet-go/parquet-go"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/rayarrow"
)

// BenchmarkReadParquet reads the engine's trades table (10M rows, 1M under
// -short) from the Parquet file rayarrow.WriteParquet writes (zstd, SYM
// columns as dictionaries, the Arrow schema stored), end to end as a user
// would: file in, a table out. impl=raygo is rayarrow.ReadParquet (a raygo
// TABLE in the heap); impl=arrowgo is Arrow Go's pqarrow.ReadTable with
// parallel column reads (an arrow.Table in Go memory); impl=parquetgo-decode
// is parquet-go decoding every page of every column on GOMAXPROCS
// goroutines and building nothing: the floor a reader that builds columns
// can approach, a reference rather than a rival.
func BenchmarkReadParquet(b *testing.B) {
	tb, err := engineData()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "trades.parquet")
	if err := rayarrow.WriteParquet(path, tb.Trades); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("file=engine/impl=raygo", func(b *testing.B) {
		b.SetBytes(st.Size())
		b.ReportAllocs()
		for b.Loop() {
			t, err := rayarrow.ReadParquet(path)
			if err != nil {
				b.Fatal(err)
			}
			cow.Release(&t)
		}
	})
	b.Run("file=engine/impl=arrowgo", func(b *testing.B) {
		b.SetBytes(st.Size())
		b.ReportAllocs()
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			mem := memory.NewGoAllocator()
			t, err := pqarrow.ReadTable(context.Background(), f, pq.NewReaderProperties(mem),
				pqarrow.ArrowReadProperties{Parallel: true}, mem)
			if err != nil {
				b.Fatal(err)
			}
			t.Release()
			f.Close()
		}
	})
	b.Run("file=engine/impl=parquetgo-decode", func(b *testing.B) {
		b.SetBytes(st.Size())
		b.ReportAllocs()
		for b.Loop() {
			if err := decodeEveryPage(path); err != nil {
				b.Fatal(err)
			}
		}
	})
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
