// Command quickstart is a short tour of raygo at the size of real work: a
// table of a million trades built off the Go heap, indexed and looked up,
// sliced and copied on write, saved and mapped back, exported to Arrow
// without copying and written as Parquet, with what the raygo heap holds
// beside the Go heap's size at each step.
//
//	go run ./examples/quickstart              1M trades
//	go run ./examples/quickstart -rows 1e7    more
//
// Each step is a function below, in the order it runs. The heap itself
// (blocks, budgets, arenas) has its own examples in package heap.
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/index"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/store"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func main() {
	log.SetFlags(0)
	rows := flag.String("rows", "1000000", "trades in the table (1e6 works too)")
	flag.Parse()
	n, err := strconv.ParseFloat(*rows, 64)
	if err != nil || n < 1 {
		log.Fatalf("-rows %q: want a number of rows", *rows)
	}
	dir, err := os.MkdirTemp("", "raygo-quickstart-")
	check(err)
	defer os.RemoveAll(dir)
	start := heap.LiveBlocks()

	t := build(int(n))
	lookups(t)
	sliceAndCopy(t)
	mapped := saveAndMap(t, filepath.Join(dir, "trades"))
	toArrow(mapped, filepath.Join(dir, "trades.parquet"))

	// Everything is reference counted: releasing the last owners frees
	// the blocks (and unmaps the files), and GC hands the pools back.
	cow.Release(&t)
	cow.Release(&mapped)
	_, err = heap.GC()
	check(err)
	check(heap.Verify())
	report("released everything", time.Now())
	fmt.Printf("live blocks: %d at the start, %d now; heap.Verify: every invariant holds\n", start, heap.LiveBlocks())
}

// build makes the table: ts TIMESTAMP ascending, sym SYM (100 tickers),
// px F64 with a null every 50th row, qty I64. Appenders write straight
// into the columns' blocks; the sym column gets a hash index and px a
// sort index before they join the table.
func build(n int) value.V {
	t0 := time.Now()
	r := rand.New(rand.NewPCG(1, 2))
	tickers := make([]int64, 100)
	for i := range tickers {
		id, err := value.Intern(fmt.Sprintf("T%03d", i))
		check(err)
		tickers[i] = id
	}
	ts, err := vec.New(value.Timestamp, n)
	check(err)
	sym, err := vec.New(value.Sym, n)
	check(err)
	px, err := vec.New(value.F64, n)
	check(err)
	qty, err := vec.New(value.I64, n)
	check(err)
	tsA, err := vec.NewAppender[int64](&ts)
	check(err)
	pxA, err := vec.NewAppender[float64](&px)
	check(err)
	qtyA, err := vec.NewAppender[int64](&qty)
	check(err)
	clock := time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC).UnixNano()
	for range n {
		clock += 1000 * (1 + r.Int64N(100))
		check(tsA.Append(clock))
		check(vec.AppendSymID(&sym, tickers[r.IntN(len(tickers))]))
		check(pxA.Append(float64(r.IntN(20000)) / 100))
		check(qtyA.Append(1 + r.Int64N(500)))
	}
	for i := 0; i < n; i += 50 {
		check(vec.SetNull(&px, i, true))
	}
	check(index.Attach(&sym, index.Hash))
	check(index.Attach(&px, index.Sort))

	t, err := vec.NewTable()
	check(err)
	for _, c := range []struct {
		name string
		col  *value.V
	}{{"ts", &ts}, {"sym", &sym}, {"px", &px}, {"qty", &qty}} {
		check(vec.AddColumn(&t, c.name, *c.col)) // the table takes a reference
		cow.Release(c.col)                       // and ours goes
	}
	report("built and indexed", t0)
	fmt.Printf("    %d trades: ts, sym (hash index), px (sort index; a null every 50th), qty\n", n)
	return t
}

