package olap

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/store"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// runAll runs every query on the tables and checks it against the plain Go
// reference.
func runAll(t *testing.T, e *Engine, trades, ref value.V, tb *Tables) {
	t.Helper()
	for _, q := range Queries {
		got, err := q.Run(e, trades, ref)
		if err != nil {
			t.Fatalf("%s: %v", q.Name, err)
		}
		want := q.Plain(tb.Plain, tb.PlainRef)
		if d := got.Diff(want); d != "" {
			t.Errorf("%s (%s): %s\nengine:\n%splain Go:\n%s", q.Name, q.SQL, d, got.Format(12), want.Format(12))
		}
	}
}

func TestQueriesAgainstPlainGo(t *testing.T) {
	heaptest.Check(t)
	for _, cfg := range []Config{
		{Rows: 100_000, Seed: 1},
		{Rows: 100_000, Seed: 2, Tickers: 300},
		{Rows: 30_000, Seed: 3, PxNulls: 1}, // every px null: empty selections, NULL aggregates
		{Rows: 1, Seed: 4},
		{Rows: 0, Seed: 5},
	} {
		tb, err := Generate(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []*Engine{{}, {Workers: 3, Morsel: 1000}} {
			runAll(t, e, tb.Trades, tb.Ref, tb)
		}
		tb.Release()
	}
}

func TestQueriesOnMappedTables(t *testing.T) {
	heaptest.Check(t)
	tb, err := Generate(Config{Rows: 50_000, Seed: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Release()
	dir := t.TempDir()
	for name, v := range map[string]value.V{"trades": tb.Trades, "ref": tb.Ref} {
		if err := store.SaveTable(filepath.Join(dir, name), v); err != nil {
			t.Fatal(err)
		}
	}
	trades, err := store.MapTable(filepath.Join(dir, "trades"))
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&trades)
	ref, err := store.MapTable(filepath.Join(dir, "ref"))
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&ref)
	runAll(t, &Engine{Workers: 2, Morsel: 4096}, trades, ref, tb)
	for _, v := range []value.V{trades, ref} {
		if err := cow.Check(v); err != nil {
			t.Error(err)
		}
	}
}

// A ref with every symbol twice: the join matches each trade twice, through
// the per-trade probe.
func TestJoinWithRepeatedKeys(t *testing.T) {
	heaptest.Check(t)
	tb, err := Generate(Config{Rows: 20_000, Seed: 9, Tickers: 50}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Release()
	var cols []value.V
	defer func() {
		for i := range cols {
			cow.Release(&cols[i])
		}
	}()
	for _, name := range []string{"sym", "sector", "lot"} {
		c, err := column(tb.Ref, name)
		if err != nil {
			t.Fatal(err)
		}
		twice, err := vec.Concat(c, c)
		if err != nil {
			t.Fatal(err)
		}
		cols = append(cols, twice)
	}
	ref, err := table([]string{"sym", "sector", "lot"}, cols)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&ref)
	pr := tb.PlainRef
	plainRef := &PlainRef{
		Sym:    append(slices.Clone(pr.Sym), pr.Sym...),
		Sector: append(slices.Clone(pr.Sector), pr.Sector...),
		Lot:    append(slices.Clone(pr.Lot), pr.Lot...),
	}
	got, err := (&Engine{Workers: 2, Morsel: 3000}).Q3(tb.Trades, ref)
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Diff(PlainQ3(tb.Plain, plainRef)); d != "" {
		t.Error(d)
	}
}

// Under budgets too small for them, building the tables and running the
// queries either succeed or fail with ErrLimit: no panic, nothing leaked;
// and with the budget lifted the same tables answer every query right.
func TestEngineUnderSmallBudgets(t *testing.T) {
	heaptest.Check(t)
	cfg := Config{Rows: 200_000, Seed: 1}
	old := heap.SetBudget(0)
	heap.SetBudget(old)
	refused := 0
	for _, budget := range []uint64{1 << 20, 4 << 20, 16 << 20, 64 << 20} {
		heap.SetBudget(budget)
		tb, err := Generate(cfg, nil)
		if err != nil {
			heap.SetBudget(old)
			if !errors.Is(err, ray.ErrLimit) {
				t.Fatalf("generating under %d bytes: %v, want ErrLimit", budget, err)
			}
			refused++
			continue
		}
		for _, q := range Queries {
			res, err := q.Run(&Engine{Workers: 2, Morsel: 4096}, tb.Trades, tb.Ref)
			switch {
			case errors.Is(err, ray.ErrLimit):
				refused++
			case err != nil:
				t.Errorf("%s under %d bytes: %v, want ErrLimit", q.Name, budget, err)
			default:
				if d := res.Diff(q.Plain(tb.Plain, tb.PlainRef)); d != "" {
					t.Errorf("%s under %d bytes answered wrong: %s", q.Name, budget, d)
				}
			}
		}
		heap.SetBudget(old)
		runAll(t, &Engine{Workers: 2, Morsel: 4096}, tb.Trades, tb.Ref, tb)
		tb.Release()
	}
	if refused == 0 {
		t.Fatal("nothing ran into the budget: the test checks nothing")
	}
}

// Accumulators indexed by symbol id are sized by the ids the columns hold,
// not by the process's symbol table: with 70,000 tickers the sym column
// needs 4-byte ids, symBound scans it, and the answers still match plain
// Go; and a bound never falls below a column's largest id.
func TestSymBoundFollowsTheColumns(t *testing.T) {
	heaptest.Check(t)
	tb, err := Generate(Config{Rows: 50_000, Seed: 8, Tickers: 70_000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Release()
	_, sym, err := vec.ColumnByName(tb.Trades, "sym")
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, sym.Len())
	if _, err := vec.SymIDs(ids, sym, 0); err != nil {
		t.Fatal(err)
	}
	largest := slices.Max(ids)
	bound, err := symBound(sym)
	if err != nil || int64(bound) <= largest {
		t.Fatalf("symBound = %d (%v) for a column whose largest id is %d", bound, err, largest)
	}
	if largest < 1<<16 {
		t.Fatalf("the largest id is %d: the test needs ids past 65,535", largest)
	}
	if int64(bound) != largest+1 {
		t.Errorf("symBound = %d for 4-byte ids whose largest is %d: want the scan's %d", bound, largest, largest+1)
	}
	runAll(t, &Engine{Workers: 2, Morsel: 4096}, tb.Trades, tb.Ref, tb)
}

// Tables another tool wrote hold strings where the engine wants symbols and
// narrower integers: Adopt converts them, the queries then match plain Go,
// and a missing column or one of another type is refused naming it.
func TestAdoptForeignTables(t *testing.T) {
	heaptest.Check(t)
	tb, err := Generate(Config{Rows: 20_000, Seed: 9}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Release()
	// As another tool would write them: strings, and 32-bit integers.
	foreign := func(src value.V, strs, ints []string) value.V {
		out, err := vec.NewTable()
		if err != nil {
			t.Fatal(err)
		}
		for i := range vec.NumCols(src) {
			name, c, _ := vec.ColumnAt(src, i)
			var conv value.V
			switch {
			case slices.Contains(strs, name):
				conv, err = vec.FromStringsFunc(int(c.Len()), func(i int) string { s, _ := vec.GetSym(c, i); return s })
			case slices.Contains(ints, name):
				xs, _ := vec.Elems[int64](c)
				narrow := make([]int32, len(xs))
				for i, x := range xs {
					narrow[i] = int32(x)
				}
				conv, err = vec.FromSlice(value.I32, narrow)
			default:
				conv = cow.Retain(c)
			}
			if err != nil {
				t.Fatal(err)
			}
			if bits, off := vec.NullBits(c); bits != nil {
				if err := vec.SetNulls(&conv, bits, off); err != nil {
					t.Fatal(err)
				}
			}
			if err := vec.AddColumn(&out, name, conv); err != nil {
				t.Fatal(err)
			}
			cow.Release(&conv)
		}
		return out
	}
	trades := foreign(tb.Trades, []string{"sym", "venue"}, []string{"qty"})
	defer cow.Release(&trades)
	ref := foreign(tb.Ref, []string{"sym", "sector"}, []string{"lot"})
	defer cow.Release(&ref)
	at, ar, err := Adopt(trades, ref)
	if err != nil {
		t.Fatal(err)
	}
	runAll(t, &Engine{Workers: 2, Morsel: 3000}, at, ar, tb)
	cow.Release(&at)
	cow.Release(&ar)

	// A column missing, and one of a type the queries cannot use.
	if _, _, err := Adopt(ref, ref); !errors.Is(err, ray.ErrName) || !strings.Contains(err.Error(), `"ts"`) {
		t.Errorf("trades without ts: %v", err)
	}
	if _, _, err := Adopt(tb.Trades, trades); !errors.Is(err, ray.ErrName) {
		t.Errorf("ref without sector: %v", err)
	}
	swapped, err := vec.NewTable()
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&swapped)
	for i := range vec.NumCols(tb.Trades) {
		name, c, _ := vec.ColumnAt(tb.Trades, i)
		if name == "px" {
			_, c, _ = vec.ColumnAt(tb.Trades, 0) // ts where px should be
		}
		if err := vec.AddColumn(&swapped, name, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := Adopt(swapped, tb.Ref); !errors.Is(err, ray.ErrType) || !strings.Contains(err.Error(), "trades.px") {
		t.Errorf("a TIMESTAMP px: %v", err)
	}
}
