package vec

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/raygo/ray/internal/layout"

	"github.com/raygo/ray"
	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
)

// Set releases the old item and retains the new; get does
// not change reference counts.
func TestLists(t *testing.T) {
	heaptest.Check(t)
	a := must(value.NewI64(1))
	b := must(value.NewStr("two"))
	l := must(ListOf(a, b))
	if layout.RC(a) != 2 || l.Len() != 2 {
		t.Fatalf("ListOf: rc %d len %d", layout.RC(a), l.Len())
	}
	got, err := ListGet(l, 1)
	if err != nil || got != b || layout.RC(b) != 2 {
		t.Fatalf("ListGet: %v %v rc %d", got, err, layout.RC(b))
	}
	c := must(FromSlice(value.F64, []float64{3}))
	if err := ListSet(&l, 0, c); err != nil {
		t.Fatal(err)
	}
	if layout.RC(a) != 1 || layout.RC(c) != 2 {
		t.Errorf("ListSet: old rc %d, new rc %d", layout.RC(a), layout.RC(c))
	}
	// Appending to a shared list copies it and retains the items again.
	m := cow.Retain(l)
	if err := ListAppend(&m, value.NullValue()); err != nil {
		t.Fatal(err)
	}
	if l.Len() != 2 || m.Len() != 3 || layout.RC(b) != 3 {
		t.Errorf("append to a shared list: lens %d %d, item rc %d", l.Len(), m.Len(), layout.RC(b))
	}
	if err := ListAppend(&m, value.V{}); !errors.Is(err, ray.ErrType) {
		t.Errorf("appending no value: %v", err)
	}
	if _, err := ListGet(m, 3); !errors.Is(err, ray.ErrRange) {
		t.Errorf("ListGet(3): %v", err)
	}
	for _, v := range []*value.V{&a, &b, &c, &l, &m} {
		cow.Release(v)
	}
}

// Tables, and ARCHITECTURE.md D22.
func TestTables(t *testing.T) {
	heaptest.Check(t)
	tb := must(NewTable())
	defer cow.Release(&tb)
	ids := must(FromSlice(value.I64, []int64{1, 2, 3}))
	px := must(FromSlice(value.F64, []float64{1.5, 2.5, 3.5}))
	sym := must(FromSyms([]string{"a", "b", "c"}))
	defer cow.Release(&ids)
	defer cow.Release(&px)
	defer cow.Release(&sym)
	for _, c := range []struct {
		name string
		col  value.V
	}{{"id", ids}, {"px", px}, {"sym", sym}} {
		if err := AddColumn(&tb, c.name, c.col); err != nil {
			t.Fatal(err)
		}
	}
	if NumCols(tb) != 3 || NumRows(tb) != 3 || layout.RC(ids) != 2 {
		t.Fatalf("table: %d cols, %d rows, column rc %d", NumCols(tb), NumRows(tb), layout.RC(ids))
	}
	want := []Column{{"id", value.I64}, {"px", value.F64}, {"sym", value.Sym}}
	if got := Schema(tb); !slices.Equal(got, want) {
		t.Errorf("Schema = %v", got)
	}
	i, col, err := ColumnByName(tb, "px")
	if err != nil || i != 1 || col != px {
		t.Errorf("ColumnByName(px) = %d, %v, %v", i, col, err)
	}
	// Bad arguments: errors, and the table unchanged.
	short := must(FromSlice(value.I64, []int64{1}))
	defer cow.Release(&short)
	before := tb
	if err := AddColumn(&tb, "short", short); !errors.Is(err, ray.ErrLength) {
		t.Errorf("a column of the wrong length: %v", err)
	}
	if err := AddColumn(&tb, "id", ids); !errors.Is(err, ray.ErrName) {
		t.Errorf("a duplicate name: %v", err)
	}
	if err := AddColumn(&tb, "atom", value.NullValue()); !errors.Is(err, ray.ErrType) {
		t.Errorf("an atom column: %v", err)
	}
	if tb != before || NumCols(tb) != 3 {
		t.Error("a refused AddColumn changed the table")
	}
	if _, _, err := ColumnByName(tb, "nope"); !errors.Is(err, ray.ErrName) {
		t.Errorf("ColumnByName(nope): %v", err)
	}
	// Adding a column to a shared table leaves the original alone.
	other := cow.Retain(tb)
	extra := must(FromSlice(value.I32, []int32{7, 8, 9}))
	if err := AddColumn(&other, "extra", extra); err != nil {
		t.Fatal(err)
	}
	if NumCols(tb) != 3 || NumCols(other) != 4 {
		t.Errorf("shared table: %d and %d columns", NumCols(tb), NumCols(other))
	}
	cow.Release(&extra)
	cow.Release(&other)
}

