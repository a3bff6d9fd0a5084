// Command report runs raygo's side-by-side benchmarks and writes how raygo
// compares with each rival: report.md, a table per area (heap, values,
// vectors, memops, index, store, Arrow, engine) of medians with their
// confidence intervals, the ratio and whether the goal is met, and
// report.svg, a chart of the ratios on a log scale. Both name the machine
// they ran on.
//
// Usage, from the module root:
//
//	go run ./benchmarks/cmd/report            # the full suite, 6 runs of each (about 25 minutes on 2 cores)
//	go run ./benchmarks/cmd/report -short     # a quick look: smaller inputs, one short run (two minutes or so)
//	go run ./benchmarks/cmd/report -in bench.txt   # report on a saved run
//
// The benchmarks' test binary is built once and each top-level benchmark
// runs in a process of its own (benchmarks that share process state, such
// as the symbol table, the heap's pools or the Go heap a GC benchmark
// leaves, distort each other when run together), with a timeout sized to
// its runs; a terminal shows each result as it comes. When the engine's benchmarks run and Node.js is installed,
// the engine example runs the same five queries in DuckDB over the same
// data (interop/engine.mjs) and every run's time becomes a rival of the
// engine's rows (impl=duckdbenum, impl=duckdbvarchar); without Node.js the
// report says DuckDB was not run. -noduckdb leaves DuckDB out.
//
// The benchmark output is parsed with golang.org/x/perf/benchfmt and
// summarised with benchmath, as benchstat does; the raw output is kept in
// bench.txt beside the report.
package main
