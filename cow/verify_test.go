package cow

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/value"
)

// Verify stops the world; a goroutine stopped between a release's last
// count and the free must not look like a live block with no references.
func TestVerifyBesideReleases(t *testing.T) {
	heaptest.Check(t)
	const workers, rounds = 2, 100_000
	var done atomic.Int32
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer done.Add(1)
			for i := range rounds {
				a, err := value.NewI64(int64(i))
				if err != nil {
					t.Error(err)
					return
				}
				b := Retain(a) // two owners, released on two paths
				if (i+w)%2 == 0 {
					Release(&a)
					Release(&b)
				} else {
					v := i64s(t, 1, 2, 3)
					Release(&b)
					Release(&a)
					Release(&v)
				}
			}
		}()
	}
	checks := 0
	for done.Load() < workers {
		if err := heap.Verify(); err != nil {
			t.Fatalf("Verify beside releasing goroutines: %v", err)
		}
		checks++
	}
	wg.Wait()
	t.Logf("%d checks", checks)
}