// Linked columns, and ARCHITECTURE.md D20.
func TestLinkedColumns(t *testing.T) {
	heaptest.Check(t)
	target := must(NewTable())
	names := must(FromStrings([]string{"zero", "one", "two-is-a-long-name"}))
	score := must(FromSlice(value.F64, []float64{0.5, 1.5, 2.5}))
	if err := SetNull(&score, 1, true); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		n string
		v value.V
	}{{"name", names}, {"score", score}} {
		if err := AddColumn(&target, c.n, c.v); err != nil {
			t.Fatal(err)
		}
	}
	cow.Release(&names)
	cow.Release(&score)
	if err := Bind("link.test.target", target); err != nil {
		t.Fatal(err)
	}
	cow.Release(&target)
	defer Unbind("link.test.target")

	xs := make([]int64, 100)
	for i := range xs {
		xs[i] = int64(i % 4) // 3 is out of range
	}
	ref := must(FromSlice(value.I64, xs))
	defer cow.Release(&ref)
	if err := SetNull(&ref, 70, true); err != nil { // an inline null past row 64
		t.Fatal(err)
	}
	f := must(FromSlice(value.F64, []float64{1}))
	if err := Link(&f, "link.test.target"); !errors.Is(err, ray.ErrType) {
		t.Errorf("linking an F64 column: %v", err)
	}
	cow.Release(&f)
	if err := Link(&ref, "link.test.nothing"); !errors.Is(err, ray.ErrName) {
		t.Errorf("linking to an unbound name: %v", err)
	}
	if err := Link(&ref, "link.test.target"); err != nil {
		t.Fatal(err)
	}
	if !attrs.Linked(ref) || !layout.HasNullmap(ref) || !mustNull(t, ref, 70) {
		t.Errorf("after Link: attrs %v, row 70 null %v", attrs.Describe(ref), mustNull(t, ref, 70))
	}
	if name, ok := LinkTarget(ref); !ok || name != "link.test.target" {
		t.Errorf("LinkTarget = %q, %v", name, ok)
	}
	sc := must(Deref(ref, "score"))
	defer cow.Release(&sc)
	nm := must(Deref(ref, "name"))
	defer cow.Release(&nm)
	for i := range 100 {
		id := i % 4
		wantNull := id == 3 || i == 70 || id == 1
		if mustNull(t, sc, i) != wantNull {
			t.Fatalf("score row %d (link %d): null %v", i, id, !wantNull)
		}
		if !wantNull {
			if x, _ := Get[float64](sc, i); x != float64(id)+0.5 {
				t.Fatalf("score row %d = %v", i, x)
			}
		}
		nameNull := id == 3 || i == 70
		if mustNull(t, nm, i) != nameNull {
			t.Fatalf("name row %d null %v", i, !nameNull)
		}
		if !nameNull {
			if s, _ := GetStr(nm, i); s != []string{"zero", "one", "two-is-a-long-name"}[id] {
				t.Fatalf("name row %d = %q", i, s)
			}
		}
	}
	if _, err := Deref(ref, "nope"); !errors.Is(err, ray.ErrName) {
		t.Errorf("Deref of a missing field: %v", err)
	}
	if err := Unlink(&ref); err != nil || attrs.Linked(ref) || !mustNull(t, ref, 70) {
		t.Errorf("Unlink: %v", err)
	}
}

