package rayarrow_test

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func Example() {
	v, _ := vec.FromSlice(value.I64, []int64{1, 2, 3})
	defer cow.Release(&v)
	_ = vec.SetNull(&v, 1, true)

	// The array's buffers are the vector's own memory: no copy.
	arr, err := rayarrow.Export(v)
	if err != nil {
		panic(err)
	}
	defer arr.Release() // the block lives until both sides let go
	ints := arr.(*array.Int64)
	fmt.Println(ints.Len(), ints.NullN(), ints.Value(2))

	// Import copies Arrow data into a new vector.
	w, err := rayarrow.Import(arr)
	if err != nil {
		panic(err)
	}
	defer cow.Release(&w)
	null, _ := vec.IsNull(w, 1)
	x, _ := vec.Get[int64](w, 2)
	fmt.Println(w.Type(), null, x)
	// Output:
	// 3 1 3
	// I64 true 3
}
