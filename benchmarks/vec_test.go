package benchmarks

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

const appendN = 10_000_000

// perElem runs cycle once untimed (so that the figures are the steady
// state, not the first touch of fresh memory, which on a virtual machine can
// cost more than everything else), then times it in b.Loop and reports
// ns/elem for n elements a cycle.
func perElem(b *testing.B, n int, cycle func()) {
	b.ReportAllocs()
	cycle()
	var elapsed time.Duration
	for b.Loop() {
		start := time.Now()
		cycle()
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(n*b.N), "ns/elem")
}

// BenchmarkAppendI64 appends 10M int64s one at a time to an empty vector,
// slice or builder, and reports ns/element. raygo appends through an
// Appender, the API for loops; raygoappend calls vec.Append for each value.
func BenchmarkAppendI64(b *testing.B) {
	b.Run("impl=raygo", func(b *testing.B) {
		perElem(b, appendN, func() {
			v, err := vec.New(value.I64, 0)
			if err != nil {
				b.Fatal(err)
			}
			a, err := vec.NewAppender[int64](&v)
			if err != nil {
				b.Fatal(err)
			}
			for i := range int64(appendN) {
				if err := a.Append(i); err != nil {
					b.Fatal(err)
				}
			}
			cow.Release(&v)
		})
	})
	b.Run("impl=raygoappend", func(b *testing.B) {
		perElem(b, appendN, func() {
			v, err := vec.New(value.I64, 0)
			if err != nil {
				b.Fatal(err)
			}
			for i := range int64(appendN) {
				if err := vec.Append(&v, i); err != nil {
					b.Fatal(err)
				}
			}
			cow.Release(&v)
		})
	})
	b.Run("impl=goappend", func(b *testing.B) {
		b.Cleanup(func() { sinkI64 = nil }) // later benchmarks measure the Go heap
		perElem(b, appendN, func() {
			var xs []int64
			for i := range int64(appendN) {
				xs = append(xs, i)
			}
			sinkI64 = xs
		})
	})
	b.Run("impl=arrowbuilder", func(b *testing.B) {
		mem := memory.NewGoAllocator()
		perElem(b, appendN, func() {
			bld := array.NewInt64Builder(mem)
			for i := range int64(appendN) {
				bld.Append(i)
			}
			arr := bld.NewInt64Array()
			arr.Release()
			bld.Release()
		})
	})
}

var sinkI64 []int64

// BenchmarkFromSlice builds a vector from 10M int64s (80 MB) with one bulk
// copy; the rival is Go's copy into a fresh slice.
func BenchmarkFromSlice(b *testing.B) {
	xs := make([]int64, appendN)
	for i := range xs {
		xs[i] = int64(i)
	}
	b.Run("impl=raygo", func(b *testing.B) {
		b.SetBytes(8 * appendN)
		cycle := func() {
			v, err := vec.FromSlice(value.I64, xs)
			if err != nil {
				b.Fatal(err)
			}
			cow.Release(&v)
		}
		cycle() // untimed: see perElem
		for b.Loop() {
			cycle()
		}
	})
	b.Run("impl=gocopy", func(b *testing.B) {
		b.Cleanup(func() { sinkI64 = nil })
		b.SetBytes(8 * appendN)
		cycle := func() {
			ys := make([]int64, len(xs))
			copy(ys, xs)
			sinkI64 = ys
		}
		cycle()
		for b.Loop() {
			cycle()
		}
	})
}

// BenchmarkGCLive keeps 4 GiB of columns live (256 MiB under -short) and
// times runtime.GC(); it reports the Go heap in use. raygo's columns are off
// the Go heap; the rival's are Go slices.
func BenchmarkGCLive(b *testing.B) {
	total := 4 << 30
	if testing.Short() {
		total = 256 << 20
	}
	const colBytes = 64 << 20
	cols := total / colBytes
	report := func(b *testing.B, elapsed time.Duration) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(elapsed.Microseconds())/float64(b.N), "us/gc")
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MiB-goheap")
	}
	b.Run(fmt.Sprintf("impl=raygo/GiB=%g", float64(total)/(1<<30)), func(b *testing.B) {
		vs := make([]value.V, cols)
		for i := range vs {
			v, err := vec.New(value.I64, colBytes/8)
			if err != nil {
				b.Fatal(err)
			}
			vs[i] = v
		}
		runtime.GC()
		var elapsed time.Duration
		for b.Loop() {
			start := time.Now()
			runtime.GC()
			elapsed += time.Since(start)
		}
		report(b, elapsed)
		for i := range vs {
			cow.Release(&vs[i])
		}
	})
	b.Run(fmt.Sprintf("impl=goslices/GiB=%g", float64(total)/(1<<30)), func(b *testing.B) {
		cs := make([][]int64, cols)
		for i := range cs {
			cs[i] = make([]int64, colBytes/8)
		}
		runtime.GC()
		var elapsed time.Duration
		for b.Loop() {
			start := time.Now()
			runtime.GC()
			elapsed += time.Since(start)
		}
		report(b, elapsed)
		runtime.KeepAlive(cs)
		cs = nil
		debug.FreeOSMemory()
	})
}

