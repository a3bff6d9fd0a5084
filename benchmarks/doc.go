// Package benchmarks measures raygo side by side with its rivals: every
// benchmark runs raygo and its rival (Go slices and maps, Arrow Go, runtime memmove, parquet-go's page
// decoding as a floor) as sub-benchmarks
// of one benchmark, so one run on one machine compares them.
//
//	go test ./benchmarks -run '^$' -bench . -count 10 > new.txt
//	benchstat -col /impl new.txt
//
// The sub-benchmark names follow Benchmark<What>/impl=<who>/<size> so that
// benchstat can put the implementations in columns.
package benchmarks
