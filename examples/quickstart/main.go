// Command quickstart is a first tour of raygo: it allocates blocks off the
// Go heap, fills them, frees them, and prints what the heap reports at each
// step.
package main

import (
	"errors"
	"fmt"
	"log"
	"runtime"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/value"
)

func main() {
	log.SetFlags(0)
	show("at start")

	// A million int64s in one block: 8 MB of data the Go collector never sees.
	const n = 1_000_000
	p, err := heap.Alloc(n * 8)
	if err != nil {
		log.Fatal(err)
	}
	xs := unsafe.Slice((*int64)(unsafe.Add(p, heap.HeaderSize)), n)
	var sum int64
	for i := range xs {
		xs[i] = int64(i)
		sum += xs[i]
	}
	fmt.Printf("filled %d int64s in a block of %d bytes; sum %d\n",
		n, heap.Cap(p)+heap.HeaderSize, sum)

	// Many small blocks, freed on other goroutines (so on other Ps' heaps).
	small := make([]unsafe.Pointer, 100_000)
	for i := range small {
		if small[i], err = heap.Alloc(uintptr(16 + i%200)); err != nil {
			log.Fatal(err)
		}
	}
	show("with a big block and 100,000 small ones live")
	done := make(chan bool)
	for w := range 4 {
		go func() {
			for i := w; i < len(small); i += 4 {
				heap.Free(small[i])
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}

	// The Go heap stays small however much raygo holds.
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("Go heap in use: %.1f MiB\n", float64(ms.HeapInuse)/(1<<20))

	// Growing keeps the data; a request past the budget is an error, not a crash.
	if p, err = heap.Realloc(p, 2*n*8); err != nil {
		log.Fatal(err)
	}
	old := heap.SetBudget(64 << 20)
	if _, err := heap.Alloc(1 << 30); errors.Is(err, ray.ErrLimit) {
		fmt.Println("1 GiB under a 64 MiB budget:", err)
	}
	heap.SetBudget(old)
	heap.Free(p)

	values()
	vectors()

	pools, err := heap.GC()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("GC unmapped %d pools\n", pools)
	show("after freeing everything")
	if err := heap.Verify(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("heap.Verify: every invariant holds")
}

func show(when string) {
	s := heap.ReadStats()
	fmt.Printf("%-45s live blocks %7d (%9d bytes)  permanent %2d  pools %2d (%4d MiB)  heaps %d\n",
		when+":", s.LiveBlocks, s.LiveBytes, s.PermanentBlocks, s.Pools, s.PoolBytes>>20, len(s.Heaps))
}

// values shows atoms, symbols and copy-on-write on top of the heap.
func values() {
	price, err := value.NewF64(101.25)
	if err != nil {
		log.Fatal(err)
	}
	defer cow.Release(&price) // releases whatever price holds at return

	sym, err := value.NewSym("AAPL")
	if err != nil {
		log.Fatal(err)
	}
	defer cow.Release(&sym)

	name, err := value.NewStr("a string atom keeps its bytes in its own block")
	if err != nil {
		log.Fatal(err)
	}
	defer cow.Release(&name)
	fmt.Println("atoms:", sym, price, name)

	// A second owner, then copy-on-write: the writer gets its own copy.
	other := cow.Retain(name)
	if err := cow.Cow(&other); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("after Cow: copied %v, reference counts %d and %d\n", other != name, name.RC(), other.RC())
	cow.Release(&other)

	_, err = value.AsI64(price)
	fmt.Println("AsI64 of an F64 atom:", err)
}