// strWorkload is 10M strings, half of them at most 12 bytes (inline in a
// view), half longer (in the pool).
func strWorkload() []string {
	xs := make([]string, appendN)
	for i := range xs {
		if i%2 == 0 {
			xs[i] = fmt.Sprintf("s%d", i%1000000)
		} else {
			xs[i] = fmt.Sprintf("a-longer-string-%08d", i)
		}
	}
	return xs
}

// BenchmarkAppendStr appends 10M strings one at a time; the rival is Arrow's
// string_view builder, the same layout.
func BenchmarkAppendStr(b *testing.B) {
	xs := strWorkload()
	b.Run("impl=raygo", func(b *testing.B) {
		perElem(b, len(xs), func() {
			v, err := vec.New(value.Str, 0)
			if err != nil {
				b.Fatal(err)
			}
			for _, s := range xs {
				if err := vec.AppendStr(&v, s); err != nil {
					b.Fatal(err)
				}
			}
			cow.Release(&v)
		})
	})
	b.Run("impl=arrowstringview", func(b *testing.B) {
		mem := memory.NewGoAllocator()
		perElem(b, len(xs), func() {
			bld := array.NewStringViewBuilder(mem)
			for _, s := range xs {
				bld.Append(s)
			}
			arr := bld.NewArray()
			arr.Release()
			bld.Release()
		})
	})
}

// BenchmarkSymVec appends 10M symbols of 100k distinct names one at a time;
// the rival is Arrow's dictionary builder (int32 indices over strings).
func BenchmarkSymVec(b *testing.B) {
	names := make([]string, 100000)
	for i := range names {
		names[i] = fmt.Sprintf("ticker-%05d", i)
	}
	b.Run("impl=raygo", func(b *testing.B) {
		perElem(b, appendN, func() {
			v, err := vec.New(value.Sym, 0)
			if err != nil {
				b.Fatal(err)
			}
			for i := range appendN {
				if err := vec.AppendSym(&v, names[i%len(names)]); err != nil {
					b.Fatal(err)
				}
			}
			cow.Release(&v)
		})
	})
	b.Run("impl=arrowdict", func(b *testing.B) {
		mem := memory.NewGoAllocator()
		dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
		perElem(b, appendN, func() {
			bld := array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
			for i := range appendN {
				if err := bld.AppendString(names[i%len(names)]); err != nil {
					b.Fatal(err)
				}
			}
			arr := bld.NewArray()
			arr.Release()
			bld.Release()
		})
	})
}

// BenchmarkConcatAll joins 153 batches of 65,536 rows (16 under -short),
// as a Flight client joins what it fetched: int64s, and 15-byte strings
// (raygo copies them into one pool; Go's rival copies string headers and
// shares the bytes). The rival is slices.Concat.
func BenchmarkConcatAll(b *testing.B) {
	const batch = 1 << 16
	parts := 153
	if testing.Short() {
		parts = 16
	}
	ints, strs := make([][]int64, parts), make([][]string, parts)
	for p := range parts {
		ints[p], strs[p] = make([]int64, batch), make([]string, batch)
		for i := range batch {
			ints[p][i], strs[p][i] = int64(p*batch+i), fmt.Sprintf("instrument-%04d", i%1000)
		}
	}
	for _, kind := range []string{"i64", "str"} {
		b.Run("impl=raygo/kind="+kind, func(b *testing.B) {
			vs := make([]value.V, parts)
			for p := range parts {
				var err error
				if kind == "i64" {
					vs[p], err = vec.FromSlice(value.I64, ints[p])
				} else {
					vs[p], err = vec.FromStrings(strs[p])
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			defer func() {
				for p := range vs {
					cow.Release(&vs[p])
				}
			}()
			b.ReportAllocs()
			for b.Loop() {
				c, err := vec.ConcatAll(vs...)
				if err != nil {
					b.Fatal(err)
				}
				cow.Release(&c)
			}
		})
		b.Run("impl=goslices/kind="+kind, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if kind == "i64" {
					sinkI64 = slices.Concat(ints...)
				} else {
					sinkStrs = slices.Concat(strs...)
				}
			}
			sinkI64, sinkStrs = nil, nil
		})
	}
}

var sinkStrs []string
