package rayarrow

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/parquet/metadata"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// writeTable is a table of every type the native writer takes, n rows,
// nulls in every column, a column that is a slice of a longer one.
func writeTable(t testing.TB, n int) value.V {
	t.Helper()
	f64 := seq(n, func(i int) float64 { return float64(i)/7 - 3 })
	if n > 5 {
		f64[5] = math.NaN()
	}
	long := must(vec.FromSlice(value.I64, seq(n+10, func(i int) int64 { return int64(i) * -7919 })))
	defer cow.Release(&long)
	cols := []column{
		{"b", must(vec.FromSlice(value.Bool, seq(n, func(i int) bool { return i%3 == 0 })))},
		{"u8", must(vec.FromSlice(value.U8, seq(n, func(i int) uint8 { return uint8(i) })))},
		{"i16", must(vec.FromSlice(value.I16, seq(n, func(i int) int16 { return int16(i*37 - 20000) })))},
		{"i32", must(vec.FromSlice(value.I32, seq(n, func(i int) int32 { return int32(i * -100003) })))},
		{"i64", must(vec.Slice(long, 10, n))},
		{"f32", must(vec.FromSlice(value.F32, seq(n, func(i int) float32 { return float32(i) * 0.5 })))},
		{"f64", must(vec.FromSlice(value.F64, f64))},
		{"day", must(vec.FromSlice(value.Date, seq(n, func(i int) int32 { return int32(i - 500) })))},
		{"tod", must(vec.FromSlice(value.Time, seq(n, func(i int) int32 { return int32(i * 1000 % 86_400_000) })))},
		{"ts", must(vec.FromSlice(value.Timestamp, seq(n, func(i int) int64 { return int64(i) * 1_000_000_007 })))},
		{"guid", must(vec.FromSlice(value.GUID, seq(n, func(i int) [16]byte { var g [16]byte; g[0], g[15] = byte(i), byte(i>>8); return g })))},
		{"s", must(vec.FromStringsFunc(n, func(i int) string { return fmt.Sprintf("%d%s", i, strings.Repeat("x", i%25)) }))},
		{"sym", must(vec.FromSyms(seq(n, func(i int) string { return fmt.Sprintf("w.sym%d", i%37) })))},
		// Few distinct values: dictionary-encoded.
		{"cat", must(vec.FromStringsFunc(n, func(i int) string { return []string{"a", "bb", "a string of more than twelve bytes"}[i%3] }))},
		{"qty", must(vec.FromSlice(value.I64, seq(n, func(i int) int64 { return int64(i%10) * 100 })))},
		{"px", must(vec.FromSlice(value.F32, seq(n, func(i int) float32 { return float32(i%4) / 2 })))},
	}
	for i := range cols {
		for r := 2; r < n; r += 11 + i {
			if err := vec.SetNull(&cols[i].v, r, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	return tableOf(t, cols...)
}

// TestWriteParquetRoundTrips writes tables of every type with nulls (and a
// sliced column, and no rows) every way the writer can, and reads them
// back with the native reader and through Arrow Go: the same table, cell
// by cell, SYM as SYM.
func TestWriteParquetRoundTrips(t *testing.T) {
	heaptest.Check(t)
	for _, n := range []int{0, 1, 1000} {
		tb := writeTable(t, n)
		for _, opts := range [][]WriteOption{
			nil,
			{WithParquetCodec(ParquetSnappy, 0), RowGroupRows(300), PageBytes(500)},
			{WithParquetCodec(ParquetUncompressed, 0), RowGroupRows(7)},
			{WithParquetCodec(ParquetZstd, 19), KeyValue("k", "v")},
			{ColumnDictionary(false)},
			{ColumnDictionary(false, "sym", "cat", "qty"), RowGroupRows(250)},
		} {
			var buf bytes.Buffer
			if err := WriteParquetTo(&buf, tb, opts...); err != nil {
				t.Fatal(err)
			}
			native, viaArrow, errN, errA := readBoth(buf.Bytes())
			if errN != nil || errA != nil {
				t.Fatalf("%d rows, %d options: native %v, Arrow %v", n, len(opts), errN, errA)
			}
			if d := tableDiff(native, tb); d != "" {
				t.Errorf("%d rows, %d options, native: %s", n, len(opts), d)
			}
			if d := tableDiff(viaArrow, tb); d != "" {
				t.Errorf("%d rows, %d options, Arrow Go: %s", n, len(opts), d)
			}
			checked(t, native, viaArrow)
			cow.Release(&native)
			cow.Release(&viaArrow)
		}
		cow.Release(&tb)
	}
}

// TestWriteParquetStatistics: each chunk's min, max and null count are its
// rows' (read back through Arrow Go's metadata), and RowGroupsInRange
// skips by them.
func TestWriteParquetStatistics(t *testing.T) {
	heaptest.Check(t)
	tb := writeTable(t, 1000)
	defer cow.Release(&tb)
	var buf bytes.Buffer
	if err := WriteParquetTo(&buf, tb, RowGroupRows(100)); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	f, err := openParquet(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	_, i32, _ := vec.ColumnByName(tb, "i32")
	_, s, _ := vec.ColumnByName(tb, "s")
	for g := range f.rdr.NumRowGroups() {
		rg := f.rdr.MetaData().RowGroup(g)
		for _, c := range []struct {
			col  int
			v    value.V
			less func(a, b string) bool
		}{{3, i32, func(a, b string) bool { return atoi(a) < atoi(b) }}, {11, s, func(a, b string) bool { return a < b }}} {
			var lo, hi string
			nulls := int64(0)
			for r := g * 100; r < (g+1)*100; r++ {
				x := cell(c.v, r)
				if x == "null" {
					nulls++
					continue
				}
				x = strings.Trim(x, `"`)
				if lo == "" || c.less(x, lo) {
					lo = x
				}
				if hi == "" || c.less(hi, x) {
					hi = x
				}
			}
			cc, err := rg.ColumnChunk(c.col)
			if err != nil {
				t.Fatal(err)
			}
			st, err := cc.Statistics()
			if err != nil || st == nil || !st.HasMinMax() {
				t.Fatalf("group %d column %d: no statistics (%v)", g, c.col, err)
			}
			min, max := fmt.Sprint(statValue(st, true)), fmt.Sprint(statValue(st, false))
			if min != lo || max != hi || st.NullCount() != nulls {
				t.Errorf("group %d column %d: [%s, %s] %d nulls, want [%s, %s] %d", g, c.col, min, max, st.NullCount(), lo, hi, nulls)
			}
		}
	}
	// Row groups 3 and 4 hold the i32 values in [-49 * 100003, -35 * 100003].
	v, err := ReadParquetFrom(bytes.NewReader(b), int64(len(b)), RowGroupsInRange("i32", -449*100003, -350*100003), Columns("i32"))
	if err != nil {
		t.Fatal(err)
	}
	if vec.NumRows(v) != 200 {
		t.Errorf("RowGroupsInRange kept %d rows, want 200", vec.NumRows(v))
	}
	cow.Release(&v)
}

func atoi(s string) int64 {
	var x int64
	fmt.Sscan(s, &x)
	return x
}

// statValue is a statistic's min or max as text.
func statValue(st metadata.TypedStatistics, min bool) any {
	switch st := st.(type) {
	case *metadata.Int32Statistics:
		if min {
			return st.Min()
		}
		return st.Max()
	case *metadata.ByteArrayStatistics:
		if min {
			return string(st.Min())
		}
		return string(st.Max())
	}
	return nil
}

// TestWriteParquetRefuses: what is not a table, and options out of range,
// are refused with their kinds, writing nothing.
func TestWriteParquetRefuses(t *testing.T) {
	heaptest.Check(t)
	tb := writeTable(t, 10)
	defer cow.Release(&tb)
	i64 := must(vec.FromSlice(value.I64, []int64{1}))
	defer cow.Release(&i64)
	for _, c := range []struct {
		t    value.V
		opts []WriteOption
		kind error
	}{
		{i64, nil, ray.ErrType},
		{value.V{}, nil, ray.ErrType},
		{tb, []WriteOption{RowGroupRows(0)}, ray.ErrDomain},
		{tb, []WriteOption{PageBytes(2 << 30)}, ray.ErrDomain},
		{tb, []WriteOption{WithParquetCodec(ParquetCodec(9), 0)}, ray.ErrDomain},
	} {
		var buf bytes.Buffer
		if err := WriteParquetTo(&buf, c.t, c.opts...); !errors.Is(err, c.kind) || buf.Len() != 0 {
			t.Errorf("want %v and nothing written, have %v and %d bytes", c.kind, err, buf.Len())
		}
	}
}

// ColumnDictionary(false) writes the columns it names without a dictionary
// page (SYM names as strings), the others as before; the table reads back
// the same, SYM as SYM. A name of no column is ErrName.
func TestWriteParquetColumnDictionary(t *testing.T) {
	heaptest.Check(t)
	tb := writeTable(t, 1000)
	defer cow.Release(&tb)
	var buf bytes.Buffer
	if err := WriteParquetTo(&buf, tb, ColumnDictionary(false, "sym", "cat", "qty", "px"), ColumnDictionary(true, "px")); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	f, err := openParquet(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	schema := f.rdr.MetaData().Schema
	for c := range schema.NumColumns() {
		cc, err := f.rdr.MetaData().RowGroup(0).ColumnChunk(c)
		if err != nil {
			t.Fatal(err)
		}
		name := schema.Column(c).Name()
		plain := name == "sym" || name == "cat" || name == "qty"
		// px has few distinct values: a dictionary pays, and is allowed
		// again by the later option.
		if plain && cc.HasDictionaryPage() || name == "px" && !cc.HasDictionaryPage() {
			t.Errorf("column %s: dictionary page %v", name, cc.HasDictionaryPage())
		}
	}
	got, err := ReadParquetFrom(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if d := tableDiff(got, tb); d != "" {
		t.Error(d)
	}
	cow.Release(&got)
	if err := WriteParquetTo(io.Discard, tb, ColumnDictionary(false, "nope")); !errors.Is(err, ray.ErrName) {
		t.Errorf("a column that is not there: %v", err)
	}
}
