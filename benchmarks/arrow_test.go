package benchmarks

import (
	"fmt"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// i64Vector returns an I64 vector of n rows, appended a million at a time.
func i64Vector(b *testing.B, n int) value.V {
	chunk := make([]int64, min(n, 1_000_000))
	v, err := vec.New(value.I64, n)
	if err != nil {
		b.Fatal(err)
	}
	for done := 0; done < n; done += len(chunk) {
		if err := vec.AppendSlice(&v, chunk[:min(len(chunk), n-done)]); err != nil {
			b.Fatal(err)
		}
	}
	return v
}

// BenchmarkExportI64 exports a column without nulls to Arrow: the cost must
// not depend on its length (no copy).
func BenchmarkExportI64(b *testing.B) {
	sizes := []int{1e3, 1e6, 1e8}
	if testing.Short() {
		sizes = sizes[:2]
	}
	for _, n := range sizes {
		v := i64Vector(b, n)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a, err := rayarrow.Export(v)
				if err != nil {
					b.Fatal(err)
				}
				a.Release()
			}
		})
		cow.Release(&v)
	}
}

// BenchmarkExportWithNulls exports a million rows with every 10th null: the
// validity bitmap is built, 64 rows at a time.
func BenchmarkExportWithNulls(b *testing.B) {
	v := i64Vector(b, 1_000_000)
	defer cow.Release(&v)
	for i := 0; i < 1_000_000; i += 10 {
		if err := vec.SetNull(&v, i, true); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		a, err := rayarrow.Export(v)
		if err != nil {
			b.Fatal(err)
		}
		a.Release()
	}
}

// BenchmarkImportWithNulls imports a million-row Arrow int64 column with
// every 10th row null: the values in one copy, the validity bitmap
// inverted into raygo's null map a byte at a time. The rival copies it
// into a new Arrow array (array.Concatenate).
func BenchmarkImportWithNulls(b *testing.B) {
	bld := array.NewInt64Builder(memory.NewGoAllocator())
	for i := range int64(1_000_000) {
		if i%10 == 0 {
			bld.AppendNull()
		} else {
			bld.Append(i)
		}
	}
	arr := bld.NewArray()
	bld.Release()
	defer arr.Release()
	importRuns(b, arr, 0)
}

// importRuns runs impl=raygo (rayarrow.Import into a vector, released) and
// its rival impl=arrowcopy (array.Concatenate into a new Arrow array on
// Go's allocator) on arr, reporting bytes as the data each copies (0 for
// none).
func importRuns(b *testing.B, arr arrow.Array, bytes int64) {
	b.Run("impl=raygo", func(b *testing.B) {
		b.SetBytes(bytes)
		b.ReportAllocs()
		for b.Loop() {
			v, err := rayarrow.Import(arr)
			if err != nil {
				b.Fatal(err)
			}
			cow.Release(&v)
		}
	})
	b.Run("impl=arrowcopy", func(b *testing.B) {
		b.SetBytes(bytes)
		b.ReportAllocs()
		mem := memory.NewGoAllocator()
		for b.Loop() {
			c, err := array.Concatenate([]arrow.Array{arr}, mem)
			if err != nil {
				b.Fatal(err)
			}
			c.Release()
		}
	})
}

// BenchmarkExportStr produces an Arrow string_view column of 1M strings
// (half inline, half pooled): raygo exports its column; the rival builds
// the same column with Arrow's builder.
func BenchmarkExportStr(b *testing.B) {
	xs := strWorkload()[:1_000_000]
	v, err := vec.FromStrings(xs)
	if err != nil {
		b.Fatal(err)
	}
	defer cow.Release(&v)
	b.Run("impl=raygo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			a, err := rayarrow.Export(v)
			if err != nil {
				b.Fatal(err)
			}
			a.Release()
		}
	})
	b.Run("impl=arrowbuilder", func(b *testing.B) {
		b.ReportAllocs()
		mem := memory.NewGoAllocator()
		for b.Loop() {
			bld := array.NewStringViewBuilder(mem)
			for _, s := range xs {
				bld.Append(s)
			}
			a := bld.NewArray()
			a.Release()
			bld.Release()
		}
	})
}

// BenchmarkImportI64 copies a million-row Arrow int64 column into raygo;
// the rival copies it into a new Arrow array (array.Concatenate).
// impl=raygoadopt imports the same column built on rayarrow.Allocator,
// which Import adopts without a copy.
func BenchmarkImportI64(b *testing.B) {
	bld := array.NewInt64Builder(memory.NewGoAllocator())
	for i := range int64(1_000_000) {
		bld.Append(i)
	}
	arr := bld.NewArray()
	bld.Release()
	defer arr.Release()
	importRuns(b, arr, 8_000_000)
	b.Run("impl=raygoadopt", func(b *testing.B) {
		// The same array built on rayarrow.Allocator: Import adopts its
		// buffer instead of copying it.
		bld := array.NewInt64Builder(rayarrow.NewAllocator())
		for i := range int64(1_000_000) {
			bld.Append(i)
		}
		ours := bld.NewArray()
		bld.Release()
		defer ours.Release()
		b.SetBytes(8_000_000)
		b.ReportAllocs()
		for b.Loop() {
			v, err := rayarrow.Import(ours)
			if err != nil {
				b.Fatal(err)
			}
			cow.Release(&v)
		}
	})
}
