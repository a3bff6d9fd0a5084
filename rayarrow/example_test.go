package rayarrow_test

import (
	"fmt"
	"os"
	"path/filepath"

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

// ExampleReadParquet reads two columns of a Parquet file, one of its
// strings as symbols, and then the file a row group at a time.
func ExampleReadParquet() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "t.parquet")
	tb, _ := vec.NewTable()
	ids, _ := vec.FromSlice(value.I64, []int64{1, 2, 3})
	names, _ := vec.FromStrings([]string{"ab", "cd", "ab"})
	_ = vec.AddColumn(&tb, "id", ids)
	_ = vec.AddColumn(&tb, "name", names)
	cow.Release(&ids)
	cow.Release(&names)
	if err := rayarrow.WriteParquet(path, tb); err != nil {
		panic(err)
	}
	cow.Release(&tb)

	// Only the named columns' pages are read; name becomes SYM.
	t, err := rayarrow.ReadParquet(path, rayarrow.Columns("name", "id"), rayarrow.AsSym("name"))
	if err != nil {
		panic(err)
	}
	_, col, _ := vec.ColumnAt(t, 0)
	first, _ := vec.GetSym(col, 0)
	fmt.Println(vec.NumCols(t), vec.NumRows(t), col.Type(), first)
	cow.Release(&t)

	// A file larger than memory: a TABLE a row group at a time.
	for part, err := range rayarrow.ScanParquet(path, rayarrow.Columns("id")) {
		if err != nil {
			panic(err)
		}
		fmt.Println("rows:", vec.NumRows(part))
		cow.Release(&part)
	}
	// Output:
	// 2 3 SYM ab
	// rows: 3
}
