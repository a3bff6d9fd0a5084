package heap

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/offheap"
)

func TestBudgetRefusesWithErrLimit(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	keep := mustAlloc(t, 1000)
	_, reserved := Budget()
	old := SetBudget(reserved + 64<<20)
	t.Cleanup(func() { SetBudget(old) })

	var ps []unsafe.Pointer
	var err error
	for range 100 {
		var p unsafe.Pointer
		if p, err = Alloc(8 << 20); err != nil {
			break
		}
		ps = append(ps, p)
	}
	if !errors.Is(err, ray.ErrLimit) {
		t.Fatalf("allocating 800 MiB under a 64 MiB budget: err = %v, want ErrLimit", err)
	}
	if !strings.Contains(err.Error(), "budget") {
		t.Errorf("error %q does not name the budget", err)
	}
	if len(ps) < 4 || len(ps) > 8 {
		t.Errorf("%d blocks of 16 MiB fit a 64 MiB budget", len(ps))
	}
	if !Pressure() {
		t.Error("Pressure() = false with the budget exhausted")
	}
	// Realloc beyond the budget fails and leaves the block as it was.
	if q, err := Realloc(keep, 200<<20); q != nil || !errors.Is(err, ray.ErrLimit) {
		t.Errorf("Realloc past the budget = %v, %v", q, err)
	}
	if HeaderOf(keep).blockOrder != 11 || HeaderOf(keep).mmod != MmodHeap {
		t.Error("failed Realloc changed the block")
	}
	for _, p := range ps {
		Free(p)
	}
	Free(keep)
	SetBudget(old)
	if Pressure() {
		t.Error("Pressure() = true after everything was freed")
	}
}

// refuseAnonymous makes the kernel refuse anonymous pools after allow more.
func refuseAnonymous(t *testing.T, allow int) {
	orig := mapAnonymous
	t.Cleanup(func() { mapAnonymous = orig })
	mapAnonymous = func(n uintptr) (uintptr, error) {
		if allow <= 0 {
			return 0, syscall.ENOMEM
		}
		allow--
		return orig(n)
	}
}

func TestSwapFallbackExceedsAnonymousMemory(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	old := SetSwapDir(dir)
	t.Cleanup(func() { SetSwapDir(old) })
	refuseAnonymous(t, 2)

	// Each 8 MiB block takes a standard pool of its own: two fit in what
	// anonymous memory gave, the rest must come from swap files.
	var ps []unsafe.Pointer
	for i := range 6 {
		p, err := Alloc(8 << 20)
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		d := offheap.Bytes(uintptr(p)+HeaderSize, 8<<20)
		for off := 0; off < len(d); off += 4096 {
			d[off] = byte(i)
		}
		ps = append(ps, p)
	}
	s := ReadStats()
	if s.SwapPools < 4 || s.SwapBytes < 4*poolSize {
		t.Fatalf("%d swap pools (%d bytes) after anonymous memory ran out; want at least 4", s.SwapPools, s.SwapBytes)
	}
	for i, p := range ps {
		d := offheap.Bytes(uintptr(p)+HeaderSize, 8<<20)
		for off := 0; off < len(d); off += 4096 {
			if d[off] != byte(i) {
				t.Fatalf("block %d byte %d = %d", i, off, d[off])
			}
		}
	}
	// The files are unlinked as soon as they are mapped.
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("swap directory holds %d entries", len(ents))
	}
	if _, err := ReleasePages(); err != nil { // MADV_REMOVE on the swap pools
		t.Fatal(err)
	}
	for _, p := range ps {
		Free(p)
	}
	if _, err := GC(); err != nil {
		t.Fatal(err)
	}
	if s := ReadStats(); s.SwapPools != 0 {
		t.Errorf("%d swap pools after GC", s.SwapPools)
	}
}

