package heap

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/offheap"
)

// checkLeaks is heaptest.Check, which this package cannot import.
func checkLeaks(t *testing.T) {
	t.Helper()
	start := LiveBlocks()
	t.Cleanup(func() {
		if got := LiveBlocks(); got != start {
			t.Errorf("%d live blocks at the end of the test, %d at its start", got, start)
			for _, s := range LiveAllocations(0) {
				t.Log(s)
			}
		}
		if err := Verify(); err != nil {
			t.Error(err)
		}
	})
}

// poolsInUse returns the number of pools that hold a live (or permanent)
// block: what GC must leave mapped.
func poolsInUse() int {
	var res collectResult
	collect(opVerify, &res)
	return res.livePools
}

// onOneP runs the test with GOMAXPROCS 1, so that every allocation and free
// is made by the same heap and "local" is deterministic.
func onOneP(t *testing.T) {
	old := runtime.GOMAXPROCS(1)
	t.Cleanup(func() { runtime.GOMAXPROCS(old) })
	if _, err := GC(); err != nil { // merge the other Ps' heaps now
		t.Fatal(err)
	}
}

func mustAlloc(t testing.TB, size uintptr) unsafe.Pointer {
	t.Helper()
	p, err := Alloc(size)
	if err != nil {
		t.Fatalf("Alloc(%d): %v", size, err)
	}
	return p
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic; want one containing %q", want)
		}
		if msg := fmt.Sprint(r); !strings.Contains(msg, want) {
			t.Fatalf("panic %q does not contain %q", msg, want)
		}
	}()
	f()
}

func TestOrderFor(t *testing.T) {
	for _, tc := range []struct {
		size  uintptr
		order uint8
	}{
		{0, 6}, {1, 6}, {32, 6}, {33, 7}, {96, 7}, {97, 8}, {800, 10}, {65504, 16}, {65505, 17},
		{1<<25 - 32, 25}, {MaxSize, MaxOrder},
	} {
		got, err := OrderFor(tc.size)
		if err != nil || got != tc.order {
			t.Errorf("OrderFor(%d) = %d, %v; want %d", tc.size, got, err, tc.order)
		}
	}
	for _, size := range []uintptr{MaxSize + 1, ^uintptr(0) - 31, ^uintptr(0)} {
		if _, err := OrderFor(size); !errors.Is(err, ray.ErrLimit) {
			t.Errorf("OrderFor(%d) error = %v; want ErrLimit", size, err)
		}
		if p, err := Alloc(size); p != nil || !errors.Is(err, ray.ErrLimit) {
			t.Errorf("Alloc(%d) = %v, %v; want ErrLimit", size, p, err)
		}
	}
}

