package heap

import (
	"sync"
	"testing"
	"unsafe"

	"github.com/raygo/ray/internal/offheap"
)

const bigSize = 20 << 20 // order 25: a big block, in a pool of 64 MiB

func fillData(p unsafe.Pointer, n uintptr, v byte) {
	b := offheap.Bytes(uintptr(p)+HeaderSize, n)
	for i := range b {
		b[i] = v
	}
}

// A freed big block's pool is cached and the next big block of its order,
// on any goroutine, reuses it: no new mapping, and AllocZeroed still
// returns zeros.
func TestBigPoolsAreCachedAndShared(t *testing.T) {
	checkLeaks(t)
	if _, err := GC(); err != nil { // an empty cache to start from
		t.Fatal(err)
	}
	p := mustAlloc(t, bigSize)
	if HeaderOf(p).blockOrder != PoolOrder {
		t.Fatalf("a %d-byte block has order %d", bigSize, HeaderOf(p).blockOrder)
	}
	fillData(p, bigSize, 0xAB)
	pools := ReadStats().Pools
	Free(p)
	if s := ReadStats(); s.CachedBigPools != 1 || s.Pools != pools {
		t.Fatalf("after freeing a big block: %d cached big pools, %d pools (was %d)", s.CachedBigPools, s.Pools, pools)
	}
	if err := Verify(); err != nil {
		t.Fatal(err)
	}
	// Eight goroutines, on whatever Ps, each take and give back the pool.
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				q, err := AllocZeroed(bigSize)
				if err != nil {
					errs <- err.Error()
					return
				}
				b := offheap.Bytes(uintptr(q)+HeaderSize, bigSize)
				if b[0] != 0 || b[bigSize/2] != 0 || b[bigSize-1] != 0 {
					errs <- "AllocZeroed of a cached big block is not zero"
				}
				b[0], b[bigSize-1] = 1, 1
				Free(q)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if s := ReadStats(); s.Pools > pools+7 || s.CachedBigPools < 1 {
		t.Errorf("8 goroutines reusing big blocks left %d pools (was %d), %d cached", s.Pools, pools, s.CachedBigPools)
	}
	if err := Verify(); err != nil {
		t.Fatal(err)
	}
	n, err := ReleasePages()
	if err != nil || n < bigSize {
		t.Errorf("ReleasePages advised %d bytes of a cached %d-byte block: %v", n, bigSize, err)
	}
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
	if s := ReadStats(); s.CachedBigPools != 0 || s.CachedBigBytes != 0 {
		t.Errorf("GC left %d cached big pools (%d bytes)", s.CachedBigPools, s.CachedBigBytes)
	}
}

// The cache holds at most bigCacheBytes; pools past it are unmapped when
// their block is freed.
func TestBigPoolCacheIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("maps 2.5 GiB of address space")
	}
	checkLeaks(t)
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
	const each = 100 << 20 // blocks of 128 MiB, in pools of 256 MiB
	var ps []unsafe.Pointer
	for range 10 {
		ps = append(ps, mustAlloc(t, each))
	}
	before := ReadStats().Pools
	for _, p := range ps {
		Free(p)
	}
	s := ReadStats()
	if s.CachedBigBytes > bigCacheBytes || s.CachedBigPools != bigCacheBytes/(128<<20) {
		t.Errorf("%d cached big pools of %d bytes; the cap is %d bytes", s.CachedBigPools, s.CachedBigBytes, bigCacheBytes)
	}
	if s.Pools != before-(10-s.CachedBigPools) {
		t.Errorf("pools went from %d to %d with %d cached", before, s.Pools, s.CachedBigPools)
	}
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
}

