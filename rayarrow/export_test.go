package rayarrow

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/raygo/ray"
	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func must(v value.V, err error) value.V {
	if err != nil {
		panic(err)
	}
	return v
}

func export(t *testing.T, v value.V) arrow.Array {
	t.Helper()
	a, err := Export(v)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestExportFixedTypesWithoutCopy(t *testing.T) {
	heaptest.Check(t)
	xs := []int64{1, -2, 3, math.MaxInt64}
	v := must(vec.FromSlice(value.I64, xs))
	a := export(t, v)
	ia := a.(*array.Int64)
	if ia.Len() != 4 || ia.NullN() != 0 || a.Data().Buffers()[0] != nil {
		t.Fatalf("exported: len %d nulls %d validity %v", ia.Len(), ia.NullN(), a.Data().Buffers()[0])
	}
	for i, x := range xs {
		if ia.Value(i) != x {
			t.Fatalf("row %d = %d", i, ia.Value(i))
		}
	}
	if &ia.Int64Values()[0] != &must2(vec.Elems[int64](v))[0] {
		t.Error("the Arrow array does not share the vector's memory")
	}
	cow.Release(&v) // Arrow keeps the block alive
	if ia.Value(3) != math.MaxInt64 {
		t.Error("data gone after releasing the raygo handle")
	}
	a.Release()
}

func must2[T any](x T, err error) T {
	if err != nil {
		panic(err)
	}
	return x
}

func TestExportEveryType(t *testing.T) {
	heaptest.Check(t)
	type kase struct {
		v    value.V
		want arrow.DataType
		str  string
	}
	cases := []kase{
		{must(vec.FromSlice(value.Bool, []bool{true, false, true})), arrow.FixedWidthTypes.Boolean, "[true false true]"},
		{must(vec.FromSlice(value.U8, []uint8{1, 255})), arrow.PrimitiveTypes.Uint8, "[1 255]"},
		{must(vec.FromSlice(value.I16, []int16{-3, 4})), arrow.PrimitiveTypes.Int16, "[-3 4]"},
		{must(vec.FromSlice(value.I32, []int32{-5})), arrow.PrimitiveTypes.Int32, "[-5]"},
		{must(vec.FromSlice(value.F32, []float32{1.5})), arrow.PrimitiveTypes.Float32, "[1.5]"},
		{must(vec.FromSlice(value.F64, []float64{2.25})), arrow.PrimitiveTypes.Float64, "[2.25]"},
		{must(vec.FromSlice(value.Date, []int32{20784})), arrow.FixedWidthTypes.Date32, "[20784]"},
		{must(vec.FromSlice(value.Time, []int32{45015250})), arrow.FixedWidthTypes.Time32ms, "[45015250]"},
		{must(vec.FromStrings([]string{"short", "a string longer than twelve"})), arrow.BinaryTypes.StringView, `["short" "a string longer than twelve"]`},
	}
	for _, c := range cases {
		a := export(t, c.v)
		if !arrow.TypeEqual(a.DataType(), c.want) {
			t.Errorf("%v exports as %v, want %v", c.v.Type(), a.DataType(), c.want)
		}
		if got := a.String(); got != c.str {
			t.Errorf("%v exports as %s, want %s", c.v.Type(), got, c.str)
		}
		a.Release()
		cow.Release(&c.v)
	}
	ts := must(vec.FromSlice(value.Timestamp, []int64{1_700_000_000_123_456_789}))
	a := export(t, ts).(*array.Timestamp)
	if tt := a.DataType().(*arrow.TimestampType); tt.Unit != arrow.Nanosecond || tt.TimeZone != "UTC" || int64(a.Value(0)) != 1_700_000_000_123_456_789 {
		t.Errorf("TIMESTAMP exports as %v %v", a.DataType(), a.Value(0))
	}
	a.Release()
	cow.Release(&ts)
	g := must(vec.FromSlice(value.GUID, [][16]byte{{1, 2}}))
	ga := export(t, g).(*array.FixedSizeBinary)
	if ga.Value(0)[1] != 2 || len(ga.Value(0)) != 16 {
		t.Errorf("GUID exports as %x", ga.Value(0))
	}
	ga.Release()
	cow.Release(&g)
	sym := must(vec.FromSyms([]string{"rayarrow.x", "rayarrow.y", "rayarrow.x"}))
	sa := export(t, sym).(*array.Dictionary)
	dict := sa.Dictionary().(*array.String)
	for i, want := range []string{"rayarrow.x", "rayarrow.y", "rayarrow.x"} {
		if got := dict.Value(sa.GetValueIndex(i)); got != want {
			t.Errorf("SYM row %d exports as %q", i, got)
		}
	}
	sa.Release()
	cow.Release(&sym)
	if _, err := Export(value.NullValue()); !errors.Is(err, ray.ErrType) {
		t.Errorf("exporting an atom: %v", err)
	}
}

func TestExportNullsAndSlices(t *testing.T) {
	heaptest.Check(t)
	xs := make([]float64, 200)
	for i := range xs {
		xs[i] = float64(i)
	}
	v := must(vec.FromSlice(value.F64, xs))
	defer cow.Release(&v)
	for _, i := range []int{3, 64, 150, 199} {
		if err := vec.SetNull(&v, i, true); err != nil {
			t.Fatal(err)
		}
	}
	s := must(vec.Slice(v, 60, 100)) // rows 60..159
	defer cow.Release(&s)
	for _, x := range []value.V{v, s} {
		a := export(t, x).(*array.Float64)
		n := int(x.Len())
		if a.Len() != n || a.NullN() != vec.NullCount(x) {
			t.Fatalf("len %d nulls %d, want %d %d", a.Len(), a.NullN(), n, vec.NullCount(x))
		}
		for i := range n {
			null, _ := vec.IsNull(x, i)
			want, _ := vec.Get[float64](x, i)
			if a.IsNull(i) != null || !null && a.Value(i) != want {
				t.Fatalf("row %d: null %v value %v; want %v %v", i, a.IsNull(i), a.Value(i), null, want)
			}
		}
		a.Release()
	}
	// A STR slice: views and pool shared, offset into the parent.
	strs := must(vec.FromStrings([]string{"a", strings.Repeat("long", 5), "c", strings.Repeat("x", 20)}))
	defer cow.Release(&strs)
	if err := vec.SetNull(&strs, 2, true); err != nil {
		t.Fatal(err)
	}
	ss := must(vec.Slice(strs, 1, 3))
	defer cow.Release(&ss)
	sa := export(t, ss).(*array.StringView)
	if sa.Len() != 3 || sa.Value(0) != strings.Repeat("long", 5) || !sa.IsNull(1) || sa.Value(2) != strings.Repeat("x", 20) {
		t.Errorf("STR slice exports as %v", sa)
	}
	sa.Release()
}

// The block lives until both sides are done, in either order, on any
// goroutine; then the live-block count is back where it started.
func TestExportLifetime(t *testing.T) {
	heaptest.Check(t)
	start := heap.LiveBlocks()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				v := must(vec.FromStrings([]string{"x", strings.Repeat("y", 30)}))
				if err := vec.SetNull(&v, 0, true); err != nil {
					t.Error(err)
					return
				}
				a, err := Export(v)
				if err != nil {
					t.Error(err)
					return
				}
				if (g+i)%2 == 0 {
					cow.Release(&v)
					a.Release()
				} else {
					done := make(chan bool)
					go func() { a.Release(); done <- true }()
					<-done
					cow.Release(&v)
				}
			}
		}()
	}
	wg.Wait()
	runtime.GC()
	if got := heap.LiveBlocks(); got != start {
		t.Errorf("%d live blocks after every export was released, %d before", got, start)
	}
}

