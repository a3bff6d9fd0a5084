package benchmarks

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray/heap"
)

// sink keeps Go allocations from being optimised away.
var sink []byte

var allocFreeSizes = []int{64, 1024, 65536, 1048576}

// BenchmarkAllocFree allocates and frees one block per iteration: the cost
// of a short-lived buffer. Go's make is paid back by its collector, whose
// cost the benchmark includes as it runs.
func BenchmarkAllocFree(b *testing.B) {
	for _, size := range allocFreeSizes {
		b.Run(fmt.Sprintf("impl=raygo/size=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := heap.Alloc(size)
				if err != nil {
					b.Fatal(err)
				}
				heap.Free(p)
			}
		})
		b.Run(fmt.Sprintf("impl=gomake/size=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = make([]byte, size)
			}
		})
		b.Run(fmt.Sprintf("impl=arrow/size=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			mem := memory.NewGoAllocator()
			for b.Loop() {
				buf := mem.Allocate(size)
				mem.Free(buf)
			}
		})
	}
}

// BenchmarkAllocFreeParallel is BenchmarkAllocFree for 64-byte blocks on
// every P at once.
func BenchmarkAllocFreeParallel(b *testing.B) {
	const size = 64
	b.Run("impl=raygo/size=64", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				p, err := heap.Alloc(size)
				if err != nil {
					panic(err)
				}
				heap.Free(p)
			}
		})
	})
	b.Run("impl=gomake/size=64", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var local []byte
			for pb.Next() {
				local = make([]byte, size)
			}
			sink = local
		})
	})
	b.Run("impl=arrow/size=64", func(b *testing.B) {
		b.ReportAllocs()
		mem := memory.NewGoAllocator()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mem.Free(mem.Allocate(size))
			}
		})
	})
}

// BenchmarkHandOff is a pipeline: one goroutine allocates 64-byte blocks
// and hands them, 256 at a time, to another that frees them, so that (with
// two Ps) most frees are of another P's blocks. The rival hands off Go
// slices and leaves them to the collector.
func BenchmarkHandOff(b *testing.B) {
	const size, batch = 64, 256
	// Both keep a block as the address of its first byte, as heap's
	// package doc suggests for callers that hold many.
	run := func(b *testing.B, alloc func() *byte, free func(*byte)) {
		b.ReportAllocs()
		ch := make(chan []*byte, 4)
		done := make(chan struct{})
		go func() {
			for ps := range ch {
				for _, p := range ps {
					free(p)
				}
			}
			close(done)
		}()
		ps := make([]*byte, 0, batch)
		for b.Loop() {
			ps = append(ps, alloc())
			if len(ps) == batch {
				ch <- ps
				ps = make([]*byte, 0, batch)
			}
		}
		ch <- ps
		close(ch)
		<-done
	}
	b.Run("impl=raygo", func(b *testing.B) {
		run(b, func() *byte {
			p, err := heap.Alloc(size)
			if err != nil {
				panic(err)
			}
			return &p[0]
		}, func(p *byte) { heap.Free(unsafe.Slice(p, 1)) })
	})
	b.Run("impl=gomake", func(b *testing.B) {
		run(b, func() *byte { return &make([]byte, size)[0] }, func(*byte) {})
	})
}

// BenchmarkLive1M allocates a million 64-byte blocks, keeps them all live,
// then frees them all. It reports ns/block-op: the time of one allocation or
// one free (for Go, one make plus its share of collecting it). One untimed
// cycle runs first for both, so the figures are the steady state and not the
// first touch of fresh memory (which on a virtual machine can cost more
// than everything else together).
func BenchmarkLive1M(b *testing.B) {
	const n, size = 1 << 20, 64
	b.Run("impl=raygo", func(b *testing.B) {
		b.ReportAllocs()
		ps := make([][]byte, n)
		cycle := func() {
			for i := range ps {
				p, err := heap.Alloc(size)
				if err != nil {
					b.Fatal(err)
				}
				ps[i] = p
			}
			for _, p := range ps {
				heap.Free(p)
			}
		}
		cycle()
		var elapsed time.Duration
		for b.Loop() {
			start := time.Now()
			cycle()
			elapsed += time.Since(start)
		}
		b.ReportMetric(float64(elapsed.Nanoseconds())/float64(2*n*b.N), "ns/block-op")
	})
	b.Run("impl=gomake", func(b *testing.B) {
		b.ReportAllocs()
		ps := make([][]byte, n)
		cycle := func() {
			for i := range ps {
				ps[i] = make([]byte, size)
			}
			clear(ps)
		}
		cycle()
		var elapsed time.Duration
		for b.Loop() {
			start := time.Now()
			cycle()
			elapsed += time.Since(start)
		}
		b.ReportMetric(float64(elapsed.Nanoseconds())/float64(2*n*b.N), "ns/block-op")
	})
}

// mixSteps is a precomputed random sequence for BenchmarkRandomMix, so the
// benchmark times the allocator, not the random number generator.
type mixStep struct {
	slot uint32
	size uint32
}

func mixSequence(window, steps int) []mixStep {
	r := rand.New(rand.NewPCG(1, 2))
	seq := make([]mixStep, steps)
	for i := range seq {
		seq[i] = mixStep{slot: uint32(r.IntN(window)), size: uint32(16 + r.IntN(4096-16+1))}
	}
	return seq
}

// BenchmarkRandomMix keeps a window of 10,000 live blocks of sizes uniform
// in 16..4096 bytes; each step frees a random one and allocates a new one in
// its place.
func BenchmarkRandomMix(b *testing.B) {
	const window = 10000
	seq := mixSequence(window, 1<<16)
	b.Run("impl=raygo", func(b *testing.B) {
		b.ReportAllocs()
		// Each block kept as its first byte's address (heap's package doc).
		live := make([]*byte, window)
		for i := range live {
			p, _ := heap.Alloc(int(seq[i].size))
			live[i] = &p[0]
		}
		i := 0
		for b.Loop() {
			s := seq[i&(len(seq)-1)]
			i++
			heap.Free(unsafe.Slice(live[s.slot], 1)) // Free reads only the address
			p, err := heap.Alloc(int(s.size))
			if err != nil {
				b.Fatal(err)
			}
			live[s.slot] = &p[0]
		}
		for _, p := range live {
			heap.Free(unsafe.Slice(p, 1))
		}
	})
	b.Run("impl=gomake", func(b *testing.B) {
		b.ReportAllocs()
		live := make([][]byte, window)
		for i := range live {
			live[i] = make([]byte, seq[i].size)
		}
		i := 0
		for b.Loop() {
			s := seq[i&(len(seq)-1)]
			i++
			live[s.slot] = make([]byte, s.size)
		}
	})
}
