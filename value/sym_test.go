package value_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
)

func TestInternDenseIDs(t *testing.T) {
	heaptest.Check(t)
	base := value.SymCount()
	names := []string{"sym.test.a", "sym.test.b", "", strings.Repeat("L", 100000), "sym.test.a"}
	ids := make([]int64, len(names))
	for i, n := range names {
		id, err := value.Intern(n)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	if ids[4] != ids[0] {
		t.Errorf("re-interning gave %d, first %d", ids[4], ids[0])
	}
	for i, n := range names[:4] {
		if ids[i] < 0 || ids[i] >= value.SymCount() {
			t.Errorf("id %d of %q out of range", ids[i], n)
		}
		if got, ok := value.SymName(ids[i]); !ok || got != n {
			t.Errorf("SymName(%d) = %.20q, %v; want %.20q", ids[i], got, ok, n)
		}
		if id, ok := value.SymID(n); !ok || id != ids[i] {
			t.Errorf("SymID(%.20q) = %d, %v", n, id, ok)
		}
	}
	if fresh := value.SymCount() - base; fresh > 4 {
		t.Errorf("4 names added %d symbols", fresh)
	}
	if _, ok := value.SymID("sym.test.never.interned"); ok {
		t.Error("SymID found a name never interned")
	}
	if _, ok := value.SymName(-1); ok {
		t.Error("SymName(-1)")
	}
	if _, ok := value.SymName(value.SymCount()); ok {
		t.Error("SymName(count)")
	}
}

// TestInternConcurrent interns overlapping names from 8 goroutines: every
// name gets exactly one id, the ids are dense, and names stay valid.
func TestInternConcurrent(t *testing.T) {
	heaptest.Check(t)
	const workers, names = 8, 20000
	base := value.SymCount()
	got := make([][]int64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids := make([]int64, names)
			for i := range names {
				j := (i*7 + w*1313) % names // every worker, every name, different orders
				id, err := value.Intern(fmt.Sprintf("concurrent.%d", j))
				if err != nil {
					t.Error(err)
					return
				}
				ids[j] = id
			}
			got[w] = ids
		}()
	}
	wg.Wait()
	seen := make(map[int64]int)
	for j := range names {
		id := got[0][j]
		for w := 1; w < workers; w++ {
			if got[w][j] != id {
				t.Fatalf("name %d: worker 0 got id %d, worker %d got %d", j, id, w, got[w][j])
			}
		}
		if prev, dup := seen[id]; dup {
			t.Fatalf("names %d and %d share id %d", prev, j, id)
		}
		seen[id] = j
		if n, _ := value.SymName(id); n != fmt.Sprintf("concurrent.%d", j) {
			t.Fatalf("SymName(%d) = %q", id, n)
		}
	}
	if n := value.SymCount() - base; n != names {
		t.Errorf("%d new symbols for %d names", n, names)
	}
	for id := base; id < base+names; id++ {
		if _, ok := seen[id]; !ok {
			t.Fatalf("ids are not dense: %d unused", id)
		}
	}
}
