package vec

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"unsafe"

	"github.com/raygo/ray/internal/layout"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
)

// Writes must never reach a block another owner holds, must keep what the
// value is (a link), and must not read a source that the write itself
// moves or frees. A read of a freed block usually still finds the old
// bytes; under the raydebug build tag (which CI runs) freed blocks are
// poisoned, so the aliasing tests below see such a read.

func TestAppenderCopiesWhenAnotherOwnerAppears(t *testing.T) {
	heaptest.Check(t)
	v := must(FromSlice(value.I64, []int64{1, 2, 3}))
	defer cow.Release(&v)
	a, err := NewAppender[int64](&v)
	if err != nil {
		t.Fatal(err)
	}
	w := cow.Retain(v)
	defer cow.Release(&w)
	for i := range 100 { // past the block's room too
		if err := a.Append(int64(10 + i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := elems[int64](t, w); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Errorf("the other owner's vector became %v", got[:min(len(got), 8)])
	}
	if v.Len() != 103 || a.Len() != 103 {
		t.Errorf("appended vector has %d rows, Appender says %d", v.Len(), a.Len())
	}
	if x, _ := Get[int64](v, 102); x != 109 {
		t.Errorf("last row %d", x)
	}
}

func TestAppenderSeesOtherWrites(t *testing.T) {
	heaptest.Check(t)
	v := must(New(value.I64, 16))
	defer cow.Release(&v)
	a, err := NewAppender[int64](&v)
	if err != nil {
		t.Fatal(err)
	}
	_ = a.Append(1)
	if err := Append(&v, int64(2)); err != nil { // beside the Appender
		t.Fatal(err)
	}
	_ = a.Append(3)
	s := must(Slice(v, 0, 1))
	cow.Release(&v) // the handle is replaced: v now holds the slice's copy
	v = s
	if err := a.Append(4); err != nil { // appends to what v is now
		t.Fatal(err)
	}
	if got := elems[int64](t, v); !slices.Equal(got, []int64{1, 4}) {
		t.Errorf("rows %v, want [1 4]", got)
	}
}

// linkTarget binds a one-column table for link tests and returns its name.
func linkTarget(t *testing.T) string {
	t.Helper()
	tbl := must(NewTable())
	f := must(FromSlice(value.I64, []int64{10, 20, 30}))
	if err := AddColumn(&tbl, "f", f); err != nil {
		t.Fatal(err)
	}
	cow.Release(&f)
	if err := Bind("ownership.target", tbl); err != nil {
		t.Fatal(err)
	}
	cow.Release(&tbl)
	t.Cleanup(func() { Unbind("ownership.target") })
	return "ownership.target"
}

func TestEveryCopyOfALinkedColumnKeepsItsLink(t *testing.T) {
	heaptest.Check(t)
	target := linkTarget(t)
	l := must(FromSlice(value.I64, []int64{0, 1, 2, 1}))
	defer cow.Release(&l)
	if err := Link(&l, target); err != nil {
		t.Fatal(err)
	}
	check := func(what string, v value.V, want []int64) {
		t.Helper()
		d, err := Deref(v, "f")
		if err != nil {
			t.Errorf("%s: Deref: %v", what, err)
			return
		}
		defer cow.Release(&d)
		if got := elems[int64](t, d); !slices.Equal(got, want) {
			t.Errorf("%s: Deref = %v, want %v", what, got, want)
		}
	}
	// Append to a shared column: the write copies it.
	w := cow.Retain(l)
	if err := Append(&w, int64(2)); err != nil {
		t.Fatal(err)
	}
	check("append to a shared column", w, []int64{10, 20, 30, 20, 30})
	cow.Release(&w)
	// Set on a slice materialises it.
	s := must(Slice(l, 1, 2))
	if err := Set(&s, 0, int64(0)); err != nil {
		t.Fatal(err)
	}
	check("set on a slice", s, []int64{10, 30})
	cow.Release(&s)
	// SetNull on a column taken from a table.
	tbl := must(NewTable())
	defer cow.Release(&tbl)
	if err := AddColumn(&tbl, "ref", l); err != nil {
		t.Fatal(err)
	}
	_, col, _ := ColumnAt(tbl, 0)
	col = cow.Retain(col)
	if err := SetNull(&col, 0, true); err != nil {
		t.Fatal(err)
	}
	d := must(Deref(col, "f"))
	if null, _ := IsNull(d, 0); !null {
		t.Error("set null on a table's column: row 0 not null through the link")
	}
	cow.Release(&d)
	cow.Release(&col)
	// Concatenating two columns of one link.
	c := must(Concat(l, l))
	check("concat", c, []int64{10, 20, 30, 20, 10, 20, 30, 20})
	cow.Release(&c)
	check("the original", l, []int64{10, 20, 30, 20})
}

func TestListAppendOfItselfHoldsTheOldList(t *testing.T) {
	heaptest.Check(t)
	one := must(value.NewI64(1))
	defer cow.Release(&one)
	for _, room := range []int{0, 8} { // growing, and with room in place
		l := must(NewList(room))
		if err := ListAppend(&l, one); err != nil {
			t.Fatal(err)
		}
		old := l
		if err := ListAppend(&l, l); err != nil {
			t.Fatalf("room %d: %v", room, err)
		}
		if l == old {
			t.Fatalf("room %d: the list was not copied", room)
		}
		if l.Len() != 2 {
			t.Fatalf("room %d: %d items", room, l.Len())
		}
		inner, _ := ListGet(l, 1)
		if inner != old || inner.Len() != 1 || layout.RC(inner) != 1 {
			t.Errorf("room %d: item 1 is %v with %d items, rc %d; want the old one-item list", room, inner.Type(), inner.Len(), layout.RC(inner))
		}
		// ListSet of the list into itself, likewise.
		if err := ListSet(&l, 0, l); err != nil {
			t.Fatal(err)
		}
		first, _ := ListGet(l, 0)
		if first == l || first.Len() != 2 {
			t.Errorf("room %d: ListSet made item 0 %v with %d items", room, first.Type(), first.Len())
		}
		cow.Release(&l) // frees everything: heaptest finds any cycle as a leak
	}
}

func TestDictSetOfItselfHoldsTheOldDict(t *testing.T) {
	heaptest.Check(t)
	keys := must(FromSlice(value.I64, []int64{1}))
	vals := must(ListOf(value.NullValue()))
	d := must(NewDict(keys, vals))
	cow.Release(&keys)
	cow.Release(&vals)
	k := must(value.NewI64(2))
	defer cow.Release(&k)
	if err := DictSet(&d, k, d); err != nil {
		t.Fatal(err)
	}
	got, ok, err := DictGet(d, k)
	if err != nil || !ok || got == d || got.Type() != value.Dict || DictKeys(got).Len() != 1 {
		t.Errorf("DictGet after setting the DICT into itself: %v %v", ok, err)
	}
	cow.Release(&got)
	cow.Release(&d)
}

func TestAppendSliceOfItsOwnRows(t *testing.T) {
	heaptest.Check(t)
	for _, n := range []int{3, 100, 5000} {
		v := must(New(value.I64, n))
		want := make([]int64, n)
		for i := range want {
			want[i] = int64(i * 7)
		}
		if err := AppendSlice(&v, want); err != nil {
			t.Fatal(err)
		}
		own := elems[int64](t, v)
		if err := AppendSlice(&v, own); err != nil { // must grow: the block moves
			t.Fatal(err)
		}
		if got := elems[int64](t, v); !slices.Equal(got, append(slices.Clone(want), want...)) {
			t.Errorf("%d rows: appended rows differ from the originals", n)
		}
		// A slice of v appended to v, through a second owner: v is copied.
		w := cow.Retain(v)
		s := must(Slice(w, 1, n))
		rows := elems[int64](t, s)
		cow.Release(&w)
		if err := AppendSlice(&s, rows); err != nil { // materialises s, releasing its parent's hold
			t.Fatal(err)
		}
		rowsWant := append(slices.Clone(want[1:]), want[0])
		if got := elems[int64](t, s); !slices.Equal(got, append(slices.Clone(rowsWant), rowsWant...)) {
			t.Errorf("%d rows: a slice appended to itself differs", n)
		}
		cow.Release(&s)
		cow.Release(&v)
	}
}

func TestAppendStrOfItsOwnString(t *testing.T) {
	heaptest.Check(t)
	long := "a string long enough to live in the pool"
	v := must(FromStrings([]string{long}))
	defer cow.Release(&v)
	for range 12 { // the pool doubles several times
		b, err := StrView(v, int(v.Len())-1)
		if err != nil {
			t.Fatal(err)
		}
		if err := AppendStr(&v, unsafe.String(unsafe.SliceData(b), len(b))); err != nil {
			t.Fatal(err)
		}
		b, _ = StrView(v, 0)
		if err := SetStr(&v, 0, unsafe.String(unsafe.SliceData(b), len(b))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range int(v.Len()) {
		if s, _ := GetStr(v, i); s != long {
			t.Fatalf("row %d = %q", i, s)
		}
	}
}

func TestAddColumnRefusesBadNames(t *testing.T) {
	heaptest.Check(t)
	tbl := must(NewTable())
	defer cow.Release(&tbl)
	col := must(FromSlice(value.I64, []int64{1}))
	defer cow.Release(&col)
	long := string(make([]byte, value.MaxSymLen+1))
	for _, name := range []string{"", "\xff\xfe", long} {
		if err := AddColumn(&tbl, name, col); !errors.Is(err, ray.ErrName) {
			t.Errorf("AddColumn(%.10q): %v, want ErrName", name, err)
		}
	}
	if NumCols(tbl) != 0 {
		t.Errorf("the table has %d columns", NumCols(tbl))
	}
}

func TestBoolRowsReadAlike(t *testing.T) {
	heaptest.Check(t)
	v := must(FromSlice(value.Bool, []bool{false, true, false}))
	defer cow.Release(&v)
	b := elems[bool](t, v)
	*(*uint8)(unsafe.Pointer(&b[2])) = 2 // a mapped file changed in place could hold this
	g, _ := Get[bool](v, 2)
	a := must(RowAtom(v, 2))
	defer cow.Release(&a)
	ab, _ := value.AsBool(a)
	if g != true || ab != true {
		t.Errorf("a BOOL byte of 2: Get %v, RowAtom %v; want both true", g, ab)
	}
}

func TestZeroAndWrongArguments(t *testing.T) {
	heaptest.Check(t)
	i64 := must(FromSlice(value.I64, []int64{7, 8}))
	defer cow.Release(&i64)
	if Cap(value.V{}) != 0 {
		t.Error("Cap of no value")
	}
	for _, v := range []value.V{{}, i64} {
		if !DictKeys(v).IsZero() || !DictValues(v).IsZero() {
			t.Errorf("DictKeys/DictValues of %v are not no value", v.TypeName())
		}
	}
}

func TestIteratorsSurviveWritesInTheirLoop(t *testing.T) {
	heaptest.Check(t)
	v := must(FromSlice(value.I64, []int64{1, 2, 3}))
	defer cow.Release(&v)
	seq, err := All[int64](v)
	if err != nil {
		t.Fatal(err)
	}
	var seen []int64
	for _, x := range seq {
		seen = append(seen, x)
		for range 64 { // grows v many times over: its old block must stay readable
			if err := Append(&v, x); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !slices.Equal(seen, []int64{1, 2, 3}) || v.Len() != 3+3*64 {
		t.Errorf("iterated %v; v has %d rows", seen, v.Len())
	}
	s := must(FromStrings([]string{"first string, long enough for the pool", "second string, long enough too"}))
	defer cow.Release(&s)
	strs, _ := AllStr(s)
	var got []string
	for _, b := range strs {
		got = append(got, string(b))
		if err := CompactStr(&s); err != nil { // replaces the pool the loop reads
			t.Fatal(err)
		}
		for range 32 {
			if err := AppendStr(&s, "another string long enough for the pool"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got[1] != "second string, long enough too" {
		t.Errorf("AllStr read %q after writes in its loop", got[1])
	}
}

func TestSymIDsAndNullBitsViewInBulk(t *testing.T) {
	heaptest.Check(t)
	names := make([]string, 300)
	for i := range names {
		names[i] = fmt.Sprintf("bulk.%d", i%7)
	}
	v := must(FromSyms(names))
	defer cow.Release(&v)
	s := must(Slice(v, 5, 200))
	defer cow.Release(&s)
	dst := make([]int64, 64)
	for from := 0; from < 200; from += 64 {
		n, err := SymIDs(dst, s, from)
		if err != nil || n != min(64, 200-from) {
			t.Fatalf("SymIDs from %d: %d, %v", from, n, err)
		}
		for i := range n {
			if want, _ := GetSymID(s, from+i); dst[i] != want {
				t.Fatalf("row %d: id %d, want %d", from+i, dst[i], want)
			}
		}
	}
	if _, err := SymIDs(dst, s, 201); !errors.Is(err, ray.ErrRange) {
		t.Errorf("SymIDs past the end: %v", err)
	}
	if err := SetNull(&v, 70, true); err != nil {
		t.Fatal(err)
	}
	bits, off := NullBits(v)
	if j := off + 70; bits == nil || bits[j>>3]>>(j&7)&1 != 1 || NullCount(v) != 1 {
		t.Errorf("NullBits: %v at %d", bits, off)
	}
}

func TestZeros(t *testing.T) {
	heaptest.Check(t)
	v := must(Zeros(value.F64, 1000))
	defer cow.Release(&v)
	for i, x := range elems[float64](t, v) {
		if x != 0 {
			t.Fatalf("row %d = %v", i, x)
		}
	}
	if _, err := Zeros(value.Str, 3); !errors.Is(err, ray.ErrType) {
		t.Errorf("Zeros of STR: %v", err)
	}
	if _, err := Zeros(value.I64, -1); !errors.Is(err, ray.ErrRange) {
		t.Errorf("Zeros of -1 rows: %v", err)
	}
}
