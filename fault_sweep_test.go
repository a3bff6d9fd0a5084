//go:build rayfault

package ray_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/index"
	"github.com/raygo/ray/internal/fault"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/store"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// The fault sweep: a workload that uses every package (vectors of several
// types, appends that grow them, a table, an index, a saved and reloaded
// table directory, a mapped one, IPC and Parquet files, Arrow export and
// import) is run once to count its fallible steps (memory mappings, block
// allocations, file creations, writes, syncs, renames), then once more for
// each step, failing at that step. Every run must end with an error of the
// right kind that wraps the injected one, the value a failed write was
// given unchanged, no block leaked, heap.Verify satisfied, and the files on
// disk the old version or the new, never a mix.

// render formats a value's rows (no fault is counted while it runs).
func render(v value.V) string {
	defer fault.Suspend()()
	if v.IsZero() {
		return "<none>"
	}
	if v.Type() == value.Table {
		var sb strings.Builder
		for i := range vec.NumCols(v) {
			name, col, _ := vec.ColumnAt(v, i)
			fmt.Fprintf(&sb, "%s=%s;", name, render(col))
		}
		return sb.String()
	}
	var sb strings.Builder
	for i := range int(v.Len()) {
		a, err := vec.RowAtom(v, i)
		if err != nil {
			return "error: " + err.Error()
		}
		sb.WriteString(a.String())
		sb.WriteByte(',')
		cow.Release(&a)
	}
	return sb.String()
}

// sweepState is what a run of the workload leaves for the checks.
type sweepState struct {
	dir                string
	oldTable, newTable string // the saved table directory's two versions
}

