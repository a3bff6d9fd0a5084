package benchmarks

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/index"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

const indexRows, indexKeys = 10_000_000, 1_000_000

func indexData() []int64 {
	r := rand.New(rand.NewPCG(11, 11))
	xs := make([]int64, indexRows)
	for i := range xs {
		xs[i] = int64(r.IntN(indexKeys)) * 7919
	}
	return xs
}

// BenchmarkHashBuild builds a hash index over 10M int64 with 1M distinct
// keys; the rival is a map[int64][]int32 from key to rows.
func BenchmarkHashBuild(b *testing.B) {
	xs := indexData()
	b.Run("impl=raygo", func(b *testing.B) { timeAttach(b, index.Hash)(vec.FromSlice(value.I64, xs)) })
	b.Run("impl=gomap", func(b *testing.B) {
		steady(b, func() {
			m := make(map[int64][]int32)
			for i, x := range xs {
				m[x] = append(m[x], int32(i))
			}
			sinkMap = m
		})
		sinkMap = nil
	})
}

var (
	sinkMap    map[int64][]int32
	sinkStrMap map[string][]int32
)

// steady runs cycle once untimed, so that every contender is timed in its
// steady state rather than on the first touch of fresh memory (see
// perElem), then times it in b.Loop.
func steady(b *testing.B, cycle func()) {
	b.ReportAllocs()
	cycle()
	for b.Loop() {
		cycle()
	}
}

func attach(b *testing.B, v *value.V, kind index.Kind) {
	if err := index.Attach(v, kind); err != nil {
		b.Fatal(err)
	}
}

// timeAttach returns a function that times attaching an index of kind to
// the vector it is given (a constructor's results), then releases it.
func timeAttach(b *testing.B, kind index.Kind) func(value.V, error) {
	return func(v value.V, err error) {
		if err != nil {
			b.Fatal(err)
		}
		defer cow.Release(&v)
		steady(b, func() { attach(b, &v, kind) })
	}
}

// sortRowIDs times the rival of a sort index: sorting n row ids by
// compare, ties by row.
func sortRowIDs(b *testing.B, n int, compare func(a, c int32) int) {
	perm := make([]int32, n)
	steady(b, func() {
		for i := range perm {
			perm[i] = int32(i)
		}
		slices.SortFunc(perm, func(a, c int32) int {
			if x := compare(a, c); x != 0 {
				return x
			}
			return int(a - c)
		})
	})
}

// BenchmarkHashLookup looks up 1M random keys and reads their rows (about
// 10 each).
func BenchmarkHashLookup(b *testing.B) {
	xs := indexData()
	r := rand.New(rand.NewPCG(12, 12))
	keys := make([]int64, 1_000_000)
	for i := range keys {
		keys[i] = int64(r.IntN(indexKeys)) * 7919
	}
	b.Run("impl=raygo", func(b *testing.B) {
		v, err := vec.FromSlice(value.I64, xs)
		if err != nil {
			b.Fatal(err)
		}
		defer cow.Release(&v)
		if err := index.Attach(&v, index.Hash); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			n := 0
			if err := index.Probe(v, keys, func(_ int, rows []uint32) bool {
				for _, row := range rows {
					n += int(row)
				}
				return true
			}); err != nil {
				b.Fatal(err)
			}
			sinkInt = n
		}
	})
	b.Run("impl=gomap", func(b *testing.B) {
		m := make(map[int64][]int32)
		for i, x := range xs {
			m[x] = append(m[x], int32(i))
		}
		for b.Loop() {
			n := 0
			for _, k := range keys {
				for _, row := range m[k] {
					n += int(row)
				}
			}
			sinkInt = n
		}
	})
}

var sinkInt int

// BenchmarkHashBuildStr builds a hash index over 10M strings (1M distinct);
// the rival is a map[string][]int32.
func BenchmarkHashBuildStr(b *testing.B) {
	xs := make([]string, indexRows)
	r := rand.New(rand.NewPCG(13, 13))
	for i := range xs {
		xs[i] = fmt.Sprintf("key-%07d", r.IntN(indexKeys))
	}
	b.Run("impl=raygo", func(b *testing.B) { timeAttach(b, index.Hash)(vec.FromStrings(xs)) })
	b.Run("impl=gomap", func(b *testing.B) {
		steady(b, func() {
			m := make(map[string][]int32)
			for i, x := range xs {
				m[x] = append(m[x], int32(i))
			}
			sinkStrMap = m
		})
		sinkStrMap = nil
	})
}

// BenchmarkSortIndex builds the ascending order of 10M int64; the rival
// sorts a []int32 of row ids with slices.SortFunc on the values.
func BenchmarkSortIndex(b *testing.B) {
	xs := indexData()
	b.Run("impl=raygo", func(b *testing.B) { timeAttach(b, index.Sort)(vec.FromSlice(value.I64, xs)) })
	b.Run("impl=slicessort", func(b *testing.B) {
		sortRowIDs(b, len(xs), func(a, c int32) int { return cmp.Compare(xs[a], xs[c]) })
	})
}

// BenchmarkSortIndexStr builds the ascending order of 1M strings (100k
// distinct, sharing an 8-byte prefix in groups); the rival sorts row ids
// with slices.SortFunc on the strings.
func BenchmarkSortIndexStr(b *testing.B) {
	xs := make([]string, 1_000_000)
	r := rand.New(rand.NewPCG(14, 14))
	for i := range xs {
		xs[i] = fmt.Sprintf("sym-%03d-%06d", r.IntN(1000), r.IntN(100))
	}
	b.Run("impl=raygo", func(b *testing.B) { timeAttach(b, index.Sort)(vec.FromStrings(xs)) })
	b.Run("impl=slicessort", func(b *testing.B) {
		sortRowIDs(b, len(xs), func(a, c int32) int { return strings.Compare(xs[a], xs[c]) })
	})
}

// BenchmarkZonePrune asks 1000 zone-indexed columns of 10k rows whether
// a range may be present: the pruning step of a scan.
func BenchmarkZonePrune(b *testing.B) {
	cols := make([]value.V, 1000)
	for c := range cols {
		xs := make([]int64, 10_000)
		for i := range xs {
			xs[i] = int64(c*10_000 + i)
		}
		v, err := vec.FromSlice(value.I64, xs)
		if err != nil {
			b.Fatal(err)
		}
		if err := index.Attach(&v, index.Zone); err != nil {
			b.Fatal(err)
		}
		cols[c] = v
	}
	defer func() {
		for i := range cols {
			cow.Release(&cols[i])
		}
	}()
	for b.Loop() {
		hits := 0
		for _, v := range cols {
			if ok, _ := index.MayOverlap(v, int64(5_000_000), int64(5_000_100)); ok {
				hits++
			}
		}
		sinkInt = hits
	}
}
