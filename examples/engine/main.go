// Command engine runs a small columnar query engine built on raygo over a
// generated trades table, beside the same five queries written in plain Go,
// checks that they agree, and prints both times.
//
//	go run ./examples/engine            10M trades (under a minute on 2 cores)
//	go run ./examples/engine -short     100K trades
//	go run ./examples/engine -rows 1e8  more
//	go run ./examples/engine -duckdb    beside DuckDB too (needs Node.js)
//	go run ./examples/engine -in DIR    on DIR/trades.parquet and DIR/ref.parquet from any tool
//	go run ./examples/engine -in DIR -duckdb -json out.json
//	                                    ... beside DuckDB's load and queries of the same files
//
// It generates the tables (package olap: data.go), saves them as raygo
// table directories and maps them back (columns mapped, not copied), writes
// them as Parquet for other engines, and runs each query warm, best of
// -runs. The engine's design is in package olap's documentation.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/examples/engine/olap"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/store"
	"github.com/raygo/ray/value"
)

func main() {
	rows := flag.String("rows", "10000000", "trades rows (1e7 works too)")
	short := flag.Bool("short", false, "100K rows, one run: a quick look")
	seed := flag.Uint64("seed", 1, "the data's seed")
	runs := flag.Int("runs", 3, "runs of each query; the best is reported")
	dir := flag.String("dir", "", "where to write the tables (a temporary directory when empty)")
	parquet := flag.Bool("parquet", true, "also write the tables as Parquet")
	workers := flag.Int("workers", 0, "worker goroutines per query (GOMAXPROCS when 0)")
	duckdb := flag.Bool("duckdb", false, "also run the queries in DuckDB (needs Node.js) and compare")
	in := flag.String("in", "", "run the queries on DIR/trades.parquet and DIR/ref.parquet, written by any tool, instead of generated tables")
	jsonOut := flag.String("json", "", "write the answers and times to this file (results.json's form, with load_ms and each query's ms)")
	budget := flag.Uint64("budget", 0, "the heap's budget in MiB (0: the default, 80% of memory); too small a one ends the run with ErrLimit")
	flag.Parse()
	if *budget > 0 {
		heap.SetBudget(*budget << 20)
	}
	n, err := strconv.ParseFloat(*rows, 64)
	if err != nil || n < 0 {
		log.Fatalf("-rows %q: want a number of rows", *rows)
	}
	if *short {
		n, *runs = 100_000, 1
	}
	if *in != "" {
		if err := runIn(*in, *runs, *workers, *duckdb, *jsonOut); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *duckdb {
		*parquet = true // DuckDB reads the Parquet files
	}
	if err := run(int(n), *seed, *runs, *dir, *parquet, *workers, *duckdb, *jsonOut); err != nil {
		log.Fatal(err)
	}
}

func run(rows int, seed uint64, runs int, dir string, parquet bool, workers int, duckdb bool, jsonOut string) error {
	fmt.Printf("raygo engine: %d trades, %d workers (GOMAXPROCS %d), %s\n\n", rows, max(workers, runtime.GOMAXPROCS(0)), runtime.GOMAXPROCS(0), runtime.Version())
	if dir == "" {
		tmp, err := os.MkdirTemp("", "raygo-engine-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}

	start := time.Now()
	bar := newProgress("generating")
	tb, err := olap.Generate(olap.Config{Rows: rows, Seed: seed}, bar.update)
	if err != nil {
		return err
	}
	defer tb.Release()
	bar.done(time.Since(start))

	step := func(what string, f func() error) error {
		t0 := time.Now()
		if err := f(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		fmt.Printf("%-28s %8.0f ms\n", what, ms(time.Since(t0)))
		return nil
	}
	tradesDir, refDir := filepath.Join(dir, "trades"), filepath.Join(dir, "ref")
	err = step("saving table directories", func() error {
		return firstErr(store.SaveTable(tradesDir, tb.Trades), store.SaveTable(refDir, tb.Ref), store.SaveSymbols(filepath.Join(dir, "sym")))
	})
	if err != nil {
		return err
	}
	var trades, ref value.V
	err = step("mapping them back", func() error {
		var err error
		if trades, err = store.MapTable(tradesDir); err != nil {
			return err
		}
		ref, err = store.MapTable(refDir)
		return err
	})
	defer cow.Release(&trades)
	defer cow.Release(&ref)
	if err != nil {
		return err
	}
	if parquet {
		err = step("writing Parquet", func() error {
			return firstErr(rayarrow.WriteParquet(filepath.Join(dir, "trades.parquet"), trades), rayarrow.WriteParquet(filepath.Join(dir, "ref.parquet"), ref))
		})
		if err != nil {
			return err
		}
	}

	e := &olap.Engine{Workers: workers}
	var (
		results             []olap.Result
		names, sqls, checks []string
		raygoT, plainT      []time.Duration
		differs             error
	)
	for _, q := range olap.Queries {
		var res olap.Result
		best := bestOf(runs, func() {
			if res, err = q.Run(e, trades, ref); err != nil {
				return
			}
		})
		if err != nil {
			return fmt.Errorf("%s: %w", q.Name, err)
		}
		var want olap.Result
		bestPlain := bestOf(runs, func() { want = q.Plain(tb.Plain, tb.PlainRef) })
		check := "same"
		if d := res.Diff(want); d != "" {
			check = "DIFFERS from plain Go: " + d
			differs = fmt.Errorf("%s differs from plain Go: %s", q.Name, d)
		}
		results, names, sqls, checks = append(results, res), append(names, q.Name), append(sqls, q.SQL), append(checks, check)
		raygoT, plainT = append(raygoT, best), append(plainT, bestPlain)
	}
	if jsonOut != "" {
		if err := writeResults(jsonOut, rows, max(runs, 1), 0, names, sqls, raygoT, results); err != nil {
			return err
		}
	}
	var duck *duckdbTimes
	if duckdb {
		err = step("DuckDB: load, run, compare", func() error {
			if err := writeResults(filepath.Join(dir, "results.json"), rows, max(runs, 1), 0, names, sqls, raygoT, results); err != nil {
				return err
			}
			duck, err = runDuckDB(dir, dir)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Printf("DuckDB loaded the Parquet files in %.0f ms (SYM as ENUM) and %.0f ms (as VARCHAR)\n",
			duck.Enum["load_ms"], duck.Varchar["load_ms"])
	}
	fmt.Println()

	// Each ratio is the rival's time over raygo's: above 1, raygo is faster.
	fmt.Printf("%-4s %10s %17s", "", "raygo", "plain Go")
	if duck != nil {
		fmt.Printf(" %17s %17s", "DuckDB ENUM", "DuckDB VARCHAR")
	}
	fmt.Printf("  %s\n", "result")
	for i, name := range names {
		fmt.Printf("%-4s %7.1f ms %s", name, ms(raygoT[i]), rival(plainT[i], raygoT[i]))
		if duck != nil {
			fmt.Printf(" %s %s", rival(msOf(duck.Enum[name]), raygoT[i]), rival(msOf(duck.Varchar[name]), raygoT[i]))
		}
		fmt.Printf("  %s\n", checks[i])
	}
	compared := "plain Go's"
	if duck != nil {
		compared = "plain Go's and DuckDB's (both loads)"
	}
	fmt.Printf("(each rival's time and how many times raygo's it is; results checked against %s)\n", compared)
	fmt.Println()
	for i, r := range results {
		fmt.Printf("%s  %s\n%s\n", names[i], sqls[i], r.Format(8))
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := heap.ReadStats()
	files, mapped := heap.MappedFiles()
	fmt.Printf("raygo heap: %d MiB live in %d blocks; %d files mapped (%d MiB); Go heap: %d MiB (the plain Go tables)\n",
		s.LiveBytes>>20, s.LiveBlocks, files, mapped>>20, ms.HeapAlloc>>20)
	return differs
}

// rival formats a rival's time and its ratio to raygo's.
func rival(t, raygo time.Duration) string {
	return fmt.Sprintf("%7.1f ms %6.1fx", ms(t), float64(t)/float64(raygo))
}

// bestOf runs f runs times and returns its fastest run.
func bestOf(runs int, f func()) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range max(runs, 1) {
		t0 := time.Now()
		f()
		best = min(best, time.Since(t0))
	}
	return best
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// progress draws a bar on a terminal and prints nothing else until done
// elsewhere (a log, a pipe), where a bar would be noise.
type progress struct {
	what     string
	terminal bool
	last     int
}

func newProgress(what string) *progress {
	st, err := os.Stdout.Stat()
	return &progress{what: what, terminal: err == nil && st.Mode()&os.ModeCharDevice != 0, last: -1}
}

func (p *progress) update(done, total int) {
	if !p.terminal || total == 0 {
		return
	}
	pct := done * 100 / total
	if pct == p.last {
		return
	}
	p.last = pct
	const width = 30
	fill := pct * width / 100
	fmt.Printf("\r%-28s [%-*s] %3d%%", p.what, width, string(repeat('#', fill)), pct)
}

func (p *progress) done(d time.Duration) {
	if p.terminal {
		fmt.Print("\r\033[K")
	}
	fmt.Printf("%-28s %8.0f ms\n", p.what, ms(d))
}

func repeat(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}
