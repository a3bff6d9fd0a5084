package rayarrow

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/vec"
)

// What Arrow Go's IPC and Parquet readers read on an Allocator is adopted
// by ImportRecord, column by column, when the reader gave each column a
// buffer of its own.
func TestImportAdoptsWhatArrowsReadersMake(t *testing.T) {
	heaptest.Check(t)
	arr := int64Array(memory.NewGoAllocator(), 2000)
	defer arr.Release()
	want := arr.Int64Values()
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rec := array.NewRecord(schema, []arrow.Array{arr}, int64(arr.Len()))
	defer rec.Release()
	mem := NewAllocator()

	r, err := ipc.NewReader(bytes.NewReader(ipcStream(t, schema, rec)), ipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() {
		t.Fatal(r.Err())
	}
	check := func(from string, rec arrow.Record) {
		t.Helper()
		tb, err := ImportRecord(rec)
		if err != nil {
			t.Fatal(err)
		}
		defer cow.Release(&tb)
		_, col, err := vec.ColumnByName(tb, "x")
		if err != nil {
			t.Fatal(err)
		}
		if !attrs.IsSlice(col) {
			t.Errorf("%s: the column was copied, not adopted", from)
		}
		if got, _ := vec.Elems[int64](col); !slices.Equal(got, want) {
			t.Errorf("%s: the rows differ", from)
		}
		if err := cow.Check(tb); err != nil {
			t.Error(err)
		}
	}
	check("IPC", r.Record())
	r.Release()

	var pq bytes.Buffer
	pw, err := pqarrow.NewFileWriter(schema, &pq, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := pw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	pf, err := file.NewParquetReader(bytes.NewReader(pq.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		t.Fatal(err)
	}
	table, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tr := array.NewTableReader(table, -1)
	tr.Next()
	check("Parquet", tr.Record())
	tr.Release()
	table.Release()
	if n := mem.Allocated(); n != 0 {
		t.Errorf("%d bytes allocated", n)
	}
}
