package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/examples/engine/engine"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/value"
)

// runIn runs the five queries on dir/trades.parquet and dir/ref.parquet,
// written by any tool: the files are read (rayarrow.ReadParquet) and made
// into the tables the queries want (engine.Adopt: strings grouped or joined
// by become symbols, narrower numbers widen), and the load is timed beside
// each query. There is no plain Go reference for data the example did not
// generate.
func runIn(dir string, runs, workers int) error {
	fmt.Printf("raygo engine on %s, %d workers (GOMAXPROCS %d), %s\n\n", dir, max(workers, runtime.GOMAXPROCS(0)), runtime.GOMAXPROCS(0), runtime.Version())
	start := time.Now()
	var trades, ref value.V
	defer cow.Release(&trades)
	defer cow.Release(&ref)
	rawTrades, err := rayarrow.ReadParquet(filepath.Join(dir, "trades.parquet"))
	if err != nil {
		return err
	}
	defer cow.Release(&rawTrades)
	rawRef, err := rayarrow.ReadParquet(filepath.Join(dir, "ref.parquet"))
	if err != nil {
		return err
	}
	defer cow.Release(&rawRef)
	if trades, ref, err = engine.Adopt(rawTrades, rawRef); err != nil {
		return err
	}
	load := time.Since(start)
	fmt.Printf("%-4s %10.1f ms  (read both files, strings to symbols)\n", "load", ms(load))
	e := &engine.Engine{Workers: workers}
	total := load
	var results []engine.Result
	for _, q := range engine.Queries {
		var res engine.Result
		best := bestOf(runs, func() { res, err = q.Run(e, trades, ref) })
		if err != nil {
			return fmt.Errorf("%s: %w", q.Name, err)
		}
		total += best
		results = append(results, res)
		fmt.Printf("%-4s %10.1f ms\n", q.Name, ms(best))
	}
	fmt.Printf("%-4s %10.1f ms  (load and the five queries)\n\n", "all", ms(total))
	for i, r := range results {
		fmt.Printf("%s  %s\n%s\n", engine.Queries[i].Name, engine.Queries[i].SQL, r.Format(8))
	}
	return nil
}
