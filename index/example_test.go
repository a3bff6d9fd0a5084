package index_test

import (
	"fmt"
	"slices"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/index"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func Example() {
	v, err := vec.FromSlice(value.I64, []int64{7, 3, 7, 5, 3, 7})
	if err != nil {
		panic(err)
	}
	defer cow.Release(&v)
	if err := index.Attach(&v, index.Hash); err != nil {
		panic(err)
	}
	rows, _ := index.Lookup(v, int64(7))
	fmt.Println(slices.Collect(rows)) // newest first

	// The inner loop of a join: every probe key with its rows.
	keys := []int64{3, 4, 5}
	_ = index.Probe(v, keys, func(k int, rows []uint32) bool {
		fmt.Println(keys[k], rows)
		return true
	})

	// Any write drops the index: it never answers for other data.
	_ = vec.Set(&v, 0, int64(1))
	_, ok := index.InfoOf(v)
	fmt.Println("indexed after a write:", ok)
	// Output:
	// [5 2 0]
	// 3 [4 1]
	// 5 [3]
	// indexed after a write: false
}

func ExampleRange() {
	v, _ := vec.FromSlice(value.F64, []float64{2.5, -1, 9, 4})
	defer cow.Release(&v)
	if err := index.Attach(&v, index.Sort); err != nil {
		panic(err)
	}
	order, _ := index.Order(v)
	fmt.Println(order)
	rows, _ := index.Range(v, 0.0, 5.0)
	fmt.Println(slices.Collect(rows))
	// Output:
	// [1 0 3 2]
	// [0 3]
}
