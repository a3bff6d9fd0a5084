// Package heaptest holds the leak check every raygo test uses.
//
//	func TestSomething(t *testing.T) {
//		heaptest.Check(t)
//		...
//	}
//
// Check records the process's live-block count when the test starts and,
// when the test ends, fails it if the count has changed (under the raydebug
// build tag it lists each leaked block with the stack that allocated it),
// then runs heap.Verify and fails the test on any finding. The count is
// process-wide: a test that calls Check must not run in parallel with other
// tests that allocate.
package heaptest

import (
	"fmt"
	"strings"

	"github.com/raygo/ray/internal/heap"
)

// T is the part of testing.TB that Check uses.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Cleanup(func())
}

// Check fails t at cleanup if the heap's live-block count differs from
// now, or if heap.Verify finds a broken invariant.
func Check(t T) {
	t.Helper()
	start := heap.LiveBlocks()
	seq := heap.AllocSeq()
	t.Cleanup(func() {
		t.Helper()
		if got := heap.LiveBlocks(); got != start {
			msg := fmt.Sprintf("heaptest: %d live blocks at the end of the test, %d at its start (%+d)", got, start, got-start)
			if sites := heap.LiveAllocations(seq); len(sites) > 0 {
				msg += "\n" + strings.Join(sites, "\n")
			}
			t.Errorf("%s", msg)
		}
		if err := heap.Verify(); err != nil {
			t.Errorf("heaptest: %v", err)
		}
	})
}
