package rayarrow

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// int64Record is a record of one-row int64 columns with the given names.
func int64Record(names ...string) arrow.Record {
	fields := make([]arrow.Field, len(names))
	cols := make([]arrow.Array, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: arrow.PrimitiveTypes.Int64}
		b := array.NewInt64Builder(memory.DefaultAllocator)
		b.Append(int64(i))
		cols[i] = b.NewArray()
		b.Release()
	}
	rec := array.NewRecord(arrow.NewSchema(fields, nil), cols, 1)
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// Arrow (and Parquet files other tools write) allow empty and repeated
// column names; a raygo table does not. Such a column is named after its
// position; only a clash of that name with a real one is refused.
func TestColumnNamesArrowAllows(t *testing.T) {
	heaptest.Check(t)
	for _, c := range []struct {
		names []string
		want  string // the table's names, or the error kind
	}{
		{[]string{"a", "b"}, "a b"},
		{[]string{"", "x", "x", ""}, "col0 x col2 col3"},
		{[]string{"x", "x", "x"}, "x col1 col2"},
		{[]string{"col1", ""}, "ErrNYI"}, // the empty name's col1 is taken
		{[]string{"x", "x", "col1"}, "ErrNYI"},
		{[]string{"ok", "\xff"}, "ErrCorrupt"},
		{[]string{strings.Repeat("n", value.MaxSymLen+1)}, "ErrNYI"},
	} {
		rec := int64Record(c.names...)
		tb, err := ImportRecord(rec)
		rec.Release()
		got := ""
		switch {
		case errors.Is(err, ray.ErrNYI):
			got = "ErrNYI"
		case errors.Is(err, ray.ErrCorrupt):
			got = "ErrCorrupt"
		case err != nil:
			got = err.Error()
		default:
			var names []string
			for i := range vec.NumCols(tb) {
				name, col, _ := vec.ColumnAt(tb, i)
				if x, _ := vec.Get[int64](col, 0); x != int64(i) {
					t.Errorf("%q: column %d holds %d", c.names, i, x)
				}
				names = append(names, name)
			}
			got = strings.Join(names, " ")
			releaseAll([]value.V{tb})
		}
		if got != c.want {
			t.Errorf("names %q: got %s, want %s", c.names, got, c.want)
		}
	}
}

// Damage to the column names of an IPC stream is ErrCorrupt (a name that
// is not UTF-8) or reads under a position name (one that became empty or a
// duplicate): never a table-building error such as ErrName.
func TestDamagedColumnNamesAreCorrupt(t *testing.T) {
	heaptest.Check(t)
	rec := int64Record("ab", "cd", "ef")
	good := ipcStream(t, rec.Schema(), rec)
	rec.Release()
	damaged := 0
	for i := 0; i+1 < len(good); i++ {
		if string(good[i:i+2]) != "ab" && string(good[i:i+2]) != "cd" && string(good[i:i+2]) != "ef" {
			continue
		}
		for j := i; j < i+2; j++ {
			for _, x := range []byte{0x00, 0x80, 0x99, 0xFF, 'a', 'c', 'e', 'b'} {
				b := append([]byte(nil), good...)
				b[j] = x
				tables, err := ReadIPC(bytes.NewReader(b))
				refusedWell(t, "a stream with a damaged name", err)
				checked(t, tables...)
				releaseAll(tables)
				damaged++
			}
		}
	}
	if damaged < 40 {
		t.Fatalf("only %d damaged names", damaged)
	}
}

// ipcStream writes recs (none for a stream of the schema alone) as an
// Arrow IPC stream.
func ipcStream(t testing.TB, schema *arrow.Schema, recs ...arrow.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
	for _, rec := range recs {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
