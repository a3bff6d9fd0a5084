package rayarrow

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/value"
)

// refusedWell fails t unless err is nil or a *ray.Error of a kind damaged
// input may give: ErrCorrupt (the bytes break the format), ErrNYI (valid,
// but not what raygo reads), ErrLimit (more than the read may allocate) or
// ErrRange (a value outside its raygo type's range). Table-building kinds
// (ErrName, ErrType, ErrLength) would misfile damage as a caller's mistake.
func refusedWell(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var re *ray.Error
	if !errors.As(err, &re) {
		t.Fatalf("%s: error %v is not a *ray.Error", what, err)
	}
	switch re.Kind {
	case ray.ErrCorrupt, ray.ErrNYI, ray.ErrRange, ray.ErrLimit:
	default:
		t.Fatalf("%s: error %v of kind %v", what, err, re.Kind)
	}
}

// Damaged IPC streams are refused with an error and leave nothing
// allocated: every truncation of good streams (plain and compressed), and
// streams found by fuzzing that made Arrow Go panic (string offsets past
// their data, a repeated column name) or declare a 32 GiB buffer (which
// readAllocator refuses).
func TestReadIPCRejectsDamage(t *testing.T) {
	heaptest.Check(t)
	tb := sampleTable(t)
	defer cow.Release(&tb)
	var streams [][]byte
	for _, c := range []Compression{Uncompressed, LZ4, Zstd} {
		var buf bytes.Buffer
		if err := WriteIPCStream(&buf, c, tb); err != nil {
			t.Fatal(err)
		}
		streams = append(streams, buf.Bytes())
	}
	for _, s := range streams {
		for n := range len(s) {
			tables, err := ReadIPC(bytes.NewReader(s[:n]))
			refusedWell(t, "a truncated stream", err)
			releaseAll(tables)
		}
	}
	damaged, _ := filepath.Glob(filepath.Join("testdata", "ipc", "damaged-*.arrows"))
	if len(damaged) == 0 {
		t.Fatal("no damaged streams in testdata/ipc")
	}
	for _, path := range damaged {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		tables, err := ReadIPC(bytes.NewReader(b))
		if err == nil {
			t.Errorf("%s: read without an error", path)
		}
		refusedWell(t, path, err)
		releaseAll(tables)
	}
}

