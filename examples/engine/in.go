package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/examples/engine/olap"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// runIn runs the five queries on dir/trades.parquet and dir/ref.parquet,
// written by any tool: the files are read (rayarrow.ReadParquet, the
// strings grouped or joined by as symbols) and made into the tables the
// queries want (olap.Adopt: narrower numbers widen), and the load is
// timed beside each query. With duckdb, DuckDB loads the same files and
// runs the same queries (interop/engine.mjs), its answers are checked
// against the engine's, and both ends to end are compared. There is no
// plain Go reference for data the example did not generate.
func runIn(dir string, runs, workers int, duckdb bool, jsonOut string) error {
	fmt.Printf("raygo engine on %s, %d workers (GOMAXPROCS %d), %s\n\n", dir, max(workers, runtime.GOMAXPROCS(0)), runtime.GOMAXPROCS(0), runtime.Version())
	start := time.Now()
	var trades, ref value.V
	defer cow.Release(&trades)
	defer cow.Release(&ref)
	// Only the columns the queries use are read, and the strings they
	// group or join by are read as symbols: a dictionary-encoded column
	// costs an intern per dictionary entry, not per row.
	rawTrades, err := rayarrow.ReadParquet(filepath.Join(dir, "trades.parquet"),
		rayarrow.Columns("ts", "sym", "px", "qty", "venue", "note"), rayarrow.AsSym("sym", "venue"))
	if err != nil {
		return err
	}
	defer cow.Release(&rawTrades)
	rawRef, err := rayarrow.ReadParquet(filepath.Join(dir, "ref.parquet"),
		rayarrow.Columns("sym", "sector", "lot"), rayarrow.AsSym("sym", "sector"))
	if err != nil {
		return err
	}
	defer cow.Release(&rawRef)
	if trades, ref, err = olap.Adopt(rawTrades, rawRef); err != nil {
		return err
	}
	load := time.Since(start)
	e := &olap.Engine{Workers: workers}
	var (
		results     []olap.Result
		names, sqls []string
		times       []time.Duration
	)
	for _, q := range olap.Queries {
		var res olap.Result
		best := bestOf(runs, func() { res, err = q.Run(e, trades, ref) })
		if err != nil {
			return fmt.Errorf("%s: %w", q.Name, err)
		}
		results, names, sqls, times = append(results, res), append(names, q.Name), append(sqls, q.SQL), append(times, best)
	}
	rows := vec.NumRows(trades)
	if jsonOut != "" {
		if err := writeResults(jsonOut, rows, max(runs, 1), load, names, sqls, times, results); err != nil {
			return err
		}
	}
	var duck *duckdbTimes
	if duckdb {
		out, err := os.MkdirTemp("", "raygo-engine-in-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(out)
		if err := writeResults(filepath.Join(out, "results.json"), rows, max(runs, 1), load, names, sqls, times, results); err != nil {
			return err
		}
		if duck, err = runDuckDB(dir, out); err != nil {
			return err
		}
	}
	// Each ratio is the rival's time over raygo's: above 1, raygo is faster.
	fmt.Printf("%-4s %10s", "", "raygo")
	if duck != nil {
		fmt.Printf(" %17s %17s", "DuckDB ENUM", "DuckDB VARCHAR")
	}
	fmt.Println()
	total := load
	duckTotal := map[string]float64{}
	line := func(name string, t time.Duration, note string) {
		fmt.Printf("%-4s %7.1f ms", name, ms(t))
		if duck != nil {
			key := name
			if name == "load" {
				key = "load_ms"
			}
			fmt.Printf(" %s %s", rival(msOf(duck.Enum[key]), t), rival(msOf(duck.Varchar[key]), t))
			duckTotal["enum"] += duck.Enum[key]
			duckTotal["varchar"] += duck.Varchar[key]
		}
		fmt.Printf("  %s\n", note)
	}
	line("load", load, "(read both files, strings to symbols)")
	for i, name := range names {
		total += times[i]
		line(name, times[i], "")
	}
	fmt.Printf("%-4s %7.1f ms", "all", ms(total))
	if duck != nil {
		fmt.Printf(" %s %s", rival(msOf(duckTotal["enum"]), total), rival(msOf(duckTotal["varchar"]), total))
	}
	fmt.Printf("  (load and the five queries)\n")
	if duck != nil {
		fmt.Println("(each rival's time and how many times raygo's it is; DuckDB's answers checked against raygo's)")
	}
	fmt.Println()
	for i, r := range results {
		fmt.Printf("%s  %s\n%s\n", names[i], sqls[i], r.Format(8))
	}
	return nil
}
