package heap

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"unsafe"

	"github.com/raygo/ray/internal/offheap"
)

// block is the model's view of one live block: where it is, how many data
// bytes it was asked for, and the byte pattern written into all of them.
type block struct {
	p    unsafe.Pointer
	size uintptr
	seed byte
}

func fill(b block) {
	d := offheap.Bytes(uintptr(b.p)+HeaderSize, b.size)
	for i := range d {
		d[i] = b.seed + byte(i*7)
	}
}

func check(t testing.TB, b block) {
	d := offheap.Bytes(uintptr(b.p)+HeaderSize, b.size)
	for i := range d {
		if d[i] != b.seed+byte(i*7) {
			t.Fatalf("block %p (%d bytes): byte %d = %#x, want %#x: another block overlaps it", b.p, b.size, i, d[i], b.seed+byte(i*7))
		}
	}
	if c := Cap(b.p); c < b.size {
		t.Fatalf("block %p holds %d bytes, was asked for %d", b.p, c, b.size)
	}
}

// randomSize favours the slab orders but reaches megabytes.
func randomSize(r *rand.Rand) uintptr {
	switch r.IntN(100) {
	case 0:
		return uintptr(r.IntN(4 << 20))
	case 1, 2, 3, 4, 5, 6, 7, 8, 9, 10:
		return uintptr(r.IntN(64 << 10))
	default:
		return uintptr(r.IntN(1000))
	}
}

// TestModel runs random allocations, frees and reallocations on several
// goroutines against a plain Go model of the live blocks. Every block holds
// a pattern that is checked before it is freed or resized, so any overlap
// between blocks shows; Verify runs between batches.
func TestModel(t *testing.T) {
	checkLeaks(t)
	workers, batches, steps := 4, 20, 20000
	if testing.Short() {
		batches, steps = 5, 5000
	}
	live := make([][]block, workers)
	for batch := range batches {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(batch), uint64(w)))
				mine := live[w]
				for range steps {
					// Allocate while few blocks are live, free while many are,
					// so the live set hovers around 400 blocks a worker.
					op := r.IntN(10)
					if len(mine) > 400 {
						op = 5 + r.IntN(5)
					}
					switch {
					case op < 5 || len(mine) == 0:
						b := block{size: randomSize(r), seed: byte(r.Uint32())}
						var err error
						if r.IntN(4) == 0 {
							b.p, err = AllocZeroed(b.size)
						} else {
							b.p, err = Alloc(b.size)
						}
						if err != nil {
							t.Error(err)
							return
						}
						fill(b)
						mine = append(mine, b)
					case op < 8:
						i := r.IntN(len(mine))
						check(t, mine[i])
						Free(mine[i].p)
						mine[i] = mine[len(mine)-1]
						mine = mine[:len(mine)-1]
					default:
						i := r.IntN(len(mine))
						b := mine[i]
						check(t, b)
						n := randomSize(r)
						p, err := Realloc(b.p, n)
						if err != nil {
							t.Error(err)
							return
						}
						b.p = p
						if n < b.size {
							b.size = n
						}
						check(t, b)
						b.size = n
						fill(b)
						mine[i] = b
					}
				}
				live[w] = mine
			}()
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		// Hand half of each worker's blocks to the next worker, so that
		// the next batch frees blocks of other Ps' heaps.
		for w := range workers {
			n := len(live[w]) / 2
			next := (w + 1) % workers
			live[next] = append(live[next], live[w][:n]...)
			live[w] = live[w][n:]
		}
		if err := Verify(); err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
		if batch%5 == 4 {
			if _, err := GC(); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, bs := range live {
		for _, b := range bs {
			check(t, b)
			Free(b.p)
		}
	}
}

// TestCrossFreeStress has goroutines free each other's blocks through
// channels while GOMAXPROCS moves up and down, so blocks go through inboxes
// and heaps are retired and merged. Run it with -race.
func TestCrossFreeStress(t *testing.T) {
	checkLeaks(t)
	old := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(old)
	const workers = 8
	rounds := 40
	if testing.Short() {
		rounds = 10
	}
	for round := range rounds {
		chans := make([]chan block, workers)
		for i := range chans {
			chans[i] = make(chan block, 256)
		}
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(round), uint64(w)))
				out := chans[(w+1)%workers]
				in := chans[w]
				sent := 0
				for sent < 2000 {
					b := block{size: uintptr(r.IntN(3000)), seed: byte(w)}
					p, err := Alloc(b.size)
					if err != nil {
						t.Error(err)
						close(out)
						return
					}
					b.p = p
					fill(b)
					select {
					case out <- b:
						sent++
					default:
						check(t, b)
						Free(b.p)
					}
					select {
					case got, ok := <-in:
						if ok {
							check(t, got)
							Free(got.p)
						}
					default:
					}
				}
				close(out)
				for got := range in {
					check(t, got)
					Free(got.p)
				}
			}()
		}
		// Change GOMAXPROCS while the workers run.
		runtime.GOMAXPROCS(1 + round%4)
		runtime.Gosched()
		runtime.GOMAXPROCS(1 + (round+2)%5)
		wg.Wait()
		if t.Failed() {
			return
		}
		if round%10 == 9 {
			if err := Verify(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
	if s := ReadStats(); s.InboxBlocks != 0 {
		t.Errorf("%d blocks still in inboxes after GC", s.InboxBlocks)
	}
}

// TestRetiredHeapsMerge shrinks GOMAXPROCS while blocks of every heap are
// live, and checks that GC hands the retired heaps' pools to live heaps and
// that the blocks can then be freed and the pools unmapped.
func TestRetiredHeapsMerge(t *testing.T) {
	checkLeaks(t)
	old := runtime.GOMAXPROCS(6)
	defer runtime.GOMAXPROCS(old)
	var mu sync.Mutex
	var blocks []unsafe.Pointer
	var wg sync.WaitGroup
	for w := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				p, err := Alloc(uintptr(100 + (w*i)%5000))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				blocks = append(blocks, p)
				mu.Unlock()
				if i%50 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	wg.Wait()
	runtime.GOMAXPROCS(1)
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
	s := ReadStats()
	for _, h := range s.Heaps {
		if h.Slot >= 1 && h.Pools != 0 {
			t.Errorf("retired heap %d (slot %d) still owns %d pools after GC", h.ID, h.Slot, h.Pools)
		}
	}
	if err := Verify(); err != nil {
		t.Fatal(err)
	}
	for _, p := range blocks {
		Free(p)
	}
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
	if s, want := ReadStats(), poolsInUse(); s.Pools != want {
		t.Errorf("%d pools after freeing everything and GC; %d hold permanent blocks", s.Pools, want)
	}
}
