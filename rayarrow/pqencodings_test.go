package rayarrow

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// pgRow is a row written by parquet-go (a writer other than Arrow Go),
// with the encodings and codec Arrow Go v17 does not write: BYTE_STREAM_SPLIT
// of floats, integers and fixed-size binaries, DELTA_BYTE_ARRAY of
// fixed-size binaries, LZ4_RAW.
type pgRow struct {
	F    float64  `parquet:"f,split,lz4"`
	F32  float32  `parquet:"f32,split"`
	I32  int32    `parquet:"i32,split"`
	I64  int64    `parquet:"i64,split,zstd"`
	D    int64    `parquet:"d,delta"`
	P    *float64 `parquet:"p,optional,split"`
	S    string   `parquet:"s,delta"`
	G    [16]byte `parquet:"g,split"`
	GD   [16]byte `parquet:"gd,delta"`
	B    bool     `parquet:"b"`
	Dict string   `parquet:"dict,dict,snappy"`
}

func pgRows(n int) []pgRow {
	rows := make([]pgRow, n)
	for i := range rows {
		r := &rows[i]
		r.F = float64(i)/3 - 100
		r.F32 = float32(i) * 1.5
		r.I32 = int32(i*7919 - 100000)
		r.I64 = int64(i) * -3074457345618258
		r.D = int64(i*i) - 5000
		if i%5 != 2 {
			p := math.Sqrt(float64(i))
			r.P = &p
		}
		r.S = fmt.Sprintf("prefix-shared-%06d", i/3)
		copy(r.G[:], fmt.Sprintf("%016d", i))
		copy(r.GD[:], fmt.Sprintf("guid-%011d", i/2))
		r.B = i%3 == 1
		r.Dict = []string{"red", "green", "a value longer than twelve"}[i%3]
	}
	return rows
}

// TestParquetNativeReadsParquetGoEncodings reads files parquet-go wrote
// (data pages v1 and v2, row groups of 300 rows, small pages) and wants
// every value parquet-go was given.
func TestParquetNativeReadsParquetGoEncodings(t *testing.T) {
	heaptest.Check(t)
	rows := pgRows(1000)
	for _, version := range []int{1, 2} {
		var buf bytes.Buffer
		w := parquet.NewGenericWriter[pgRow](&buf, parquet.MaxRowsPerRowGroup(300), parquet.PageBufferSize(1024), parquet.DataPageVersion(version))
		if _, err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		tb, err := ReadParquetFrom(bytes.NewReader(b), int64(len(b)), func(o *readOptions) { o.native = 1 })
		if err != nil {
			t.Fatalf("v%d: %v", version, err)
		}
		defer cow.Release(&tb)
		col := func(name string) value.V {
			_, c, err := vec.ColumnByName(tb, name)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		for i, r := range rows {
			want := []struct {
				col  string
				cell string
			}{
				{"f", fmt.Sprint(r.F)}, {"f32", fmt.Sprint(r.F32)}, {"i32", fmt.Sprint(r.I32)},
				{"i64", fmt.Sprint(r.I64)}, {"d", fmt.Sprint(r.D)}, {"s", `"` + r.S + `"`},
				{"b", fmt.Sprint(r.B)}, {"dict", `"` + r.Dict + `"`},
			}
			if r.P == nil {
				want = append(want, struct{ col, cell string }{"p", "null"})
			} else {
				want = append(want, struct{ col, cell string }{"p", fmt.Sprint(*r.P)})
			}
			for _, w := range want {
				if got := cell(col(w.col), i); got != w.cell {
					t.Fatalf("v%d row %d column %s: %s, want %s", version, i, w.col, got, w.cell)
				}
			}
			for _, g := range []struct {
				col  string
				want [16]byte
			}{{"g", r.G}, {"gd", r.GD}} {
				if got, err := vec.Get[[16]byte](col(g.col), i); err != nil || got != g.want {
					t.Fatalf("v%d row %d column %s: %q, want %q", version, i, g.col, got, g.want)
				}
			}
		}
		checked(t, tb)
	}
}
