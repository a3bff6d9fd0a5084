package heap_test

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/raygo/ray"
	"github.com/raygo/ray/heap"
)

func Example() {
	// 8000 bytes for 1000 int64s, off the Go heap.
	b, err := heap.Alloc(1000 * 8)
	if err != nil {
		panic(err)
	}
	for i := range 1000 {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(i*i))
	}
	// Growing keeps the data (in place when the heap can).
	b, err = heap.Realloc(b, 4000*8)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(b), "bytes; the 999th int64 is", binary.LittleEndian.Uint64(b[8*999:]))
	heap.Free(b)
	// Output:
	// 32000 bytes; the 999th int64 is 998001
}

func ExampleSetBudget() {
	old := heap.SetBudget(1 << 30)
	defer heap.SetBudget(old)
	_, err := heap.Alloc(4 << 30)
	fmt.Println(errors.Is(err, ray.ErrLimit))
	// Output: true
}

func ExampleArena() {
	var a heap.Arena
	defer a.Reset() // frees every piece at once
	buf, err := a.Bytes(100)
	if err != nil {
		panic(err)
	}
	copy(buf, "scratch")
	fmt.Println(string(buf[:7]), len(buf))
	// Output: scratch 100
}