// write runs a write that takes a handle: on failure the handle and the
// value must be as they were.
func write(t *testing.T, name string, vp *value.V, f func() error) error {
	before, rows := *vp, render(*vp)
	err := f()
	if err != nil && (*vp != before || render(*vp) != rows) {
		t.Errorf("%s failed (%v) and changed its argument", name, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func workload(t *testing.T, s *sweepState) (err error) {
	var vs []value.V
	keep := func(v value.V, e error) value.V {
		if e != nil && err == nil {
			err = e
		}
		vs = append(vs, v)
		return v
	}
	defer func() {
		for i := range vs {
			cow.Release(&vs[i])
		}
	}()
	keep(vec.FromSlice(value.I64, []int64{5, 3, 9, 1}))
	px := keep(vec.FromSlice(value.F64, []float64{1.5, 2.5, 3.5, 4.5}))
	keep(vec.FromStrings([]string{"a", "a string too long to inline", "c", "d"}))
	keep(vec.FromSyms([]string{"x", "y", "x", "z"}))
	if err != nil {
		return err
	}
	for i := range 300 { // grows through several block sizes
		if err := write(t, "vec.Append", &vs[0], func() error { return vec.Append(&vs[0], int64(i)) }); err != nil {
			return err
		}
		if err := write(t, "vec.AppendStr", &vs[2], func() error { return vec.AppendStr(&vs[2], strings.Repeat("s", i%40)) }); err != nil {
			return err
		}
	}
	ids, names := vs[0], vs[2]
	keep(vec.NewTable())
	if err != nil {
		return err
	}
	for _, c := range []struct {
		name string
		v    value.V
	}{{"id", ids}, {"name", names}} {
		if err := write(t, "vec.AddColumn", &vs[len(vs)-1], func() error { return vec.AddColumn(&vs[len(vs)-1], c.name, c.v) }); err != nil {
			return err
		}
	}
	tb := vs[len(vs)-1]
	if err := write(t, "index.Attach", &vs[0], func() error { return index.Attach(&vs[0], index.Hash) }); err != nil {
		return err
	}
	hits, err := index.Lookup(vs[0], int64(9))
	if err != nil {
		return err
	}
	for range hits {
	}
	keep(vec.Concat(px, px))
	if err != nil {
		return err
	}

	tdir := filepath.Join(s.dir, "table")
	s.newTable = render(tb)
	if err := store.SaveTable(tdir, tb); err != nil {
		return err
	}
	back := keep(store.LoadTable(tdir))
	if err != nil {
		return err
	}
	mapped := keep(store.MapTable(tdir))
	if err != nil {
		return err
	}
	if got := render(mapped); got != s.newTable || render(back) != s.newTable {
		t.Errorf("the table read back differs")
	}
	ipcPath := filepath.Join(s.dir, "t.arrow")
	if err := rayarrow.WriteIPCFile(ipcPath, rayarrow.Zstd, tb); err != nil {
		return err
	}
	rs, err := rayarrow.ReadIPCFile(ipcPath)
	for i := range rs {
		keep(rs[i], nil)
	}
	if err != nil {
		return err
	}
	pqPath := filepath.Join(s.dir, "t.parquet")
	if err := rayarrow.WriteParquet(pqPath, tb); err != nil {
		return err
	}
	keep(rayarrow.ReadParquet(pqPath))
	if err != nil {
		return err
	}
	rec, err := rayarrow.ExportRecord(tb)
	if err != nil {
		return err
	}
	keep(rayarrow.ImportRecord(rec))
	rec.Release()
	return err
}

var allOps = []fault.Op{fault.Mmap, fault.Alloc, fault.Create, fault.Write, fault.Sync, fault.Rename}

func TestFaultSweep(t *testing.T) {
	heaptest.Check(t)
	old := heap.SetSwapDir("") // a refused mapping is ErrOOM, not a swap file
	defer heap.SetSwapDir(old)

	// setup saves the old version of the table directory and the files.
	setup := func() *sweepState {
		s := &sweepState{dir: t.TempDir()}
		oldT := must(vec.NewTable())
		c := must(vec.FromSlice(value.I64, []int64{42}))
		if err := vec.AddColumn(&oldT, "old", c); err != nil {
			t.Fatal(err)
		}
		cow.Release(&c)
		if err := store.SaveTable(filepath.Join(s.dir, "table"), oldT); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"t.arrow", "t.parquet"} {
			if err := os.WriteFile(filepath.Join(s.dir, p), []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		s.oldTable = render(oldT)
		cow.Release(&oldT)
		return s
	}
	s := setup()
	fault.Arm(0, allOps...)
	err := workload(t, s)
	steps, _ := fault.Disarm()
	if err != nil {
		t.Fatalf("the workload without faults: %v", err)
	}
	t.Logf("the workload has %d fallible steps", steps)
	kinds := map[string]int{}
	for n := int64(1); n <= steps; n++ {
		s := setup()
		live := heap.LiveBlocks()
		fault.Arm(n, allOps...)
		err := workload(t, s)
		_, injected := fault.Disarm()
		if !injected {
			continue // the run took another path and ended before step n
		}
		var re *ray.Error
		switch {
		case err == nil:
			t.Errorf("step %d: the injected fault was swallowed", n)
		case !errors.Is(err, fault.ErrInjected) || !errors.As(err, &re):
			t.Errorf("step %d: %v does not wrap the injected fault in a raygo error", n, err)
		case !errors.Is(err, ray.ErrOOM) && !errors.Is(err, ray.ErrIO):
			t.Errorf("step %d: %v is neither ErrOOM nor ErrIO", n, err)
		default:
			kinds[re.Kind.String()]++
		}
		if got := heap.LiveBlocks(); got != live {
			t.Errorf("step %d (%v): %d live blocks after, %d before", n, err, got, live)
		}
		if err := heap.Verify(); err != nil {
			t.Fatalf("step %d: %v", n, err)
		}
		// The table directory holds the old table or the new.
		tb, lerr := store.LoadTable(filepath.Join(s.dir, "table"))
		if lerr != nil {
			t.Errorf("step %d (%v): the table directory does not load: %v", n, err, lerr)
		} else if got := render(tb); got != s.oldTable && got != s.newTable {
			t.Errorf("step %d: the table directory holds neither version: %s", n, got)
		}
		cow.Release(&tb)
		for _, p := range []string{"t.arrow", "t.parquet"} {
			b, _ := os.ReadFile(filepath.Join(s.dir, p))
			if string(b) == "old" {
				continue
			}
			var rerr error
			var vs []value.V
			if p == "t.arrow" {
				vs, rerr = rayarrow.ReadIPCFile(filepath.Join(s.dir, p))
			} else {
				var v value.V
				v, rerr = rayarrow.ReadParquet(filepath.Join(s.dir, p))
				vs = []value.V{v}
			}
			if rerr != nil {
				t.Errorf("step %d: %s is neither the old file nor a whole new one: %v", n, p, rerr)
			}
			for i := range vs {
				cow.Release(&vs[i])
			}
		}
	}
	t.Logf("failures by kind: %v", kinds)
}