func TestRefusedMappingWithoutSwapIsErrOOM(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	old := SetSwapDir("")
	t.Cleanup(func() { SetSwapDir(old) })
	refuseAnonymous(t, 0)
	before := ReadStats()
	p, err := Alloc(40 << 20) // an oversized pool: never served from existing ones
	if p != nil || !errors.Is(err, ray.ErrOOM) || !errors.Is(err, syscall.ENOMEM) {
		t.Fatalf("Alloc with mappings refused = %v, %v; want ErrOOM wrapping ENOMEM", p, err)
	}
	SetSwapDir("/nonexistent/raygo-swap")
	if _, err := Alloc(40 << 20); !errors.Is(err, ray.ErrOOM) {
		t.Fatalf("Alloc with an unusable swap directory: %v; want ErrOOM", err)
	}
	after := ReadStats()
	if after.Pools != before.Pools || after.LiveBlocks != before.LiveBlocks {
		t.Errorf("failed allocations changed the heap: pools %d -> %d, live %d -> %d", before.Pools, after.Pools, before.LiveBlocks, after.LiveBlocks)
	}
}

func TestVerifyNamesCorruptBlocks(t *testing.T) {
	checkLeaks(t)
	onOneP(t)
	const k = slabMax + 1 // above the slab orders: freed onto a free list
	free := mustAlloc(t, 1<<k-HeaderSize)
	live := mustAlloc(t, 1<<k-HeaderSize)
	Free(free)
	if err := Verify(); err != nil {
		t.Fatalf("Verify before corruption: %v", err)
	}

	check := func(what string, corrupt, restore func(), want string) {
		t.Helper()
		corrupt()
		err := Verify()
		restore()
		if !errors.Is(err, ray.ErrCorrupt) {
			t.Fatalf("%s: Verify = %v, want ErrCorrupt", what, err)
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: Verify does not say %q:\n%v", what, want, err)
		}
		var ve *VerifyError
		if !errors.As(err, &ve) || len(ve.Findings) == 0 {
			t.Errorf("%s: not a VerifyError with findings", what)
		}
		if err := Verify(); err != nil {
			t.Fatalf("%s: Verify after restoring: %v", what, err)
		}
	}
	fb := uintptr(free)
	lb := uintptr(live)
	check("order of a free block", func() { hdr(fb).blockOrder = k - 1 }, func() { hdr(fb).blockOrder = k },
		fmt.Sprintf("%#x", fb))
	check("live block with rc 0", func() { hdr(lb).RC.n = 0 }, func() { hdr(lb).RC.n = 1 },
		fmt.Sprintf("live block %#x order %d has reference count 0", lb, k))
	check("unknown mmod", func() { hdr(lb).mmod = 7 }, func() { hdr(lb).mmod = 0 },
		fmt.Sprintf("%#x order %d has mmod 0x7", lb, k))
	check("free-list back link", func() { hdr(fb).Aux[0] = 64 }, func() { hdr(fb).Aux[0] = 0 },
		"links back to 0x40")
	Free(live)
}

func TestArena(t *testing.T) {
	checkLeaks(t)
	var a Arena
	var pieces [][]byte
	for i := range 3000 {
		n := uintptr(i%200 + 1)
		b, err := a.Bytes(n)
		if err != nil {
			t.Fatal(err)
		}
		if uintptr(unsafe.Pointer(&b[0]))%16 != 0 {
			t.Fatalf("piece %d is not 16-byte aligned", i)
		}
		for j := range b {
			b[j] = byte(i)
		}
		pieces = append(pieces, b)
	}
	big, err := a.Bytes(1 << 20) // larger than a backing block
	if err != nil || len(big) != 1<<20 {
		t.Fatal(err)
	}
	for i, b := range pieces {
		for _, c := range b {
			if c != byte(i) {
				t.Fatalf("piece %d overwritten", i)
			}
		}
	}
	if a.Size() < 1<<20 {
		t.Errorf("arena holds %d bytes", a.Size())
	}
	if _, err := a.Alloc(MaxSize); !errors.Is(err, ray.ErrLimit) {
		t.Errorf("arena Alloc(MaxSize) = %v", err)
	}
	a.Reset()
	if a.Size() != 0 {
		t.Error("Reset kept blocks")
	}
	if _, err := a.Alloc(10); err != nil { // usable after Reset
		t.Fatal(err)
	}
	a.Reset()
}
