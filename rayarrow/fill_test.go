package rayarrow

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// fillFrom fills a table from rec cut into parts at random rows, each part
// written by its own goroutine in batches of random sizes, through Append
// or, with viaIPC, through an IPC stream of its batches.
func fillFrom(t *testing.T, r *rand.Rand, rec arrow.Record, viaIPC bool) (value.V, error) {
	n := int(rec.NumRows())
	cuts := []int{0, n}
	for range r.IntN(4) {
		cuts = append(cuts, r.IntN(n+1))
	}
	slices.Sort(cuts)
	f, err := NewTableFill(n)
	if err != nil {
		return value.V{}, err
	}
	defer f.Release()
	errs := make([]error, len(cuts)-1)
	var wg sync.WaitGroup
	for i := range errs {
		p, err := f.Part(cuts[i], cuts[i+1]-cuts[i])
		if err != nil {
			return value.V{}, err
		}
		var batches []arrow.Record
		for from := cuts[i]; from < cuts[i+1]; {
			to := min(cuts[i+1], from+1+r.IntN(300))
			batches = append(batches, rec.NewSlice(int64(from), int64(to)))
			from = to
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				for _, b := range batches {
					b.Release()
				}
			}()
			if viaIPC {
				var buf bytes.Buffer
				w := ipc.NewWriter(&buf, ipc.WithSchema(rec.Schema()))
				for _, b := range batches {
					if errs[i] = w.Write(b); errs[i] != nil {
						return
					}
				}
				if errs[i] = w.Close(); errs[i] == nil {
					errs[i] = p.AppendIPC(&buf)
				}
				return
			}
			for _, b := range batches {
				if errs[i] = p.Append(b); errs[i] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return value.V{}, err
	}
	return f.Finish()
}

// A filled table is the table ImportRecord makes of the whole record, for
// records of every type Arrow Go writes and of every type raygo exports,
// however the rows are cut into parts and batches.
func TestTableFillMatchesImport(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(1, 2))
	typed := typedRecord(t, 1500)
	defer typed.Release()
	own := writeTable(t, 1500)
	defer cow.Release(&own)
	exported, err := ExportRecord(own)
	if err != nil {
		t.Fatal(err)
	}
	defer exported.Release()
	for _, rec := range []arrow.Record{typed, exported} {
		want, err := ImportRecord(rec)
		if err != nil {
			t.Fatal(err)
		}
		for round := range 12 {
			got, err := fillFrom(t, r, rec, round%2 == 1)
			if err != nil {
				t.Fatal(err)
			}
			if d := tableDiff(got, want); d != "" {
				t.Fatalf("round %d: %s", round, d)
			}
			cow.Release(&got)
		}
		cow.Release(&want)
	}
	if err := heap.Verify(); err != nil {
		t.Fatal(err)
	}
}

// A SYM column whose dictionaries intern more symbols than its first width
// holds is widened, keeping the ids already written.
func TestTableFillWidensSymbols(t *testing.T) {
	heaptest.Check(t)
	dictRecord := func(names []string, idx []int32) arrow.Record {
		dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
		db := array.NewStringBuilder(memory.DefaultAllocator)
		defer db.Release()
		db.AppendValues(names, nil)
		dict := db.NewArray()
		defer dict.Release()
		ib := array.NewInt32Builder(memory.DefaultAllocator)
		defer ib.Release()
		ib.AppendValues(idx, nil)
		ids := ib.NewArray()
		defer ids.Release()
		col := array.NewDictionaryArray(dt, ids, dict)
		defer col.Release()
		return array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "s", Type: dt}}, nil), []arrow.Array{col}, int64(len(idx)))
	}
	first := dictRecord([]string{"fill.a", "fill.b"}, []int32{0, 1, 0})
	defer first.Release()
	// Enough new symbols to pass the width the column starts with (ids
	// one or two bytes wide; a process of more than 65,536 symbols starts
	// at four, which this test cannot pass).
	count := value.SymCount() + 2 // with first's
	w := attrbits.WidthFor(uint64(count - 1))
	if w > attrbits.W16 {
		t.Skipf("%d symbols interned: the column starts at ids %d bytes wide", count, w.Bytes())
	}
	fresh := make([]string, int(int64(1)<<(8*w.Bytes())-count+1))
	for i := range fresh {
		fresh[i] = fmt.Sprintf("fill.widen.%d", i)
	}
	second := dictRecord(fresh, []int32{int32(len(fresh) - 1), 0, 7})
	defer second.Release()
	f, err := NewTableFill(6)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	p1, _ := f.Part(0, 3)
	p2, _ := f.Part(3, 3)
	if err := p1.Append(first); err != nil {
		t.Fatal(err)
	}
	before := f.cols[0].size
	if err := p2.Append(second); err != nil {
		t.Fatal(err)
	}
	if f.cols[0].size <= before {
		t.Errorf("ids %d bytes wide before and %d after %d new symbols", before, f.cols[0].size, len(fresh))
	}
	tb, err := f.Finish()
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&tb)
	_, col, _ := vec.ColumnAt(tb, 0)
	want := []string{"fill.a", "fill.b", "fill.a", fresh[len(fresh)-1], fresh[0], fresh[7]}
	for i, w := range want {
		if got := cell(col, i); got != "`"+w {
			t.Errorf("row %d: %s, want `%s", i, got, w)
		}
	}
}

