package vec_test

import (
	"fmt"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func Example() {
	v, err := vec.FromSlice(value.I64, []int64{3, 1, 2})
	if err != nil {
		panic(err)
	}
	defer cow.Release(&v)
	if err := vec.Append(&v, int64(4)); err != nil {
		panic(err)
	}
	if err := vec.SetNull(&v, 1, true); err != nil {
		panic(err)
	}
	// A view of the block itself; a null row keeps its bytes, the null
	// bit says it has no value.
	xs, _ := vec.Elems[int64](v)
	null, _ := vec.IsNull(v, 1)
	fmt.Println(xs, null)

	// A slice is O(1) and shares the rows; writing to it copies it.
	s, _ := vec.Slice(v, 2, 2)
	defer cow.Release(&s)
	if err := vec.Set(&s, 0, int64(20)); err != nil {
		panic(err)
	}
	ys, _ := vec.Elems[int64](s)
	xs, _ = vec.Elems[int64](v)
	fmt.Println(ys, xs)

	// The wrong Go type is an error, not a reinterpretation.
	_, err = vec.Elems[int32](v)
	fmt.Println(err != nil)
	// Output:
	// [3 1 2 4] true
	// [20 4] [3 1 2 4]
	// true
}

func ExampleFromStrings() {
	v, err := vec.FromStrings([]string{"short", "a string longer than twelve bytes"})
	if err != nil {
		panic(err)
	}
	defer cow.Release(&v)
	for i := range int(v.Len()) {
		s, _ := vec.GetStr(v, i)
		fmt.Println(s)
	}
	// Output:
	// short
	// a string longer than twelve bytes
}

func ExampleNewTable() {
	t, err := vec.NewTable()
	if err != nil {
		panic(err)
	}
	defer cow.Release(&t)
	px, _ := vec.FromSlice(value.F64, []float64{101.5, 99.25})
	sym, _ := vec.FromSyms([]string{"AAPL", "MSFT"})
	defer cow.Release(&px) // the table takes references of its own
	defer cow.Release(&sym)
	if err := vec.AddColumn(&t, "sym", sym); err != nil {
		panic(err)
	}
	if err := vec.AddColumn(&t, "px", px); err != nil {
		panic(err)
	}
	_, col, _ := vec.ColumnByName(t, "px")
	p, _ := vec.Get[float64](col, 1)
	fmt.Println(vec.NumRows(t), vec.NumCols(t), p)
	// Output: 2 2 99.25
}
