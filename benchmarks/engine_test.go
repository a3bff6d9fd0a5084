package benchmarks

import (
	"sync"
	"testing"

	"github.com/raygo/ray/examples/engine/engine"
)

// engineData is the engine example's data, made once per process: 10M
// trades, or 1M under -short.
var engineData = sync.OnceValues(func() (*engine.Tables, error) {
	rows := 10_000_000
	if testing.Short() {
		rows = 1_000_000
	}
	return engine.Generate(engine.Config{Rows: rows, Seed: 1}, nil)
})

// BenchmarkEngine runs the engine example's five queries on its generated
// tables (in the heap, as generated) beside the plain Go reference over
// the same data in Go slices and maps.
func BenchmarkEngine(b *testing.B) {
	tb, err := engineData()
	if err != nil {
		b.Fatal(err)
	}
	e := &engine.Engine{}
	for _, q := range engine.Queries {
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
	}
}