func TestExportRecord(t *testing.T) {
	heaptest.Check(t)
	tb := tableOf(t,
		column{"id", must(vec.FromSlice(value.I64, []int64{1, 2}))},
		column{"name", must(vec.FromStrings([]string{"one", "two"}))})
	defer cow.Release(&tb)
	rec, err := ExportRecord(tb)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if rec.NumRows() != 2 || rec.NumCols() != 2 || rec.ColumnName(1) != "name" || rec.Column(1).(*array.StringView).Value(1) != "two" {
		t.Errorf("record: %v", rec)
	}
}

// A SYM column much shorter than the symbol table exports with a
// dictionary of its own symbols; a long one shares the table's. Both read
// back the same names and nulls, sliced or not.
func TestSymExportDictionaries(t *testing.T) {
	heaptest.Check(t)
	for i := range 2000 {
		if _, err := value.Intern(fmt.Sprintf("rayarrow.compact.%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	check := func(v value.V, wantIndex arrow.DataType, wantDict int) {
		t.Helper()
		arr, err := Export(v)
		if err != nil {
			t.Fatal(err)
		}
		defer arr.Release()
		d := arr.(*array.Dictionary)
		if !arrow.TypeEqual(d.DataType().(*arrow.DictionaryType).IndexType, wantIndex) {
			t.Errorf("indices are %v, want %v", d.DataType().(*arrow.DictionaryType).IndexType, wantIndex)
		}
		if wantDict >= 0 && d.Dictionary().Len() != wantDict {
			t.Errorf("a dictionary of %d names, want %d", d.Dictionary().Len(), wantDict)
		}
		names := d.Dictionary().(*array.String)
		for i := range int(v.Len()) {
			null, _ := vec.IsNull(v, i)
			if d.IsNull(i) != null {
				t.Fatalf("row %d: null %v, want %v", i, d.IsNull(i), null)
			}
			if null {
				continue
			}
			want, _ := vec.GetSym(v, i)
			if got := names.Value(d.GetValueIndex(i)); got != want {
				t.Fatalf("row %d exports as %q, want %q", i, got, want)
			}
		}
		back, err := Import(arr)
		if err != nil {
			t.Fatal(err)
		}
		defer cow.Release(&back)
		for i := range int(v.Len()) {
			a, _ := vec.GetSym(v, i)
			b, _ := vec.GetSym(back, i)
			if na, _ := vec.IsNull(v, i); !na && a != b {
				t.Fatalf("row %d imports as %q, want %q", i, b, a)
			}
		}
	}
	short := must(vec.FromSyms([]string{"rayarrow.compact.7", "rayarrow.compact.1999", "rayarrow.compact.7", "rayarrow.compact.3"}))
	defer cow.Release(&short)
	if err := vec.SetNull(&short, 3, true); err != nil {
		t.Fatal(err)
	}
	check(short, arrow.PrimitiveTypes.Int32, 2)
	s, err := vec.Slice(short, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&s)
	check(s, arrow.PrimitiveTypes.Int32, 2)

	names := make([]string, value.SymCount()/2)
	for i := range names {
		names[i] = fmt.Sprintf("rayarrow.compact.%d", i%2000)
	}
	long := must(vec.FromSyms(names))
	defer cow.Release(&long)
	w, _ := attrs.SymWidth(long)
	check(long, map[int]arrow.DataType{1: arrow.PrimitiveTypes.Uint8, 2: arrow.PrimitiveTypes.Uint16, 4: arrow.PrimitiveTypes.Uint32, 8: arrow.PrimitiveTypes.Int64}[w], int(value.SymCount()))
}