func TestHeaderLayout(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want uintptr
	}{
		{"Aux", OffsetAux, 0}, {"Mmod", OffsetMmod, 16}, {"Order", OffsetOrder, 17}, {"Type", OffsetType, 18},
		{"Attrs", OffsetAttrs, 19}, {"RC", OffsetRC, 20}, {"Word", OffsetWord, 24}, {"size", unsafe.Sizeof(Header{}), 32},
	} {
		if tc.got != tc.want {
			t.Errorf("offset of %s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestAllocHeaderIsZeroExceptOrderAndRC(t *testing.T) {
	checkLeaks(t)
	for _, size := range []uintptr{0, 1, 32, 33, 1000, 5000, 1 << 20} {
		p := mustAlloc(t, size)
		want, _ := OrderFor(size)
		raw := offheap.Bytes(uintptr(p), HeaderSize)
		for i, c := range raw {
			var exp byte
			switch uintptr(i) {
			case OffsetOrder:
				exp = want
			case OffsetRC:
				exp = 1
			}
			if c != exp {
				t.Errorf("size %d: header byte %d = %#x, want %#x", size, i, c, exp)
			}
		}
		if uintptr(p)&(1<<want-1) != 0 {
			t.Errorf("size %d: block %p is not aligned to its size %d", size, p, 1<<want)
		}
		if c := Cap(p); c < size || c != 1<<want-HeaderSize {
			t.Errorf("size %d: Cap = %d", size, c)
		}
		data := offheap.Bytes(uintptr(p)+HeaderSize, Cap(p))
		for i := range data {
			data[i] = 0xAB
		}
		HeaderOf(p).Word = 77
		Free(p)
	}
}

func TestAllocZeroedClearsRecycledData(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	for _, size := range []uintptr{40, 3000, 100000} {
		p := mustAlloc(t, size)
		b := offheap.Bytes(uintptr(p)+HeaderSize, size)
		for i := range b {
			b[i] = 0xFF
		}
		Free(p)
		q, err := AllocZeroed(size)
		if err != nil {
			t.Fatal(err)
		}
		if q != p {
			t.Logf("size %d: block not recycled (%p then %p)", size, p, q)
		}
		for i, c := range offheap.Bytes(uintptr(q)+HeaderSize, size) {
			if c != 0 {
				t.Fatalf("size %d: data byte %d = %#x after AllocZeroed", size, i, c)
			}
		}
		Free(q)
	}
}

func TestSlabKeeps64AndCoalescesThe65th(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	var ps []unsafe.Pointer
	for range slabDepth + 1 {
		ps = append(ps, mustAlloc(t, 1<<(slabMin-1)))
	}
	before := myHeapStats(t)
	for _, p := range ps {
		Free(p)
	}
	after := myHeapStats(t)
	if got := after.SlabBlocks - before.SlabBlocks; got > slabDepth || after.SlabBlocks != slabDepth {
		t.Fatalf("slab holds %d blocks after 65 frees (was %d); want %d", after.SlabBlocks, before.SlabBlocks, slabDepth)
	}
	// The 65th went to the free lists, marked free.
	if x := HeaderOf(ps[slabDepth]); x.mmod != mmodFree && before.SlabBlocks == 0 {
		t.Errorf("65th block has mmod %#x, want free", x.mmod)
	}
	// The next allocation of that order is a slab hit.
	hits := ReadStats().SlabHits
	p := mustAlloc(t, 1<<(slabMin-1))
	if ReadStats().SlabHits != hits+1 {
		t.Error("allocation after frees was not served from the slab")
	}
	Free(p)
}

func myHeapStats(t *testing.T) PerP {
	t.Helper()
	for _, h := range ReadStats().Heaps {
		if h.Slot == 0 {
			return h
		}
	}
	t.Fatal("no heap in slot 0")
	return PerP{}
}

func TestBuddiesMerge(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	// A block shrunk by one order frees its upper half, which the next
	// allocation of that order takes: two buddies (above the slab orders,
	// so frees go straight to the free lists).
	const k = slabMax + 1
	x := mustAlloc(t, 1<<(k+1)-HeaderSize)
	x2, err := Realloc(x, 1<<k-HeaderSize)
	if err != nil || x2 != x || HeaderOf(x).blockOrder != k {
		t.Fatalf("shrinking in place: %p, %v, order %d", x2, err, HeaderOf(x).blockOrder)
	}
	y := mustAlloc(t, 1<<k-HeaderSize)
	if uintptr(y) != uintptr(x)+1<<k {
		t.Fatalf("order-%d allocation got %p, want the freed upper half %#x", k, y, uintptr(x)+1<<k)
	}
	Free(y)
	Free(x)
	z := mustAlloc(t, 1<<(k+1)-HeaderSize)
	if z != x {
		t.Fatalf("order-%d allocation got %p, want the merged buddies at %p", k+1, z, x)
	}
	Free(z)
}

func TestReallocGrowsInPlaceAndKeepsData(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	x := mustAlloc(t, 1<<19-HeaderSize)
	if _, err := Realloc(x, 5000); err != nil { // order 13: frees the upper halves
		t.Fatal(err)
	}
	HeaderOf(x).Type = 5
	HeaderOf(x).Word = 123
	d := offheap.Bytes(uintptr(x)+HeaderSize, 1000)
	for i := range d {
		d[i] = byte(i)
	}
	g, err := Realloc(x, 200000) // the buddies above are free: grow in place
	if err != nil || g != x || HeaderOf(g).blockOrder != 18 {
		t.Fatalf("grow in place: %p (was %p), %v, order %d", g, x, err, HeaderOf(g).blockOrder)
	}
	y := mustAlloc(t, 1<<18-HeaderSize) // takes the upper half: g cannot grow in place
	m, err := Realloc(g, 300000)
	if err != nil {
		t.Fatal(err)
	}
	h := HeaderOf(m)
	if h.Type != 5 || h.Word != 123 || h.RC.Load() != 1 || h.blockOrder != 19 || h.mmod != 0 || m == g {
		t.Errorf("header after moving: type %d word %d rc %d order %d mmod %d", h.Type, h.Word, h.RC.Load(), h.blockOrder, h.mmod)
	}
	for i, c := range offheap.Bytes(uintptr(m)+HeaderSize, 1000) {
		if c != byte(i) {
			t.Fatalf("data byte %d = %d after Realloc", i, c)
		}
	}
	if p, err := Realloc(m, MaxSize+1); p != nil || !errors.Is(err, ray.ErrLimit) {
		t.Fatalf("Realloc too large = %v, %v", p, err)
	}
	Free(m)
	Free(y)
	n, err := Realloc(nil, 10)
	if err != nil || HeaderOf(n).blockOrder != MinOrder {
		t.Fatalf("Realloc(nil) = %v, %v", n, err)
	}
	Free(n)
}

func TestDoubleFreeAndForeignPointersPanic(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	// Under raydebug the debug record speaks first, with the block's history.
	want := func(normal, debug string) string {
		if debugEnabled {
			return debug
		}
		return normal
	}
	small := mustAlloc(t, 16) // in a run
	Free(small)
	mustPanic(t, want(fmt.Sprintf("%#x (order 6): double free, the block is free in its run", uintptr(small)),
		fmt.Sprintf("double free of %#x (order 6)", uintptr(small))), func() { Free(small) })

	cached := mustAlloc(t, 1<<(slabMin-1)) // goes to the slab cache when freed
	Free(cached)
	mustPanic(t, want(fmt.Sprintf("%#x (order %d): double free, the block is in a slab cache", uintptr(cached), slabMin),
		fmt.Sprintf("double free of %#x (order %d)", uintptr(cached), slabMin)), func() { Free(cached) })

	big := mustAlloc(t, 1<<(slabMax+1)-HeaderSize) // above the slab orders: goes to a free list
	Free(big)
	mustPanic(t, want("double free, the block is on a free list", "double free of"), func() { Free(big) })

	var goMem [64]byte
	mustPanic(t, want("which is in no pool", "never allocated"), func() { Free(unsafe.Pointer(&goMem[0])) })

	p, err := AllocZeroed(1000) // zeroed: its bytes at p+64 read as no header
	if err != nil {
		t.Fatal(err)
	}
	mustPanic(t, want("not a block", "never allocated"), func() { Free(unsafe.Add(p, 64)) })
	mustPanic(t, "not a block", func() { _, _ = Realloc(unsafe.Add(p, 64), 10) })
	Free(p)
}

func TestPoolLookupIgnoresBlockBytes(t *testing.T) {
	// ARCHITECTURE.md D8: inside an oversized pool, a live block at a 32 MiB
	// boundary whose byte 2 is 25 was taken for a pool header. The chunk
	// table never reads a block, so such a block frees like any other.
	checkLeaks(t)
	size := uintptr(20 << 20) // order 25 in a pool of order 26, at base + 32 MiB
	p := mustAlloc(t, size)
	b := uintptr(p)
	base, porder, ok := poolOf(b)
	if !ok || porder != 26 || b != base+1<<25 {
		t.Fatalf("20 MiB block at %#x: pool %#x order %d (%v)", b, base, porder, ok)
	}
	if b&(1<<25-1) != 0 {
		t.Fatalf("block %#x is not on a 32 MiB boundary; the test needs one", b)
	}
	// Make the block look like a standard pool header of heap 1: bytes 0..1
	// heap id, byte 2 = 25, as inline null bits of rows 16, 19, 20 would.
	raw := offheap.Bytes(b, 16)
	raw[0], raw[1], raw[2] = 1, 0, 25
	for off := uintptr(0); off < size; off += 1 << 20 {
		if w, o, _ := poolOf(b + off); w != base || o != 26 {
			t.Fatalf("poolOf(%#x) = %#x order %d, want %#x order 26", b+off, w, o, base)
		}
	}
	// A small block freed into the left half and the big one freed: all
	// coalesce into the right pool.
	q := mustAlloc(t, 100)
	Free(p)
	Free(q)
	if err := Verify(); err != nil {
		t.Fatal(err)
	}
}

func TestOversizedBlocks(t *testing.T) {
	checkLeaks(t)
	sizes := []uintptr{100 << 20, 300 << 20}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, size := range sizes {
		p := mustAlloc(t, size)
		d := offheap.Bytes(uintptr(p)+HeaderSize, size)
		for off := uintptr(0); off < size; off += 4096 {
			d[off] = byte(off >> 12)
		}
		d[size-1] = 0x5A
		q, err := Realloc(p, size+size/2)
		if err != nil {
			t.Fatal(err)
		}
		d = offheap.Bytes(uintptr(q)+HeaderSize, size)
		for off := uintptr(0); off < size; off += 4096 {
			if d[off] != byte(off>>12) {
				t.Fatalf("size %d: byte %d lost in Realloc", size, off)
			}
		}
		if d[size-1] != 0x5A {
			t.Fatalf("size %d: last byte lost", size)
		}
		Free(q)
	}
	before := ReadStats().Pools
	n, err := GC()
	if err != nil {
		t.Fatal(err)
	}
	if s := ReadStats(); n == 0 || s.Pools != before-n {
		t.Errorf("GC unmapped %d pools; pools went from %d to %d", n, before, s.Pools)
	}
}

func TestGCUnmapsEmptyPools(t *testing.T) {
	checkLeaks(t)
	var ps []unsafe.Pointer
	for range 10 {
		ps = append(ps, mustAlloc(t, 8<<20)) // one order-24 block per standard pool
	}
	ps = append(ps, mustAlloc(t, 40<<20)) // an oversized pool
	if ReadStats().Pools < 11 {
		t.Fatalf("%d pools for 11 large blocks", ReadStats().Pools)
	}
	keep := ps[0]
	for _, p := range ps[1:] {
		Free(p)
	}
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
	s := ReadStats()
	if want := poolsInUse(); s.Pools != want {
		t.Errorf("after GC with one live block, %d pools remain; want %d", s.Pools, want)
	}
	if s.InboxBlocks != 0 {
		t.Errorf("after GC, %d blocks wait in inboxes", s.InboxBlocks)
	}
	for _, h := range s.Heaps {
		if h.SlabBlocks != 0 {
			t.Errorf("after GC, heap %d has %d slab blocks", h.ID, h.SlabBlocks)
		}
	}
	Free(keep)
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
	if s, want := ReadStats(), poolsInUse(); s.Pools != want {
		t.Errorf("after GC with nothing live, %d pools (%d bytes) remain; %d hold permanent blocks", s.Pools, s.PoolBytes, want)
	}
}

func TestReleasePages(t *testing.T) {
	checkLeaks(t)
	p := mustAlloc(t, 4<<20)
	d := offheap.Bytes(uintptr(p)+HeaderSize, 4<<20)
	for i := range d {
		d[i] = 1
	}
	Free(p)
	n, err := ReleasePages()
	if err != nil {
		t.Fatal(err)
	}
	if n < 4<<20-4096 {
		t.Errorf("ReleasePages advised %d bytes; want at least the freed 4 MiB block", n)
	}
	// Released memory is usable again.
	q := mustAlloc(t, 4<<20)
	d = offheap.Bytes(uintptr(q)+HeaderSize, 4<<20)
	for i := range d {
		d[i] = 2
	}
	Free(q)
}

func TestPermanentBlocksAreNotLive(t *testing.T) {
	checkLeaks(t)
	before := ReadStats()
	p, err := AllocPermanent(1000)
	if err != nil {
		t.Fatal(err)
	}
	after := ReadStats()
	if after.LiveBlocks != before.LiveBlocks || after.PermanentBlocks != before.PermanentBlocks+1 ||
		after.PermanentBytes != before.PermanentBytes+1<<11 {
		t.Errorf("after AllocPermanent: live %d -> %d, permanent %d -> %d (%d bytes)", before.LiveBlocks, after.LiveBlocks,
			before.PermanentBlocks, after.PermanentBlocks, after.PermanentBytes)
	}
	if HeaderOf(p).blockOrder != 11 || HeaderOf(p).RC.Load() != 1 {
		t.Error("permanent block header")
	}
}