// FuzzReadIPC feeds arbitrary bytes to ReadIPC: tables or a raygo error,
// never a panic or an abort, nothing leaked. Before verifiedStream, it
// found in seconds a schema whose child count made Arrow Go's decoder ask
// the runtime for hundreds of gigabytes.
func FuzzReadIPC(f *testing.F) {
	tb := sampleTable(f)
	for _, c := range []Compression{Uncompressed, LZ4, Zstd} {
		var buf bytes.Buffer
		if err := WriteIPCStream(&buf, c, tb); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	cow.Release(&tb)
	for _, b := range damagedFiles(f, "ipc", "arrows") {
		f.Add(b)
	}
	for _, b := range testFiles(f, "ipc", "apache-arrow-*.arrows") {
		f.Add(b)
	}
	fuzzRead(f, "ReadIPC", func(b []byte) ([]value.V, error) { return ReadIPC(bytes.NewReader(b)) })
}

// fuzzRead fuzzes a reader of bytes: whatever the input, read returns
// tables that pass cow.Check or a raygo error of a kind damaged input may
// give, never panics, aborts or leaks. It runs under a budget of 256 MiB:
// a few KB of zstd can hold gigabytes of zeros, valid data that no test
// machine should import, refused with ErrLimit.
func fuzzRead(f *testing.F, what string, read func(b []byte) ([]value.V, error)) {
	old := heap.SetBudget(256 << 20)
	defer heap.SetBudget(old)
	f.Fuzz(func(t *testing.T, b []byte) {
		heaptest.Check(t)
		tables, err := read(b)
		refusedWell(t, what, err)
		checked(t, tables...)
		releaseAll(tables)
	})
}

// FuzzReadIPCFile reads IPC files through their footers: files raygo and
// apache-arrow wrote (whose body has no Schema message), damaged anywhere.
func FuzzReadIPCFile(f *testing.F) {
	tb := sampleTable(f)
	for _, c := range []Compression{Uncompressed, Zstd} {
		path := filepath.Join(f.TempDir(), "t.arrow")
		if err := WriteIPCFile(path, c, tb, tb); err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	cow.Release(&tb)
	for _, b := range testFiles(f, "ipc", "apache-arrow-*.arrow") {
		f.Add(b)
	}
	fuzzRead(f, "ReadIPCFile", func(b []byte) ([]value.V, error) { return readIPCFile(bytes.NewReader(b), int64(len(b))) })
}

// FuzzImport builds Arrow arrays of several types from arbitrary buffers,
// lengths, offsets and null counts, and imports those Arrow Go accepts:
// Import returns a vector or a raygo error (never panics, whatever the
// buffers say) and leaves nothing allocated.
func FuzzImport(f *testing.F) {
	f.Add(uint8(0), uint16(3), uint16(0), []byte{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0}, []byte{})
	f.Add(uint8(1), uint16(2), uint16(0), []byte{0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0}, []byte("abc"))
	f.Add(uint8(2), uint16(3), uint16(0), []byte{0, 1, 0}, []byte{0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0})
	f.Add(uint8(3), uint16(1), uint16(0), make([]byte, 16), []byte("a string of some length"))
	f.Add(uint8(4), uint16(9), uint16(1), []byte{0xff, 0x01}, []byte{0xfe, 0xff})
	f.Add(uint8(5), uint16(1), uint16(0), make([]byte, 16), []byte{})
	f.Add(uint8(6), uint16(1), uint16(0), make([]byte, 8), []byte{1})
	f.Add(uint8(7), uint16(2), uint16(0), []byte{0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0}, make([]byte, 16))
	f.Fuzz(func(t *testing.T, kind uint8, length, offset uint16, b1, b2 []byte) {
		heaptest.Check(t)
		n, off := int(length), int(offset%64) // lengths far past the buffers too
		var dt arrow.DataType
		var bufs []*memory.Buffer
		var dict arrow.ArrayData
		switch kind % 8 {
		case 0:
			dt, bufs = arrow.PrimitiveTypes.Int64, []*memory.Buffer{nil, memory.NewBufferBytes(b1)}
		case 1:
			dt, bufs = arrow.BinaryTypes.String, []*memory.Buffer{nil, memory.NewBufferBytes(b1), memory.NewBufferBytes(b2)}
		case 2:
			// Dictionary indices in b1 (uint8) over a dictionary of strings
			// whose offsets are b2 and whose data is fixed.
			d := array.NewData(arrow.BinaryTypes.String, len(b2)/4-1, []*memory.Buffer{nil, memory.NewBufferBytes(b2), memory.NewBufferBytes([]byte("abcdefgh"))}, nil, 0, 0)
			defer d.Release()
			dict = d
			dt = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint8, ValueType: arrow.BinaryTypes.String}
			bufs = []*memory.Buffer{nil, memory.NewBufferBytes(b1)}
		case 3:
			dt, bufs = arrow.BinaryTypes.StringView, []*memory.Buffer{nil, memory.NewBufferBytes(b1), memory.NewBufferBytes(b2)}
		case 4:
			dt, bufs = arrow.FixedWidthTypes.Boolean, []*memory.Buffer{memory.NewBufferBytes(b2), memory.NewBufferBytes(b1)}
		case 5:
			dt, bufs = &arrow.FixedSizeBinaryType{ByteWidth: 16}, []*memory.Buffer{nil, memory.NewBufferBytes(b1)}
		case 6:
			dt, bufs = arrow.FixedWidthTypes.Date64, []*memory.Buffer{memory.NewBufferBytes(b2), memory.NewBufferBytes(b1)}
		case 7:
			// A list of int64 whose offsets are b1 over the values in b2.
			vals := array.NewData(arrow.PrimitiveTypes.Int64, len(b2)/8, []*memory.Buffer{nil, memory.NewBufferBytes(b2)}, nil, 0, 0)
			defer vals.Release()
			arr, ok := makeArray(arrow.ListOf(arrow.PrimitiveTypes.Int64), n, off, []*memory.Buffer{nil, memory.NewBufferBytes(b1)}, nil, vals)
			if ok {
				defer arr.Release()
				v, err := Import(arr)
				refusedWell(t, "Import of a list", err)
				checked(t, v)
				cow.Release(&v)
			}
			return
		}
		arr, ok := makeArray(dt, n, off, bufs, dict, nil)
		if !ok {
			return // Arrow Go refused the array itself
		}
		defer arr.Release()
		v, err := Import(arr)
		refusedWell(t, "Import", err)
		checked(t, v)
		cow.Release(&v)
	})
}

// makeArray builds an Arrow array, reporting false where Arrow Go's own
// constructors panic (those arrays never reach a raygo caller).
func makeArray(dt arrow.DataType, n, off int, bufs []*memory.Buffer, dict arrow.ArrayData, child arrow.ArrayData) (a arrow.Array, ok bool) {
	defer func() {
		if recover() != nil {
			a, ok = nil, false
		}
	}()
	var d *array.Data
	switch {
	case dict != nil:
		d = array.NewDataWithDictionary(dt, n, bufs, 0, off, dict.(*array.Data))
	case child != nil:
		d = array.NewData(dt, n, bufs, []arrow.ArrayData{child}, 0, off)
	default:
		d = array.NewData(dt, n, bufs, nil, 0, off)
	}
	defer d.Release()
	return array.MakeFromData(d), true
}

// Arrays whose length promises far more than their buffers hold are
// refused before Import allocates by that length (a Boolean of 2^40 rows
// over two bytes would otherwise ask Go for a terabyte).
func TestImportRefusesLengthsPastBuffers(t *testing.T) {
	heaptest.Check(t)
	reached := 0
	for _, c := range []struct {
		dt   arrow.DataType
		bufs []*memory.Buffer
	}{
		{arrow.FixedWidthTypes.Boolean, []*memory.Buffer{nil, memory.NewBufferBytes([]byte{1, 2})}},
		{arrow.FixedWidthTypes.Date64, []*memory.Buffer{nil, memory.NewBufferBytes(make([]byte, 8))}},
		{&arrow.FixedSizeBinaryType{ByteWidth: 16}, []*memory.Buffer{nil, memory.NewBufferBytes(make([]byte, 16))}},
		{arrow.BinaryTypes.String, []*memory.Buffer{nil, memory.NewBufferBytes(make([]byte, 8)), memory.NewBufferBytes([]byte("ab"))}},
	} {
		arr, ok := makeArray(c.dt, 1<<40, 0, c.bufs, nil, nil)
		if !ok {
			continue // Arrow Go refused it itself
		}
		reached++
		v, err := Import(arr)
		arr.Release()
		if !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("%v of 2^40 rows over short buffers: %v", c.dt, err)
		}
		cow.Release(&v)
	}
	if reached == 0 {
		t.Fatal("Arrow Go refused every array: the test checks nothing")
	}
}