// Realloc moves big blocks (they never grow or shrink in place) and keeps
// their bytes.
func TestBigRealloc(t *testing.T) {
	checkLeaks(t)
	p := mustAlloc(t, 1<<20)
	fillData(p, 1<<20, 7)
	p, err := Realloc(p, bigSize)
	if err != nil {
		t.Fatal(err)
	}
	if b := offheap.Bytes(uintptr(p)+HeaderSize, 1<<20); b[0] != 7 || b[1<<20-1] != 7 {
		t.Fatal("growing into a big block lost bytes")
	}
	fillData(p, bigSize, 9)
	q, err := Realloc(p, 2*bigSize)
	if err != nil {
		t.Fatal(err)
	}
	if b := offheap.Bytes(uintptr(q)+HeaderSize, bigSize); b[0] != 9 || b[bigSize-1] != 9 {
		t.Fatal("growing a big block lost bytes")
	}
	r, err := Realloc(q, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if b := offheap.Bytes(uintptr(r)+HeaderSize, 4096); b[0] != 9 || b[4095] != 9 {
		t.Fatal("shrinking a big block lost bytes")
	}
	if err := Verify(); err != nil {
		t.Fatal(err)
	}
	Free(r)
}

// Freeing a big block twice, or a pointer into one, panics like any other.
func TestBigBadFrees(t *testing.T) {
	checkLeaks(t)
	p := mustAlloc(t, bigSize)
	mustPanic(t, "", func() { Free(unsafe.Add(p, 64)) })
	Free(p)
	mustPanic(t, "", func() { Free(p) })
}

// Goroutines allocate and free big and small blocks, across Ps, while
// another runs GC, ReleasePages and Verify: the big lists, the cache and
// the counters stay consistent (Verify finds nothing) and every block keeps
// its bytes. Run with -race.
func TestBigPoolsUnderCollections(t *testing.T) {
	checkLeaks(t)
	rounds := 40
	if testing.Short() {
		rounds = 10
	}
	var workers, collector sync.WaitGroup
	errs := make(chan string, 16)
	stop := make(chan struct{})
	for g := range 4 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			var mine []unsafe.Pointer
			defer func() {
				for _, q := range mine {
					Free(q)
				}
			}()
			for r := range rounds {
				size := uintptr(bigSize << (r % 2))
				if g%2 == 1 {
					size = 4096
				}
				p, err := Alloc(size)
				if err != nil {
					errs <- err.Error()
					return
				}
				b := offheap.Bytes(uintptr(p)+HeaderSize, size)
				b[0], b[size-1] = byte(g), byte(r)
				mine = append(mine, p)
				if len(mine) > 2 {
					q := mine[0]
					mine = mine[1:]
					if offheap.Bytes(uintptr(q)+HeaderSize, 1)[0] != byte(g) {
						errs <- "a block lost its bytes"
					}
					Free(q)
				}
			}
		}()
	}
	collector.Add(1)
	go func() {
		defer collector.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := Verify(); err != nil {
				errs <- err.Error()
				return
			}
			if _, err := GC(); err != nil {
				errs <- err.Error()
				return
			}
			if _, err := ReleasePages(); err != nil {
				errs <- err.Error()
				return
			}
		}
	}()
	workers.Wait()
	close(stop)
	collector.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

// A block of every order, from 64 bytes to a big block, allocated and
// freed on one P twice over: slab-sized ones go through the slab caches,
// the larger ones straight back to the free lists or the big-pool cache.
func TestEveryOrderAllocFree(t *testing.T) {
	onOneP(t)
	checkLeaks(t)
	for round := range 2 {
		var ps []unsafe.Pointer
		for k := MinOrder; k <= PoolOrder+1; k++ {
			size := uintptr(1)<<k - HeaderSize
			p := mustAlloc(t, size)
			if HeaderOf(p).blockOrder != uint8(k) {
				t.Fatalf("round %d: %d bytes got order %d, want %d", round, size, HeaderOf(p).blockOrder, k)
			}
			fillData(p, size, byte(k))
			ps = append(ps, p)
		}
		for i, p := range ps {
			if b := offheap.Bytes(uintptr(p)+HeaderSize, 1); b[0] != byte(MinOrder+i) {
				t.Fatalf("order %d lost its bytes", MinOrder+i)
			}
			Free(p)
		}
		if err := Verify(); err != nil {
			t.Fatal(err)
		}
	}
}
