package heap_test

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/heap"
)

func Example() {
	// A block for 1000 int64s: 8000 data bytes after a 32-byte header.
	p, err := heap.Alloc(1000 * 8)
	if err != nil {
		panic(err)
	}
	xs := unsafe.Slice((*int64)(unsafe.Add(p, heap.HeaderSize)), 1000)
	for i := range xs {
		xs[i] = int64(i * i)
	}
	fmt.Println("capacity", heap.Cap(p), "bytes")

	// Growing keeps the data.
	p, err = heap.Realloc(p, 4000*8)
	if err != nil {
		panic(err)
	}
	xs = unsafe.Slice((*int64)(unsafe.Add(p, heap.HeaderSize)), 4000)
	fmt.Println("xs[999] =", xs[999])
	heap.Free(p)
	// Output:
	// capacity 8160 bytes
	// xs[999] = 998001
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