// Damaged Parquet files found by fuzzing are ErrCorrupt: a page that fails
// its checksum (Arrow Go panics over it, which once ended the process from
// one of pqarrow's reading goroutines), and a page header that runs past
// its column chunk (Arrow Go's page reader spun on it forever).
func TestReadParquetRejectsDamagedFiles(t *testing.T) {
	heaptest.Check(t)
	damaged, _ := filepath.Glob(filepath.Join("testdata", "parquet", "damaged-*.parquet"))
	if len(damaged) < 2 {
		t.Fatalf("%d damaged files in testdata/parquet", len(damaged))
	}
	for _, path := range damaged {
		v, err := ReadParquet(path)
		if !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("%s: %v", path, err)
		}
		cow.Release(&v)
	}
}

// damagedFiles returns the contents of testdata/dir/damaged-*.ext: the
// inputs fuzzing found, kept as seeds and regression tests.
func damagedFiles(t testing.TB, dir, ext string) [][]byte {
	t.Helper()
	return testFiles(t, dir, "damaged-*."+ext)
}

// testFiles returns the contents of the files in testdata/dir matching
// pattern.
func testFiles(t testing.TB, dir, pattern string) [][]byte {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join("testdata", dir, pattern))
	if len(paths) == 0 {
		t.Fatalf("no testdata/%s/%s", dir, pattern)
	}
	var out [][]byte
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// checked fails t unless every value (no value passes) passes cow.Check.
func checked(t testing.TB, vs ...value.V) {
	t.Helper()
	for _, v := range vs {
		if v.IsZero() {
			continue
		}
		if err := cow.Check(v); err != nil {
			t.Error(err)
		}
	}
}
