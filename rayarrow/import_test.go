package rayarrow

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// rows renders every row of a raygo vector, nulls included, for comparison.
func rows(t *testing.T, v value.V) []string {
	t.Helper()
	out := make([]string, v.Len())
	for i := range out {
		if null, _ := vec.IsNull(v, i); null {
			out[i] = "null"
			continue
		}
		a, err := vec.RowAtom(v, i)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = a.String()
		cow.Release(&a)
	}
	return out
}

// TestRoundTrip exports every type, with nulls, as slices and empty, and
// imports it back.
func TestRoundTrip(t *testing.T) {
	heaptest.Check(t)
	long := strings.Repeat("z", 30)
	vs := []value.V{
		must(vec.FromSlice(value.Bool, []bool{true, false, true, true})),
		must(vec.FromSlice(value.U8, []uint8{1, 2, 3, 4})),
		must(vec.FromSlice(value.I16, []int16{-1, 2, -3, 4})),
		must(vec.FromSlice(value.I32, []int32{-1, 2, -3, 4})),
		must(vec.FromSlice(value.I64, []int64{-1, 2, -3, 4})),
		must(vec.FromSlice(value.F32, []float32{1.5, 2, 3, 4})),
		must(vec.FromSlice(value.F64, []float64{1.5, 2, 3, 4})),
		must(vec.FromSlice(value.Date, []int32{-1, 0, 20784, 4})),
		must(vec.FromSlice(value.Time, []int32{0, 1, 45015250, 4})),
		must(vec.FromSlice(value.Timestamp, []int64{-1, 0, 1 << 60, 4})),
		must(vec.FromSlice(value.GUID, [][16]byte{{1}, {2}, {3}, {4}})),
		must(vec.FromStrings([]string{"a", long, "", long + "!"})),
		must(vec.FromSyms([]string{"rt.a", "rt.b", "rt.a", "rt.c"})),
	}
	for i := range vs {
		if err := vec.SetNull(&vs[i], 2, true); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range vs {
		for _, view := range []struct{ off, n int }{{0, 4}, {1, 3}, {2, 0}} {
			s := must(vec.Slice(v, view.off, view.n))
			a := export(t, s)
			back, err := Import(a)
			if err != nil {
				t.Fatalf("%v: %v", v.Type(), err)
			}
			if back.Type() != v.Type() {
				t.Errorf("%v came back as %v", v.Type(), back.Type())
			}
			if got, want := rows(t, back), rows(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%v rows [%d,+%d): %v, want %v", v.Type(), view.off, view.n, got, want)
			}
			a.Release()
			cow.Release(&back)
			cow.Release(&s)
		}
	}
	for i := range vs {
		cow.Release(&vs[i])
	}
}

func TestImportFromArrowBuilders(t *testing.T) {
	heaptest.Check(t)
	mem := memory.NewGoAllocator()
	check := func(a arrow.Array, typ value.Type, want string) {
		t.Helper()
		defer a.Release()
		v, err := Import(a)
		if err != nil {
			t.Fatalf("%v: %v", a.DataType(), err)
		}
		defer cow.Release(&v)
		if v.Type() != typ || fmt.Sprint(rows(t, v)) != want {
			t.Errorf("%v imports as %v %v, want %v %s", a.DataType(), v.Type(), rows(t, v), typ, want)
		}
	}
	sb := array.NewStringBuilder(mem)
	sb.AppendValues([]string{"x", "a longer string value"}, nil)
	sb.AppendNull()
	check(sb.NewArray(), value.Str, `["x" "a longer string value" null]`)
	sb.Release()

	lb := array.NewLargeStringBuilder(mem)
	lb.Append("large")
	check(lb.NewArray(), value.Str, `["large"]`)
	lb.Release()

	bb := array.NewBinaryBuilder(mem, arrow.BinaryTypes.Binary)
	bb.Append([]byte{0, 1})
	check(bb.NewArray(), value.Str, `["\x00\x01"]`)
	bb.Release()

	for _, unit := range []arrow.TimeUnit{arrow.Second, arrow.Millisecond, arrow.Microsecond, arrow.Nanosecond} {
		tb := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: unit, TimeZone: "America/New_York"})
		tb.Append(arrow.Timestamp(1))
		want := map[arrow.TimeUnit]string{arrow.Second: "1970-01-01T00:00:01Z", arrow.Millisecond: "1970-01-01T00:00:00.001Z",
			arrow.Microsecond: "1970-01-01T00:00:00.000001Z", arrow.Nanosecond: "1970-01-01T00:00:00.000000001Z"}[unit]
		check(tb.NewArray(), value.Timestamp, "["+want+"]")
		tb.Release()
	}
	over := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Second})
	over.Append(arrow.Timestamp(1 << 40))
	oa := over.NewArray()
	if _, err := Import(oa); !errors.Is(err, ray.ErrRange) {
		t.Errorf("a timestamp past 2262: %v", err)
	}
	oa.Release()
	over.Release()

	d64 := array.NewDate64Builder(mem)
	d64.Append(arrow.Date64(-1)) // one ms before 1970: 1969-12-31
	check(d64.NewArray(), value.Date, "[1969-12-31]")
	d64.Release()

	t64 := array.NewTime64Builder(mem, arrow.FixedWidthTypes.Time64us.(*arrow.Time64Type))
	t64.Append(arrow.Time64(45015250123))
	check(t64.NewArray(), value.Time, "[12:30:15.250]")
	t64.Release()

	for _, it := range []arrow.DataType{arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Int64} {
		db := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: it, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder)
		for _, s := range []string{"d.x", "d.y", "d.x"} {
			if err := db.AppendString(s); err != nil {
				t.Fatal(err)
			}
		}
		db.AppendNull()
		check(db.NewArray(), value.Sym, "[`d.x `d.y `d.x null]")
		db.Release()
	}

	ib := array.NewMonthIntervalBuilder(mem)
	ib.Append(1)
	ia := ib.NewArray()
	if _, err := Import(ia); !errors.Is(err, ray.ErrNYI) || !strings.Contains(err.Error(), "month_interval") {
		t.Errorf("importing an interval: %v", err)
	}
	ia.Release()
	ib.Release()
}

