//go:build rayfault

package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/fault"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// Every step of an atomic write can fail (creating the temporary file, a
// write, a sync, the rename, the directory's sync), and then the error is
// ErrIO, the previous file is as it was, and no temporary file is left.
func TestFailedWritesKeepThePreviousFile(t *testing.T) {
	heaptest.Check(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "f.col")
	v := must(vec.FromSlice(value.I64, []int64{1, 2, 3}))
	defer cow.Release(&v)
	if err := SaveColumn(path, v); err != nil {
		t.Fatal(err)
	}
	original, _ := os.ReadFile(path)
	w := must(vec.FromSlice(value.I64, make([]int64, 1<<20))) // several writes
	defer cow.Release(&w)
	ops := []fault.Op{fault.Create, fault.Write, fault.Sync, fault.Rename}
	fault.Arm(0, ops...)
	if err := SaveColumn(path, v); err != nil {
		t.Fatal(err)
	}
	steps, _ := fault.Disarm()
	if steps < 5 {
		t.Fatalf("an atomic write counted %d steps", steps)
	}
	for n := int64(1); n <= steps; n++ {
		fault.Arm(n, ops...)
		err := SaveColumn(path, w)
		_, injected := fault.Disarm()
		if !injected {
			t.Fatalf("step %d of %d was not reached", n, steps)
		}
		if !errors.Is(err, ray.ErrIO) || !errors.Is(err, fault.ErrInjected) {
			t.Errorf("step %d: %v, want an injected ErrIO", n, err)
		}
		// A failed sync of the directory comes after the rename: the new
		// file is in place, only its durability is in doubt.
		now, _ := os.ReadFile(path)
		if !bytes.Equal(now, original) && n < steps {
			t.Errorf("step %d: the previous file changed", n)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			t.Errorf("step %d: %d entries left in the directory", n, len(ents))
		}
		if err := SaveColumn(path, v); err != nil { // back to the original
			t.Fatal(err)
		}
	}
}