// lookups asks the indexes: every trade of one ticker (hash), every
// trade in a price band (sort).
func lookups(t value.V) {
	t0 := time.Now()
	_, sym, err := vec.ColumnByName(t, "sym") // borrowed from the table
	check(err)
	_, qty, err := vec.ColumnByName(t, "qty")
	check(err)
	_, px, err := vec.ColumnByName(t, "px")
	check(err)
	rows, err := index.LookupSym(sym, "T042")
	check(err)
	var count, total int64
	for row := range rows {
		q, err := vec.Get[int64](qty, row)
		check(err)
		count, total = count+1, total+q
	}
	band, err := index.Range(px, 100.0, 100.05)
	check(err)
	inBand := len(slices.Collect(band))
	report("looked up", t0)
	fmt.Printf("    T042: %d trades, %d shares; px in [100, 100.05]: %d trades\n", count, total, inBand)
}

// sliceAndCopy takes the last 1,000 rows of px as a slice (no copy: a
// small header pointing into the column) and writes to it, which copies
// just the slice and leaves the table's column and its index alone.
func sliceAndCopy(t value.V) {
	t0 := time.Now()
	_, px, err := vec.ColumnByName(t, "px")
	check(err)
	before := heap.ReadStats().LiveBytes
	last, err := vec.Slice(px, int(px.Len())-1000, 1000)
	check(err)
	defer cow.Release(&last)
	sliced := heap.ReadStats().LiveBytes
	check(vec.Set(&last, 0, -1.0))
	written := heap.ReadStats().LiveBytes
	orig, err := vec.Get[float64](px, int(px.Len())-1000)
	check(err)
	_, indexed := index.InfoOf(px)
	report("sliced and written", t0)
	fmt.Printf("    slicing took %d bytes, writing it %d more; the table's px still %.2f, still indexed: %v\n",
		sliced-before, written-sliced, orig, indexed)
}

// saveAndMap saves the table as a directory of column files and maps it
// back: the mapped columns' elements stay in the files' pages.
func saveAndMap(t value.V, dir string) value.V {
	t0 := time.Now()
	check(store.SaveTable(dir, t))
	check(store.SaveSymbols(filepath.Join(filepath.Dir(dir), "sym"))) // so SYM ids mean the same next time
	report("saved", t0)
	t0 = time.Now()
	m, err := store.MapTable(dir)
	check(err)
	files, bytes := heap.MappedFiles()
	report("mapped back", t0)
	fmt.Printf("    %d files mapped (%d MiB), %d rows, the same as saved: %v\n", files, bytes>>20, vec.NumRows(m), sameQty(t, m))
	return m
}

func sameQty(a, b value.V) bool {
	_, x, err := vec.ColumnByName(a, "qty")
	check(err)
	_, y, err := vec.ColumnByName(b, "qty")
	check(err)
	xs, err := vec.Elems[int64](x)
	check(err)
	ys, err := vec.Elems[int64](y)
	check(err)
	return slices.Equal(xs, ys)
}

// toArrow exports the table as an Arrow record over the same memory (the
// qty column's values are the raygo column's bytes, mapped from its file),
// and writes it as Parquet for any other engine to read.
func toArrow(t value.V, path string) {
	t0 := time.Now()
	rec, err := rayarrow.ExportRecord(t)
	check(err)
	defer rec.Release()
	_, qty, err := vec.ColumnByName(t, "qty")
	check(err)
	xs, err := vec.Elems[int64](qty)
	check(err)
	arrowQty := rec.Column(3).(*array.Int64).Int64Values()
	report("exported to Arrow", t0)
	fmt.Printf("    %d rows, %d columns (%s); qty shares raygo's memory: %v\n",
		rec.NumRows(), rec.NumCols(), rec.Schema().Field(1).Type, &xs[0] == &arrowQty[0])

	t0 = time.Now()
	check(rayarrow.WriteParquet(path, t))
	st, err := os.Stat(path)
	check(err)
	report("written as Parquet", t0)
	fmt.Printf("    %s: %d KiB\n", filepath.Base(path), st.Size()>>10)
}

// report prints a step's time and the sizes of both heaps.
func report(what string, since time.Time) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := heap.ReadStats()
	_, mapped := heap.MappedFiles()
	fmt.Printf("%-26s %6.1f ms   raygo: %3d MiB in %2d blocks + %3d MiB mapped   Go heap: %3d MiB\n",
		what, float64(time.Since(since).Microseconds())/1000, s.LiveBytes>>20, s.LiveBlocks, mapped>>20, ms.HeapAlloc>>20)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
