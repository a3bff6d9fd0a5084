// Package olap is a small columnar query engine built on raygo, written
// the way an engine builder would write one: every column, selection
// vector, accumulator, hash table and intermediate is a raygo value; Go
// memory holds only control (a worker's counters, its ten best rows).
//
// Its parts, one file each:
//
//	data.go     a deterministic generator of the trades and ref tables,
//	            with the same data as plain Go slices for the reference
//	driver.go   morsel-driven parallelism: workers take blocks of rows
//	            (morsels) from a shared counter and keep partial results of
//	            their own, merged at the end
//	kernels.go  vectorized kernels: predicates over typed views that fill
//	            selection vectors, with SQL's nulls (a null compares false
//	            and is skipped by sum, min, max and avg)
//	queries.go  the five queries: filter and aggregate, group by symbol,
//	            a hash join through index.ProbeSyms, top-k, count distinct
//	plain.go    the same queries as a plain Go programmer writes them first,
//	            over slices and maps: the reference every result is
//	            checked against, and the rival it is timed beside
//	result.go   results, compared with a tolerance for floating point sums
//	            (a parallel sum adds in another order) and printed
//	adopt.go    tables another tool wrote made into the ones the queries
//	            want: strings they group or join by become symbols
//	            (vec.ToSym), narrower numbers widen
//
// Symbols make grouping cheap: a SYM column holds dense ids, so a GROUP BY
// on one is an array of accumulators indexed by id (sized by the ids the
// columns hold, not by the process's symbol table), with no hashing at all;
// a group's accumulators sit side by side, so a row touches one or two
// cache lines. A join on a symbol probes the index once per distinct id,
// not once per row. Top-k keeps the k best rows in a sorted array (for
// k = 10, cheaper than a heap) and skips, four rows to a branch, every row
// below the k-th best: that query runs as fast as its column can be read.
//
// Query.Reads names the columns each query reads from end to end; the
// benchmarks time reading their bytes beside the queries, the limit
// memory bandwidth sets.
package olap