func TestEnvironmentConcurrent(t *testing.T) {
	heaptest.Check(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				if g%2 == 0 {
					v := must(value.NewI64(int64(i)))
					if err := Bind("env.test", v); err != nil {
						t.Error(err)
					}
					cow.Release(&v)
				} else if v, ok := Bound("env.test"); ok {
					if _, err := value.AsI64(v); err != nil {
						t.Error(err)
					}
					cow.Release(&v)
				}
			}
		}()
	}
	wg.Wait()
	if !Unbind("env.test") || Unbind("env.test") {
		t.Error("Unbind")
	}
	if _, ok := Bound("env.test"); ok {
		t.Error("Lookup after Unbind")
	}
}

// Concat of two tables appends b's rows to a's, column by column, and
// Slice of a table slices every column; tables whose columns differ in
// number, name or type are refused, and rows past the table are ErrRange.
func TestConcatTables(t *testing.T) {
	heaptest.Check(t)
	mk := func(names []string, xs ...[]int64) value.V {
		tb := must(NewTable())
		for i, name := range names {
			c := must(FromSlice(value.I64, xs[i]))
			if err := AddColumn(&tb, name, c); err != nil {
				t.Fatal(err)
			}
			cow.Release(&c)
		}
		return tb
	}
	a := mk([]string{"x", "y"}, []int64{1, 2}, []int64{3, 4})
	b := mk([]string{"x", "y"}, []int64{5}, []int64{6})
	c := mk([]string{"y", "x"}, []int64{5}, []int64{6})
	d := mk([]string{"x"}, []int64{5})
	defer func() {
		for _, v := range []*value.V{&a, &b, &c, &d} {
			cow.Release(v)
		}
	}()
	j := must(Concat(a, b))
	defer cow.Release(&j)
	_, x, _ := ColumnByName(j, "x")
	_, y, _ := ColumnByName(j, "y")
	if xs, _ := Elems[int64](x); fmt.Sprint(xs) != "[1 2 5]" {
		t.Errorf("x: %v", xs)
	}
	if ys, _ := Elems[int64](y); fmt.Sprint(ys) != "[3 4 6]" {
		t.Errorf("y: %v", ys)
	}
	s := must(Slice(j, 1, 2)) // rows 1 and 2 of every column
	defer cow.Release(&s)
	_, sx, _ := ColumnByName(s, "x")
	if xs, _ := Elems[int64](sx); fmt.Sprint(xs) != "[2 5]" || NumCols(s) != 2 {
		t.Errorf("a slice of the joined table: %v, %d columns", xs, NumCols(s))
	}
	if _, err := Slice(j, 2, 2); !errors.Is(err, ray.ErrRange) {
		t.Errorf("rows past the table: %v", err)
	}
	for _, bad := range []value.V{c, d} {
		if _, err := Concat(a, bad); !errors.Is(err, ray.ErrType) {
			t.Errorf("tables of other columns: %v", err)
		}
	}
}

// ConcatAll joins any number of vectors or tables in order, and refuses a
// mix, leaving nothing allocated.
func TestConcatAll(t *testing.T) {
	heaptest.Check(t)
	var vs []value.V
	var want []int64
	for i := range 7 {
		xs := []int64{int64(i), int64(i) * 10}
		vs = append(vs, must(FromSlice(value.I64, xs)))
		want = append(want, xs...)
	}
	defer func() {
		for i := range vs {
			cow.Release(&vs[i])
		}
	}()
	for n := 1; n <= len(vs); n++ {
		all := must(ConcatAll(vs[:n]...))
		if xs, _ := Elems[int64](all); fmt.Sprint(xs) != fmt.Sprint(want[:2*n]) {
			t.Errorf("%d vectors: %v", n, xs)
		}
		cow.Release(&all)
	}
	f := must(FromSlice(value.F64, []float64{1}))
	defer cow.Release(&f)
	if _, err := ConcatAll(vs[0], vs[1], f, vs[2]); !errors.Is(err, ray.ErrType) {
		t.Errorf("a mix of types: %v", err)
	}
	if _, err := ConcatAll(); !errors.Is(err, ray.ErrLength) {
		t.Errorf("nothing: %v", err)
	}
}
