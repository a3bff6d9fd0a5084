// Package engine is a small columnar query engine built on raygo, written
// the way an engine builder would write one: every column, selection
// vector, accumulator, hash table and intermediate is a raygo value; Go
// memory holds only control (a worker's counters, a top-k heap of ten).
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
//
// Symbols make grouping cheap: a SYM column holds dense ids, so a GROUP BY
// on one is an array of accumulators indexed by id, with no hashing at all.
package engine
