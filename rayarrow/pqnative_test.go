package rayarrow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// typedRecord is a record of every type the Parquet readers map, nulls in
// every nullable column, strings short and long, repeated (for
// dictionaries) and not.
func typedRecord(t testing.TB, n int) arrow.Record {
	t.Helper()
	mem := memory.DefaultAllocator
	dec38 := &arrow.Decimal128Type{Precision: 38, Scale: 10}
	fields := []arrow.Field{
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "d32", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "t32", Type: arrow.FixedWidthTypes.Time32ms, Nullable: true},
		{Name: "t64", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
		{Name: "t64n", Type: arrow.FixedWidthTypes.Time64ns, Nullable: true},
		{Name: "ts_ms", Type: &arrow.TimestampType{Unit: arrow.Millisecond}, Nullable: true},
		{Name: "ts_us", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "ts_ns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "cat", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, Nullable: true},
		{Name: "dec9", Type: &arrow.Decimal128Type{Precision: 9, Scale: 2}, Nullable: true},
		{Name: "dec18", Type: &arrow.Decimal128Type{Precision: 18, Scale: 4}, Nullable: true},
		{Name: "dec38", Type: dec38, Nullable: true},
		{Name: "guid", Type: &arrow.FixedSizeBinaryType{ByteWidth: 16}, Nullable: true},
		{Name: "req", Type: arrow.PrimitiveTypes.Int64},
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	words := []string{"alpha", "beta", "gamma", "a rather longer string value", "", "δέλτα"}
	for i := range n {
		null := i%7 == 3
		for c, f := range fields {
			fb := b.Field(c)
			if null && f.Nullable {
				fb.AppendNull()
				continue
			}
			x := int64(i*2654435761%1000003) - 500000
			switch fb := fb.(type) {
			case *array.BooleanBuilder:
				fb.Append(i%3 == 0)
			case *array.Int8Builder:
				fb.Append(int8(x))
			case *array.Int16Builder:
				fb.Append(int16(x))
			case *array.Int32Builder:
				fb.Append(int32(x))
			case *array.Int64Builder:
				if f.Name == "req" {
					fb.Append(int64(i))
				} else {
					fb.Append(x * 1_000_003)
				}
			case *array.Uint8Builder:
				fb.Append(uint8(x))
			case *array.Uint16Builder:
				fb.Append(uint16(x))
			case *array.Uint32Builder:
				fb.Append(uint32(x))
			case *array.Uint64Builder:
				fb.Append(uint64(x) >> 1)
			case *array.Float32Builder:
				fb.Append(float32(x) / 7)
			case *array.Float64Builder:
				if i%50 == 1 {
					fb.Append(math.NaN())
				} else {
					fb.Append(float64(x) / 3)
				}
			case *array.Date32Builder:
				fb.Append(arrow.Date32(x / 10))
			case *array.Time32Builder:
				fb.Append(arrow.Time32((x + 500000) * 86))
			case *array.Time64Builder:
				if f.Name == "t64n" {
					fb.Append(arrow.Time64((x + 500000) * 86_000_000))
				} else {
					fb.Append(arrow.Time64((x + 500000) * 86_000))
				}
			case *array.TimestampBuilder:
				fb.Append(arrow.Timestamp(x * 1_000_000))
			case *array.StringBuilder:
				if f.Name == "note" {
					fb.Append(fmt.Sprintf("note %d %s", i, strings.Repeat("x", i%20)))
				} else {
					fb.Append(words[i%len(words)])
				}
			case *array.BinaryBuilder:
				fb.Append([]byte{byte(i), 0xff, byte(i >> 8)})
			case *array.BinaryDictionaryBuilder:
				if err := fb.AppendString(words[(i/3)%len(words)]); err != nil {
					t.Fatal(err)
				}
			case *array.Decimal128Builder:
				v := decimal128.FromI64(x)
				if f.Type == dec38 {
					v = decimal128.New(x, uint64(x)*977)
				}
				fb.Append(v)
			case *array.FixedSizeBinaryBuilder:
				fb.Append([]byte(fmt.Sprintf("%016d", i)))
			default:
				t.Fatalf("no value for %T", fb)
			}
		}
	}
	return b.NewRecord()
}

// typedParquetFiles writes typedRecord every way Arrow Go writes Parquet:
// each codec with dictionaries and without, data pages v1 and v2, the
// DELTA encodings, row groups of 128 rows and pages
// of about 512 bytes (so chunks hold many pages and dictionaries fall back
// to plain pages part-way).
func typedParquetFiles(t testing.TB) []parquetSeed { return typedParquetFilesOf(t, 1000) }

// typedParquetFilesOf is typedParquetFiles of a record of n rows.
func typedParquetFilesOf(t testing.TB, n int) []parquetSeed {
	t.Helper()
	rec := typedRecord(t, n)
	defer rec.Release()
	type way struct {
		name  string
		props []parquet.WriterProperty
	}
	var ways []way
	codecs := []compress.Compression{compress.Codecs.Uncompressed, compress.Codecs.Snappy, compress.Codecs.Gzip,
		compress.Codecs.Zstd, compress.Codecs.Brotli}
	for _, c := range codecs {
		ways = append(ways,
			way{c.String() + "/dict/v1", []parquet.WriterProperty{parquet.WithCompression(c), parquet.WithDictionaryDefault(true), parquet.WithDataPageVersion(parquet.DataPageV1)}},
			way{c.String() + "/plain/v2", []parquet.WriterProperty{parquet.WithCompression(c), parquet.WithDictionaryDefault(false), parquet.WithDataPageVersion(parquet.DataPageV2)}},
		)
	}
	for _, v := range []parquet.DataPageVersion{parquet.DataPageV1, parquet.DataPageV2} {
		delta := []parquet.WriterProperty{parquet.WithDictionaryDefault(false), parquet.WithDataPageVersion(v), parquet.WithCompression(compress.Codecs.Snappy)}
		for _, c := range []string{"i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "d32", "t32", "t64", "t64n", "ts_ms", "ts_us", "ts_ns", "req"} {
			delta = append(delta, parquet.WithEncodingFor(c, parquet.Encodings.DeltaBinaryPacked))
		}
		delta = append(delta, parquet.WithEncodingFor("s", parquet.Encodings.DeltaLengthByteArray),
			parquet.WithEncodingFor("note", parquet.Encodings.DeltaByteArray),
			parquet.WithEncodingFor("bin", parquet.Encodings.DeltaByteArray))
		ways = append(ways, way{fmt.Sprintf("delta/v%d", v+1), delta})
	}
	var out []parquetSeed
	for _, w := range ways {
		// (Arrow Go v17 writes no other encoding of fixed-size binaries.)
		props := append([]parquet.WriterProperty{parquet.WithMaxRowGroupLength(128), parquet.WithDataPageSize(512),
			parquet.WithEncodingFor("dec38", parquet.Encodings.Plain), parquet.WithEncodingFor("guid", parquet.Encodings.Plain)}, w.props...)
		var buf bytes.Buffer
		fw, err := pqarrow.NewFileWriter(rec.Schema(), &buf, parquet.NewWriterProperties(props...), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			t.Fatal(w.name, err)
		}
		if err := fw.Write(rec); err != nil {
			t.Fatal(w.name, err)
		}
		if err := fw.Close(); err != nil {
			t.Fatal(w.name, err)
		}
		out = append(out, parquetSeed{w.name, buf.Bytes()})
	}
	return out
}

// readBoth reads b with the native reader and through Arrow Go, with the
// same options.
func readBoth(b []byte, opts ...ReadOption) (native, viaArrow value.V, errNative, errArrow error) {
	r := bytes.NewReader(b)
	native, errNative = ReadParquetFrom(r, int64(len(b)), append(opts, func(o *readOptions) { o.native = 1 })...)
	viaArrow, errArrow = ReadParquetFrom(r, int64(len(b)), append(opts, func(o *readOptions) { o.native = -1 })...)
	return
}

// tableDiff describes the first difference between two tables, cell by
// cell (a null equals a null whatever the value under it), or "".
func tableDiff(a, b value.V) string {
	if na, nb := vec.NumCols(a), vec.NumCols(b); na != nb {
		return fmt.Sprintf("%d columns against %d", na, nb)
	}
	for c := range vec.NumCols(a) {
		nameA, colA, _ := vec.ColumnAt(a, c)
		nameB, colB, _ := vec.ColumnAt(b, c)
		if nameA != nameB || colA.Type() != colB.Type() || colA.Len() != colB.Len() {
			return fmt.Sprintf("column %d: %s %v[%d] against %s %v[%d]", c, nameA, colA.Type(), colA.Len(), nameB, colB.Type(), colB.Len())
		}
		for i := range int(colA.Len()) {
			if ca, cb := cell(colA, i), cell(colB, i); ca != cb {
				return fmt.Sprintf("column %s row %d: %s against %s", nameA, i, ca, cb)
			}
		}
	}
	return ""
}

func cell(v value.V, i int) string {
	if null, _ := vec.IsNull(v, i); null {
		return "null"
	}
	a, err := vec.RowAtom(v, i)
	if err != nil {
		return "error: " + err.Error()
	}
	defer cow.Release(&a)
	return a.String()
}

// TestParquetNativeMatchesArrowGo reads every file of the typed corpus
// both ways, whole and with options, and wants the same table.
func TestParquetNativeMatchesArrowGo(t *testing.T) {
	heaptest.Check(t)
	files := typedParquetFiles(t)
	optionSets := []struct {
		name string
		opts []ReadOption
	}{
		{"all", nil},
		{"projected", []ReadOption{Columns("note", "i64", "cat")}},
		{"by position", []ReadOption{ColumnIndexes(26, 0, 18)}},
		{"row groups", []ReadOption{RowGroups(7, 0, 3)}},
		{"sym", []ReadOption{AsSym("s", "note"), DictionariesAsSym(0)}},
		{"range", []ReadOption{RowGroupsInRange("req", 200, 300)}},
		{"decimals as I64, uint64 as F64", []ReadOption{Columns("dec9", "dec18", "u64", "i64"), DecimalsAsI64(), Uint64AsF64()}},
	}
	for _, f := range files {
		for _, os := range optionSets {
			native, viaArrow, errN, errA := readBoth(f.b, os.opts...)
			if errN != nil || errA != nil {
				t.Errorf("%s, %s: native %v, Arrow %v", f.name, os.name, errN, errA)
			} else if d := tableDiff(native, viaArrow); d != "" {
				t.Errorf("%s, %s: %s", f.name, os.name, d)
			}
			checked(t, native, viaArrow)
			cow.Release(&native)
			cow.Release(&viaArrow)
		}
	}
}

// TestParquetReadOptions checks what each option selects.
func TestParquetReadOptions(t *testing.T) {
	heaptest.Check(t)
	files := typedParquetFiles(t)
	b := files[0].b
	read := func(opts ...ReadOption) value.V {
		t.Helper()
		v, err := ReadParquetFrom(bytes.NewReader(b), int64(len(b)), opts...)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := read(Columns("req", "s"))
	if n := vec.NumCols(v); n != 2 || vec.NumRows(v) != 1000 {
		t.Errorf("Columns: %d columns, %d rows", n, vec.NumRows(v))
	}
	if name, _, _ := vec.ColumnAt(v, 0); name != "req" {
		t.Errorf("Columns: first column %q", name)
	}
	cow.Release(&v)
	v = read(RowGroups(1), Columns("req"))
	if _, col, _ := vec.ColumnAt(v, 0); vec.NumRows(v) != 128 || cell(col, 0) != "128" {
		t.Errorf("RowGroups(1): %d rows, first %s", vec.NumRows(v), cell(col, 0))
	}
	cow.Release(&v)
	v = read(RowGroupsInRange("req", 300, 400), Columns("req"))
	if _, col, _ := vec.ColumnAt(v, 0); vec.NumRows(v) != 256 || cell(col, 0) != "256" {
		t.Errorf("RowGroupsInRange(300, 400): %d rows, first %s", vec.NumRows(v), cell(col, 0))
	}
	cow.Release(&v)
	v = read(AsSym("s"), Columns("s", "cat", "note"))
	for i, want := range []value.Type{value.Sym, value.Sym, value.Str} {
		if _, col, _ := vec.ColumnAt(v, i); col.Type() != want {
			t.Errorf("column %d is %v, want %v", i, col.Type(), want)
		}
	}
	cow.Release(&v)
	// s has 6 strings in each of 8 dictionaries; note a distinct string a
	// row: past a limit of 100 it stays STR.
	v = read(DictionariesAsSym(100), Columns("s", "note"))
	for i, want := range []value.Type{value.Sym, value.Str} {
		if _, col, _ := vec.ColumnAt(v, i); col.Type() != want {
			t.Errorf("DictionariesAsSym(100): column %d is %v, want %v", i, col.Type(), want)
		}
	}
	cow.Release(&v)
	for _, c := range []struct {
		opts []ReadOption
		kind error
	}{
		{[]ReadOption{Columns("nope")}, ray.ErrName},
		{[]ReadOption{Columns("s", "s")}, ray.ErrName},
		{[]ReadOption{ColumnIndexes(27)}, ray.ErrRange},
		{[]ReadOption{RowGroups(8)}, ray.ErrRange},
		{[]ReadOption{RowGroups(-1)}, ray.ErrRange},
		{[]ReadOption{AsSym("i64")}, ray.ErrType},
		{[]ReadOption{AsSym("nope")}, ray.ErrName},
		{[]ReadOption{RowGroupsInRange("req", "a", "b")}, ray.ErrType},
		{[]ReadOption{RowGroupsInRange("nope", 1, 2)}, ray.ErrName},
	} {
		_, err := ReadParquetFrom(bytes.NewReader(b), int64(len(b)), c.opts...)
		if !errors.Is(err, c.kind) {
			t.Errorf("%v: %v, want %v", c.kind, err, c.kind)
		}
	}
}

// TestScanParquetYieldsRowGroups streams a file and wants the whole read's
// table, a row group at a time.
func TestScanParquetYieldsRowGroups(t *testing.T) {
	heaptest.Check(t)
	b := typedParquetFiles(t)[0].b
	whole, err := ReadParquetFrom(bytes.NewReader(b), int64(len(b)), DictionariesAsSym(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&whole)
	var parts []value.V
	for tb, err := range ScanParquetFrom(bytes.NewReader(b), int64(len(b)), DictionariesAsSym(0)) {
		if err != nil {
			t.Fatal(err)
		}
		if n := vec.NumRows(tb); n > 128 {
			t.Errorf("a batch of %d rows", n)
		}
		parts = append(parts, tb)
	}
	defer releaseAll(parts)
	joined, err := vec.ConcatAll(parts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&joined)
	if d := tableDiff(whole, joined); d != "" {
		t.Error(d)
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// TestParquetProjectionReadsOnlyItsColumn reads one int64 column of a file
// of several and counts the bytes read: at most 1.1 times that column's
// chunks plus the footer (the other columns' pages are never read).
func TestParquetProjectionReadsOnlyItsColumn(t *testing.T) {
	heaptest.Check(t)
	const n = 200_000
	tb := tableOf(t,
		column{"id", must(vec.FromSlice(value.I64, seq(n, func(i int) int64 { return int64(i) * 7919 })))},
		column{"px", must(vec.FromSlice(value.F64, seq(n, func(i int) float64 { return float64(i) / 3 })))},
		column{"name", must(vec.FromStringsFunc(n, func(i int) string { return fmt.Sprintf("name %d", i) }))},
	)
	defer cow.Release(&tb)
	path := filepath.Join(t.TempDir(), "t.parquet")
	if err := WriteParquet(path, tb); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := &countingReader{r: bytes.NewReader(b)}
	v, err := ReadParquetFrom(r, int64(len(b)), Columns("id"))
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&v)
	f, err := openParquet(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	var chunk int64
	for g := range f.verifier.groups {
		chunk += f.verifier.groups[g][0].totalCompressed
	}
	footer := int64(len(b)) - f.verifier.footerStart
	if got, most := r.n.Load(), chunk*11/10+footer; got > most {
		t.Errorf("read %d bytes for a column of %d and a footer of %d (at most %d)", got, chunk, footer, most)
	} else {
		t.Logf("read %d bytes: the column's chunks are %d, the footer %d, the file %d", got, chunk, footer, len(b))
	}
}

func seq[T any](n int, f func(int) T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

// TestReadParquetDirectory reads a directory of part files as one table
// (in file-name order, other files skipped), streams it a row group at a
// time, and stops a read whose context is done.
func TestReadParquetDirectory(t *testing.T) {
	heaptest.Check(t)
	dir := t.TempDir()
	files := typedParquetFilesOf(t, 300)
	whole := must(ReadParquetFrom(bytes.NewReader(files[0].b), int64(len(files[0].b)), DictionariesAsSym(100)))
	defer cow.Release(&whole)
	// The same file three times, as part files, and files to skip.
	for _, name := range []string{"part-2.parquet", "part-0.parquet", "part-1.parquet", "_SUCCESS", ".part-0.parquet.crc", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), files[0].b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	all, err := ReadParquet(dir, DictionariesAsSym(100))
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&all)
	want := must(vec.ConcatAll(whole, whole, whole))
	defer cow.Release(&want)
	if d := tableDiff(all, want); d != "" {
		t.Errorf("the directory: %s", d)
	}
	// Row groups number across the files: 3 files of 3 groups (128 rows).
	rg, err := ReadParquet(dir, RowGroups(4), Columns("req"))
	if err != nil {
		t.Fatal(err)
	}
	if _, col, _ := vec.ColumnAt(rg, 0); vec.NumRows(rg) != 128 || cell(col, 0) != "128" {
		t.Errorf("row group 4 of the directory: %d rows, first %s", vec.NumRows(rg), cell(col, 0))
	}
	cow.Release(&rg)
	if _, err := ReadParquet(dir, RowGroups(9)); !errors.Is(err, ray.ErrRange) {
		t.Errorf("row group 9 of 9: %v", err)
	}
	n, rows := 0, 0
	for part, err := range ScanParquet(dir, Columns("req", "s"), DictionariesAsSym(100)) {
		if err != nil {
			t.Fatal(err)
		}
		if _, col, _ := vec.ColumnAt(part, 1); col.Type() != value.Sym {
			t.Errorf("a scanned part's s is %v", col.Type())
		}
		n, rows = n+1, rows+vec.NumRows(part)
		cow.Release(&part)
	}
	if n != 9 || rows != 900 {
		t.Errorf("scanned %d parts of %d rows, want 9 of 900", n, rows)
	}
	empty := t.TempDir()
	if _, err := ReadParquet(empty); !errors.Is(err, ray.ErrIO) {
		t.Errorf("a directory of no part files: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadParquet(dir, WithContext(ctx)); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled read: %v", err)
	}
	for _, err := range ScanParquet(dir, WithContext(ctx)) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled scan: %v", err)
		}
	}
}
