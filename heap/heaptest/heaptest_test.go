package heaptest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/heap"
)

// fakeT records what Check reports instead of failing the real test.
type fakeT struct {
	errors   []string
	cleanups []func()
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeT) finish() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func TestCheckReportsALeak(t *testing.T) {
	heaptest.Check(t)
	var f fakeT
	heaptest.Check(&f)
	p, err := heap.Alloc(100)
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	if len(f.errors) != 1 || !strings.Contains(f.errors[0], "(+1)") {
		t.Fatalf("Check on a leaking test reported %q", f.errors)
	}
	// Under raydebug the report names where the leaked block was allocated.
	if heap.AllocSeq() > 0 && !strings.Contains(f.errors[0], "TestCheckReportsALeak") {
		t.Errorf("leak report does not name the allocating test:\n%s", f.errors[0])
	}
	heap.Free(p)
}

func TestCheckPassesACleanTest(t *testing.T) {
	var f fakeT
	heaptest.Check(&f)
	p, err := heap.Alloc(100)
	if err != nil {
		t.Fatal(err)
	}
	heap.Free(p)
	f.finish()
	if len(f.errors) != 0 {
		t.Errorf("Check on a clean test reported %q", f.errors)
	}
}

func TestCheckReportsCorruption(t *testing.T) {
	var f fakeT
	heaptest.Check(&f)
	p, err := heap.Alloc(100)
	if err != nil {
		t.Fatal(err)
	}
	h := heap.HeaderOf(p)
	h.RC.Store(0) // a live block with no references: Verify reports it
	f.finish()
	h.RC.Store(1)
	heap.Free(p)
	found := false
	for _, e := range f.errors {
		found = found || strings.Contains(e, "reference count 0")
	}
	if !found {
		t.Errorf("Check did not report the corrupt block: %q", f.errors)
	}
}
