// Command report runs raygo's side-by-side benchmarks and writes how raygo
// compares with each rival: report.md, a table per area (heap, values,
// vectors, memops, index, store, Arrow, engine) of medians with their
// confidence intervals, the ratio and whether the goal is met, and
// report.svg, a chart of the ratios on a log scale. Both name the machine
// they ran on.
//
// Usage, from the module root:
//
//	go run ./benchmarks/cmd/report            # the full suite, 6 runs of each (about 20 minutes on 2 cores)
//	go run ./benchmarks/cmd/report -short     # a quick look: smaller inputs, one short run (two minutes or so)
//	go run ./benchmarks/cmd/report -in bench.txt   # report on a saved run
//
// The benchmark output is parsed with golang.org/x/perf/benchfmt and
// summarised with benchmath, as benchstat does; the raw output is kept in
// bench.txt beside the report.
package main
