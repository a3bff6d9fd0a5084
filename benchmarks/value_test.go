package benchmarks

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
)

var boxSink *int64

// BenchmarkAtom makes and releases an I64 atom; the Go rival boxes an int64
// on the Go heap and leaves it to the collector.
func BenchmarkAtom(b *testing.B) {
	b.Run("impl=raygo", func(b *testing.B) {
		b.ReportAllocs()
		var i int64
		for b.Loop() {
			v, err := value.NewI64(i)
			if err != nil {
				b.Fatal(err)
			}
			cow.Release(&v)
			i++
		}
	})
	b.Run("impl=go", func(b *testing.B) {
		b.ReportAllocs()
		var i int64
		for b.Loop() {
			p := new(int64)
			*p = i
			boxSink = p
			i++
		}
	})
}

// BenchmarkRetainRelease adds and drops a reference to a shared value. The
// rival is the floor: the same two atomic additions on a Go counter.
func BenchmarkRetainRelease(b *testing.B) {
	b.Run("impl=raygo", func(b *testing.B) {
		v, err := value.NewI64(1)
		if err != nil {
			b.Fatal(err)
		}
		defer cow.Release(&v)
		for b.Loop() {
			w := cow.Retain(v)
			cow.Release(&w)
		}
	})
	b.Run("impl=atomic", func(b *testing.B) {
		var n atomic.Int32
		n.Store(1)
		for b.Loop() {
			n.Add(1)
			n.Add(-1)
		}
	})
}

// internRun is one run of BenchmarkIntern: 10M interns of 1M names that no
// earlier run interned (the symbol table is process-wide and permanent).
var internRun atomic.Int64

func internWorkload() (names []string, seq []int32) {
	const distinct, total = 1 << 20, 10_000_000
	run := internRun.Add(1)
	names = make([]string, distinct)
	for i := range names {
		names[i] = fmt.Sprintf("bench.%d.sym%07d", run, i)
	}
	r := rand.New(rand.NewPCG(7, 7))
	seq = make([]int32, total)
	for i := range seq {
		if i < distinct {
			seq[i] = int32(i) // every name once, then at random
		} else {
			seq[i] = int32(r.IntN(distinct))
		}
	}
	return names, seq
}

// BenchmarkIntern interns 10M names, 1M of them distinct, and reports
// ns/intern; the rival is a Go map[string]int used the same way (by one
// goroutine: the symbol table is also safe for many).
func BenchmarkIntern(b *testing.B) {
	b.Run("impl=raygo", func(b *testing.B) {
		var elapsed time.Duration
		n := 0
		for b.Loop() {
			b.StopTimer()
			names, seq := internWorkload()
			b.StartTimer()
			start := time.Now()
			for _, i := range seq {
				if _, err := value.Intern(names[i]); err != nil {
					b.Fatal(err)
				}
			}
			elapsed += time.Since(start)
			n += len(seq)
		}
		b.ReportMetric(float64(elapsed.Nanoseconds())/float64(n), "ns/intern")
	})
	b.Run("impl=gomap", func(b *testing.B) {
		var elapsed time.Duration
		n := 0
		for b.Loop() {
			b.StopTimer()
			names, seq := internWorkload()
			b.StartTimer()
			start := time.Now()
			m := make(map[string]int)
			for _, i := range seq {
				name := names[i]
				if _, ok := m[name]; !ok {
					m[name] = len(m)
				}
			}
			elapsed += time.Since(start)
			n += len(seq)
		}
		b.ReportMetric(float64(elapsed.Nanoseconds())/float64(n), "ns/intern")
	})
}