// What a broken or hostile source does wrong is refused, with the error's
// kind, and Release leaves nothing allocated.
func TestTableFillRefuses(t *testing.T) {
	heaptest.Check(t)
	rec := typedRecord(t, 100)
	defer rec.Release()
	other := int64Record("x")
	defer other.Release()
	for _, c := range []struct {
		name string
		run  func(f *TableFill) error
		kind error
	}{
		{"overlapping parts", func(f *TableFill) error {
			if _, err := f.Part(0, 60); err != nil {
				return err
			}
			_, err := f.Part(50, 50)
			return err
		}, ray.ErrRange},
		{"a part past the rows", func(f *TableFill) error { _, err := f.Part(90, 20); return err }, ray.ErrRange},
		{"more rows than the part", func(f *TableFill) error {
			p, _ := f.Part(0, 50)
			return p.Append(rec)
		}, ray.ErrCorrupt},
		{"fewer rows than the part", func(f *TableFill) error {
			p, _ := f.Part(0, 100)
			part := rec.NewSlice(0, 99)
			defer part.Release()
			if err := p.Append(part); err != nil {
				return err
			}
			_, err := f.Finish()
			return err
		}, ray.ErrCorrupt},
		{"rows no part holds", func(f *TableFill) error {
			p, _ := f.Part(0, 100)
			if err := p.Append(rec); err != nil {
				return err
			}
			f.rows = 101 // as a caller that made a fill of 101 rows
			_, err := f.Finish()
			return err
		}, ray.ErrCorrupt},
		{"another schema", func(f *TableFill) error {
			p, _ := f.Part(0, 50)
			q, _ := f.Part(50, 50)
			part := rec.NewSlice(0, 50)
			defer part.Release()
			if err := p.Append(part); err != nil {
				return err
			}
			return q.Append(other)
		}, ray.ErrCorrupt},
		{"no schema", func(f *TableFill) error { _, err := f.Finish(); return err }, ray.ErrCorrupt},
		{"not an IPC stream", func(f *TableFill) error {
			p, _ := f.Part(0, 100)
			return p.AppendIPC(bytes.NewReader([]byte("not arrow at all")))
		}, ray.ErrCorrupt},
		{"finished twice", func(f *TableFill) error {
			p, _ := f.Part(0, 100)
			if err := p.Append(rec); err != nil {
				return err
			}
			tb, err := f.Finish()
			if err != nil {
				return err
			}
			cow.Release(&tb)
			_, err = f.Finish()
			return err
		}, ray.ErrDomain},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := NewTableFill(100)
			if err != nil {
				t.Fatal(err)
			}
			err = c.run(f)
			f.Release()
			if !errors.Is(err, c.kind) {
				t.Errorf("%v, want %v", err, c.kind)
			}
		})
	}
	if _, err := NewTableFill(-1); !errors.Is(err, ray.ErrLength) {
		t.Errorf("a fill of -1 rows: %v", err)
	}
}

// A fill past the heap's budget is ErrLimit when its columns are
// allocated, and leaves nothing.
func TestTableFillPastTheBudget(t *testing.T) {
	heaptest.Check(t)
	rec := typedRecord(t, 10)
	defer rec.Release()
	_, reserved := heap.Budget()
	old := heap.SetBudget(reserved + 1<<20)
	defer heap.SetBudget(old)
	f, err := NewTableFill(1 << 24)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	p, _ := f.Part(0, 10)
	if err := p.Append(rec); !errors.Is(err, ray.ErrLimit) {
		t.Errorf("%v, want ErrLimit", err)
	}
}

// A growing fill takes batches of any sizes, through Append or an IPC
// stream, growing its columns (null bitmaps included) as they come, and
// finishes as the table ImportRecord makes of all of them; a stream of
// no batches is a table of no rows with the stream's columns.
func TestGrowingFillMatchesImport(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(5, 6))
	typed := typedRecord(t, 9000)
	defer typed.Release()
	own := writeTable(t, 9000)
	defer cow.Release(&own)
	exported, err := ExportRecord(own)
	if err != nil {
		t.Fatal(err)
	}
	defer exported.Release()
	for _, rec := range []arrow.Record{typed, exported} {
		want, err := ImportRecord(rec)
		if err != nil {
			t.Fatal(err)
		}
		for round := range 4 {
			f, p, err := NewGrowingFill()
			if err != nil {
				t.Fatal(err)
			}
			var batches []arrow.Record
			for from := 0; from < int(rec.NumRows()); {
				to := min(int(rec.NumRows()), from+1+r.IntN(3000))
				batches = append(batches, rec.NewSlice(int64(from), int64(to)))
				from = to
			}
			if round%2 == 1 {
				var buf bytes.Buffer
				w := ipc.NewWriter(&buf, ipc.WithSchema(rec.Schema()))
				for _, b := range batches {
					if err := w.Write(b); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				err = p.AppendIPC(&buf)
			} else {
				for _, b := range batches {
					if err = p.Append(b); err != nil {
						break
					}
				}
			}
			for _, b := range batches {
				b.Release()
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Finish()
			if err != nil {
				t.Fatal(err)
			}
			if d := tableDiff(got, want); d != "" {
				t.Fatalf("round %d: %s", round, d)
			}
			if err := cow.Check(got); err != nil {
				t.Fatal(err)
			}
			cow.Release(&got)
			f.Release()
		}
		cow.Release(&want)
	}
	// No batches: the stream's columns and no rows.
	buf := bytes.NewReader(ipcStream(t, typed.Schema()))
	f, p, err := NewGrowingFill()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	if err := p.AppendIPC(buf); err != nil {
		t.Fatal(err)
	}
	empty, err := f.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if vec.NumRows(empty) != 0 || vec.NumCols(empty) != int(typed.NumCols()) {
		t.Errorf("an empty stream: %d rows, %d columns", vec.NumRows(empty), vec.NumCols(empty))
	}
	cow.Release(&empty)
}
