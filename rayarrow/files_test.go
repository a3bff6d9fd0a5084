package rayarrow

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// column is a named column for tableOf.
type column struct {
	name string
	v    value.V
}

// tableOf returns a table of cols, taking over the caller's references to
// their vectors.
func tableOf(t testing.TB, cols ...column) value.V {
	t.Helper()
	tb := must(vec.NewTable())
	for _, c := range cols {
		if err := vec.AddColumn(&tb, c.name, c.v); err != nil {
			t.Fatal(err)
		}
		cow.Release(&c.v)
	}
	return tb
}

// sampleTable is a table of every kind of column, with nulls.
func sampleTable(t testing.TB) value.V {
	t.Helper()
	cols := []column{
		{"id", must(vec.FromSlice(value.I64, []int64{1, 2, 3}))},
		{"px", must(vec.FromSlice(value.F64, []float64{1.5, 2.5, 3.5}))},
		{"ok", must(vec.FromSlice(value.Bool, []bool{true, false, true}))},
		{"day", must(vec.FromSlice(value.Date, []int32{20784, 0, -1}))},
		{"at", must(vec.FromSlice(value.Timestamp, []int64{1, 2, 3}))},
		{"name", must(vec.FromStrings([]string{"a", strings.Repeat("long", 4), "c"}))},
		{"sym", must(vec.FromSyms([]string{"f.x", "f.y", "f.x"}))},
	}
	for i := range cols {
		if err := vec.SetNull(&cols[i].v, 1, true); err != nil {
			t.Fatal(err)
		}
	}
	return tableOf(t, cols...)
}

// tableRows renders a table column by column.
func tableRows(t *testing.T, tb value.V) string {
	var sb strings.Builder
	for i := range vec.NumCols(tb) {
		name, col, _ := vec.ColumnAt(tb, i)
		fmt.Fprintf(&sb, "%s:%v ", name, rows(t, col))
	}
	return sb.String()
}

func TestIPCRoundTrip(t *testing.T) {
	heaptest.Check(t)
	tb := sampleTable(t)
	defer cow.Release(&tb)
	want := tableRows(t, tb)
	for _, c := range []Compression{Uncompressed, LZ4, Zstd} {
		var buf bytes.Buffer
		if err := WriteIPCStream(&buf, c, tb, tb); err != nil {
			t.Fatal(err)
		}
		back, err := ReadIPC(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if len(back) != 2 || tableRows(t, back[0]) != want {
			t.Errorf("compression %d: %d tables, %s", c, len(back), tableRows(t, back[0]))
		}
		releaseAll(back)
	}
	path := filepath.Join(t.TempDir(), "t.arrow")
	if err := WriteIPCFile(path, Zstd, tb); err != nil {
		t.Fatal(err)
	}
	back, err := ReadIPCFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 1 || tableRows(t, back[0]) != want {
		t.Errorf("IPC file: %s", tableRows(t, back[0]))
	}
	releaseAll(back)
	if _, err := ReadIPC(strings.NewReader("not arrow")); !errors.Is(err, ray.ErrCorrupt) {
		t.Errorf("reading garbage: %v", err)
	}
}

func TestParquetRoundTrip(t *testing.T) {
	heaptest.Check(t)
	tb := sampleTable(t)
	defer cow.Release(&tb)
	path := filepath.Join(t.TempDir(), "t.parquet")
	if err := WriteParquet(path, tb); err != nil {
		t.Fatal(err)
	}
	back, err := ReadParquet(path)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&back)
	// SYM comes back as SYM (written as a dictionary, with the Arrow schema
	// in the file's metadata); everything else as it went.
	_, sym, _ := vec.ColumnByName(back, "sym")
	if sym.Type() != value.Sym || fmt.Sprint(rows(t, sym)) != "[`f.x null `f.x]" {
		t.Errorf("sym column came back as %v %v", sym.Type(), rows(t, sym))
	}
	for _, name := range []string{"id", "px", "ok", "day", "at", "name"} {
		_, a, _ := vec.ColumnByName(tb, name)
		_, b, err := vec.ColumnByName(back, name)
		if err != nil || fmt.Sprint(rows(t, a)) != fmt.Sprint(rows(t, b)) {
			t.Errorf("column %s: %v, want %v (%v)", name, rows(t, b), rows(t, a), err)
		}
	}
	if err := os.WriteFile(path, []byte("PAR1 broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadParquet(path); !errors.Is(err, ray.ErrCorrupt) {
		t.Errorf("reading a broken Parquet file: %v", err)
	}
}

// Batches sliced from one STR column are written with the strings their
// rows use, not the column's whole pool each (Arrow's IPC writer writes a
// string_view column's data buffers whole); so is a column most of whose
// pool its rows no longer use. Either way the rows read back as written.
func TestWrittenBatchesCarryOnlyTheirStrings(t *testing.T) {
	heaptest.Check(t)
	const rows, batches = 100_000, 20
	want := make([]string, rows)
	for i := range want {
		want[i] = fmt.Sprintf("a string longer than twelve bytes, row %d", i)
	}
	tb := tableOf(t, column{"s", must(vec.FromStrings(want))})
	defer cow.Release(&tb)
	poolBytes := 0
	for _, s := range want {
		poolBytes += len(s)
	}
	var parts []value.V
	for from := 0; from < rows; from += rows / batches {
		parts = append(parts, must(vec.Slice(tb, from, rows/batches)))
	}
	defer func() {
		for i := range parts {
			cow.Release(&parts[i])
		}
	}()
	var buf bytes.Buffer
	err := WriteTables(func(schema *arrow.Schema) (RecordWriter, error) {
		return ipc.NewWriter(&buf, ipc.WithSchema(schema)), nil
	}, parts...)
	if err != nil {
		t.Fatal(err)
	}
	if limit := 2 * (poolBytes + 16*rows); buf.Len() > limit {
		t.Errorf("%d batches of one column take %d bytes, more than %d: each carries the whole pool", batches, buf.Len(), limit)
	}
	back, err := ReadIPC(&buf)
	if err != nil {
		t.Fatal(err)
	}
	joined := must(vec.ConcatAll(back...))
	defer cow.Release(&joined)
	for i := range back {
		cow.Release(&back[i])
	}
	_, col, _ := vec.ColumnAt(joined, 0)
	for i, w := range want {
		if got, _ := vec.GetStr(col, i); got != w {
			t.Fatalf("row %d: %q, want %q", i, got, w)
		}
	}

	// A column whose strings were all overwritten twice: two thirds of its
	// pool dead.
	_, s, _ := vec.ColumnAt(tb, 0)
	s = cow.Retain(s)
	defer cow.Release(&s)
	for range 2 {
		for i := range rows {
			if err := vec.SetStr(&s, i, want[rows-1-i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	rewritten := tableOf(t, column{"s", cow.Retain(s)})
	defer cow.Release(&rewritten)
	buf.Reset()
	if err := WriteTables(func(schema *arrow.Schema) (RecordWriter, error) {
		return ipc.NewWriter(&buf, ipc.WithSchema(schema)), nil
	}, rewritten); err != nil {
		t.Fatal(err)
	}
	if limit := poolBytes + 16*rows + 4096; buf.Len() > limit {
		st, _ := vec.StrPool(s)
		t.Errorf("a column with %d dead pool bytes takes %d bytes, more than %d", st.Dead, buf.Len(), limit)
	}
}