func TestRecordRoundTrip(t *testing.T) {
	heaptest.Check(t)
	tb := tableOf(t,
		column{"id", must(vec.FromSlice(value.I64, []int64{1, 2}))},
		column{"sym", must(vec.FromSyms([]string{"rec.a", "rec.b"}))})
	defer cow.Release(&tb)
	rec, err := ExportRecord(tb)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ImportRecord(rec)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&back)
	if fmt.Sprint(vec.Schema(back)) != fmt.Sprint(vec.Schema(tb)) {
		t.Errorf("schema %v, want %v", vec.Schema(back), vec.Schema(tb))
	}
	_, col, _ := vec.ColumnByName(back, "sym")
	if got := rows(t, col); fmt.Sprint(got) != "[`rec.a `rec.b]" {
		t.Errorf("sym column %v", got)
	}
}

func TestListRoundTrip(t *testing.T) {
	heaptest.Check(t)
	a := must(vec.FromSlice(value.I64, []int64{1, 2}))
	b := must(vec.FromSlice(value.I64, []int64{}))
	c := must(vec.FromSlice(value.I64, []int64{3, 4, 5}))
	if err := vec.SetNull(&c, 1, true); err != nil {
		t.Fatal(err)
	}
	l := must(vec.ListOf(a, b, c))
	for _, x := range []*value.V{&a, &b, &c} {
		cow.Release(x)
	}
	defer cow.Release(&l)
	arr := export(t, l)
	if arr.String() != "[[1 2] [] [3 (null) 5]]" {
		t.Errorf("LIST exports as %s", arr)
	}
	back, err := Import(arr)
	arr.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&back)
	if back.Type() != value.List || back.Len() != 3 {
		t.Fatalf("came back as %v of %d", back.Type(), back.Len())
	}
	item, _ := vec.ListGet(back, 2)
	if fmt.Sprint(rows(t, item)) != "[3 null 5]" {
		t.Errorf("item 2 = %v", rows(t, item))
	}
	atom := must(value.NewI64(1))
	mixed := must(vec.ListOf(atom))
	cow.Release(&atom)
	defer cow.Release(&mixed)
	if _, err := Export(mixed); !errors.Is(err, ray.ErrNYI) {
		t.Errorf("exporting a LIST of atoms: %v", err)
	}
}
