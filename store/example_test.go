package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/store"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func Example() {
	dir, err := os.MkdirTemp("", "store-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "px.col")

	v, _ := vec.FromSlice(value.F64, []float64{101.5, 99.25, 100})
	defer cow.Release(&v)
	if err := store.SaveColumn(path, v); err != nil { // atomically: temp, fsync, rename
		panic(err)
	}

	// Mapping is O(1): the elements stay in the file until written to.
	m, err := store.MapColumn(path, store.VerifyChecksum())
	if err != nil {
		panic(err)
	}
	defer cow.Release(&m) // unmaps the file
	xs, _ := vec.Elems[float64](m)
	fmt.Println(xs)

	// A damaged file is an error, never a crash.
	bad := filepath.Join(dir, "bad.col")
	if err := os.WriteFile(bad, []byte("not a column"), 0o644); err != nil {
		panic(err)
	}
	_, err = store.LoadColumn(bad)
	fmt.Println(errors.Is(err, ray.ErrCorrupt))
	// Output:
	// [101.5 99.25 100]
	// true
}
