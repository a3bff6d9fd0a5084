package benchmarks

import (
	"runtime"
	"sync"
	"testing"
	"unsafe"

	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/examples/engine/olap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// engineData is the engine example's data, made once per process: 10M
// trades, or 1M under -short.
var engineData = sync.OnceValues(func() (*olap.Tables, error) {
	rows := 10_000_000
	if testing.Short() {
		rows = 1_000_000
	}
	return olap.Generate(olap.Config{Rows: rows, Seed: 1}, nil)
})

// BenchmarkEngine runs the engine example's five queries on its generated
// tables (in the heap, as generated) beside the plain Go reference over
// the same data in Go slices and maps, and beside impl=read: GOMAXPROCS
// goroutines reading every byte of the columns the query reads (its
// Reads, with their null bitmaps), the limit memory bandwidth sets.
func BenchmarkEngine(b *testing.B) {
	tb, err := engineData()
	if err != nil {
		b.Fatal(err)
	}
	e := &olap.Engine{}
	for _, q := range olap.Queries {
		b.Run(q.Name+"/impl=raygo", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := q.Run(e, tb.Trades, tb.Ref); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(q.Name+"/impl=plaingo", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				q.Plain(tb.Plain, tb.PlainRef)
			}
		})
		b.Run(q.Name+"/impl=read", func(b *testing.B) {
			var words [][]uint64
			for _, name := range q.Reads {
				_, c, err := vec.ColumnByName(tb.Trades, name)
				if err != nil {
					b.Fatal(err)
				}
				words = append(words, columnWords(c))
				if bits, _ := vec.NullBits(c); bits != nil {
					words = append(words, asWords(unsafe.Pointer(unsafe.SliceData(bits)), len(bits)))
				}
			}
			var size int
			for _, w := range words {
				size += 8 * len(w)
			}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				readAll(words)
			}
		})
	}
}

// columnWords is the bytes of a column's elements as 8-byte words (the
// tail that does not fill a word left out).
func columnWords(c value.V) []uint64 {
	size := c.Type().ElemSize()
	if w, ok := attrs.SymWidth(c); ok {
		size = w
	}
	return asWords(layout.BlockData(c), int(c.Len())*size)
}

func asWords(p unsafe.Pointer, n int) []uint64 { return unsafe.Slice((*uint64)(p), n/8) }

// readSink keeps readAll's sums alive.
var readSink uint64

// readAll reads every word of every slice, split among GOMAXPROCS
// goroutines, each adding up its share in four independent sums.
func readAll(words [][]uint64) {
	workers := runtime.GOMAXPROCS(0)
	sums := make([]uint64, workers*8) // a cache line apart
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var s0, s1, s2, s3 uint64
			for _, ws := range words {
				part := ws[len(ws)*w/workers : len(ws)*(w+1)/workers]
				i := 0
				for ; i+4 <= len(part); i += 4 {
					s0 += part[i]
					s1 += part[i+1]
					s2 += part[i+2]
					s3 += part[i+3]
				}
				for ; i < len(part); i++ {
					s0 += part[i]
				}
			}
			sums[w*8] = s0 + s1 + s2 + s3
		})
	}
	wg.Wait()
	for w := range workers {
		readSink += sums[w*8]
	}
}
