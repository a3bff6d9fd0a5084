package rayarrow

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// parquetSeed is a Parquet file of the sample table and how it was written.
type parquetSeed struct {
	name string
	b    []byte
}

// parquetSeeds writes the sample table (every column type raygo writes,
// each with a null) every way Arrow Go writes Parquet: each codec,
// dictionary and plain pages, data pages v1 and v2, one row group and
// several; and as WriteParquet writes it.
func parquetSeeds(t testing.TB) []parquetSeed {
	t.Helper()
	tb := sampleTable(t)
	defer cow.Release(&tb)
	rec, err := ExportRecord(tb)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	plain, err := plainStrings(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Release()
	var seeds []parquetSeed
	for _, c := range []struct {
		codec   compress.Compression
		dict    bool
		version parquet.DataPageVersion
		group   int64
	}{
		{compress.Codecs.Uncompressed, true, parquet.DataPageV1, 1 << 20},
		{compress.Codecs.Uncompressed, false, parquet.DataPageV2, 2},
		{compress.Codecs.Snappy, false, parquet.DataPageV2, 1 << 20},
		{compress.Codecs.Gzip, true, parquet.DataPageV2, 1},
		{compress.Codecs.Zstd, false, parquet.DataPageV1, 2},
		{compress.Codecs.Brotli, true, parquet.DataPageV1, 1 << 20},
	} {
		var buf bytes.Buffer
		props := parquet.NewWriterProperties(parquet.WithCompression(c.codec), parquet.WithDictionaryDefault(c.dict),
			parquet.WithDataPageVersion(c.version), parquet.WithMaxRowGroupLength(c.group))
		w, err := pqarrow.NewFileWriter(plain.Schema(), &buf, props, pqarrow.DefaultWriterProps())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(plain); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, parquetSeed{fmt.Sprintf("%v dict=%v v%d groups of %d", c.codec, c.dict, c.version+1, c.group), buf.Bytes()})
	}
	// A table of no rows: a chunk of no values has no data page offset.
	var cols []column
	for i, typ := range []value.Type{value.I64, value.F64, value.Bool, value.Date, value.Timestamp, value.Str, value.Sym} {
		cols = append(cols, column{fmt.Sprintf("c%d", i), must(vec.New(typ, 0))})
	}
	empty := tableOf(t, cols...)
	defer cow.Release(&empty)
	for _, w := range []struct {
		name string
		t    value.V
	}{{"WriteParquet", tb}, {"WriteParquet of no rows", empty}} {
		path := filepath.Join(t.TempDir(), "t.parquet")
		if err := WriteParquet(path, w.t); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, parquetSeed{w.name, b})
	}
	return seeds
}

// Verification refuses none of the files Arrow Go writes: each reads back
// as the table it was written from.
func TestParquetVerificationTakesEveryWayOfWriting(t *testing.T) {
	heaptest.Check(t)
	tb := sampleTable(t)
	defer cow.Release(&tb)
	for _, s := range parquetSeeds(t) {
		back, err := ReadParquetFrom(bytes.NewReader(s.b), int64(len(s.b)))
		if err != nil {
			t.Errorf("%s: %v", s.name, err)
			continue
		}
		if s.name == "WriteParquet of no rows" {
			if vec.NumRows(back) != 0 || vec.NumCols(back) != 7 {
				t.Errorf("%s: %d rows, %d columns", s.name, vec.NumRows(back), vec.NumCols(back))
			}
			cow.Release(&back)
			continue
		}
		for _, name := range []string{"id", "px", "ok", "day", "at", "name", "sym"} {
			_, a, _ := vec.ColumnByName(tb, name)
			want := fmt.Sprint(rows(t, a))
			if name == "sym" && s.name != "WriteParquet" {
				want = `["f.x" null "f.x"]` // without the Arrow schema in the file: STR
			}
			_, b, err := vec.ColumnByName(back, name)
			if err != nil || fmt.Sprint(rows(t, b)) != want {
				t.Errorf("%s: column %s: %v, want %v (%v)", s.name, name, rows(t, b), want, err)
			}
		}
		cow.Release(&back)
	}
}

// Every truncation of every seed, and every byte of every seed set in turn
// to 0x00, 0x7f or 0xff, is refused with an error of a kind damaged data
// deserves or read, never a panic or a leak.
func TestReadParquetRejectsDamage(t *testing.T) {
	heaptest.Check(t)
	old := heap.SetBudget(256 << 20)
	defer heap.SetBudget(old)
	read := func(what string, b []byte) {
		v, err := ReadParquetFrom(bytes.NewReader(b), int64(len(b)))
		refusedWell(t, what, err)
		checked(t, v)
		cow.Release(&v)
	}
	stride := 1
	if testing.Short() {
		stride = 7 // every seventh length and byte
	}
	for _, s := range parquetSeeds(t) {
		for n := 0; n < len(s.b); n += stride {
			read(s.name+" truncated", s.b[:n])
		}
		for i := 0; i < len(s.b); i += stride {
			c := []byte{0x00, 0x7f, 0xff}[i%3]
			b := bytes.Clone(s.b)
			b[i] = c
			read(fmt.Sprintf("%s with byte %d set to %#x", s.name, i, c), b)
		}
	}
}

// footerOf returns a Parquet file around the Thrift bytes meta, its
// footer, with data bytes before it.
func footerOf(data, meta []byte) []byte {
	b := append([]byte("PAR1"), data...)
	b = append(b, meta...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(meta)))
	return append(b, "PAR1"...)
}

// Files made by hand to be what Arrow Go would crash on without
// verification: each is refused with its kind, quickly and without
// allocating what it declares.
func TestReadParquetRefusesHostileMetadata(t *testing.T) {
	heaptest.Check(t)
	// A list header (type 9) of 2^31-1 structs: Arrow would make a slice
	// that long.
	hugeList := []byte{0x29, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00}
	// A schema nested a million levels: every element has one child.
	deep := []byte{0x29, 0xfc}
	deep = binary.AppendUvarint(deep, 1<<20)
	for range 1 << 20 {
		deep = append(deep, 0x55, 0x02, 0x00) // field 5 (num_children) i32 1, stop
	}
	deep = append(deep, 0x00)
	// Structs nested past maxThriftDepth: field 1 of type struct, again
	// and again.
	nested := bytes.Repeat([]byte{0x1c}, 1000)
	// A schema of one leaf and one row group whose single column chunk
	// claims a page at offset 4 of compressed size 2^31-1.
	leafAndChunk := func(codec byte, values, offset, size int64) []byte {
		b := []byte{0x29, 0x2c}         // field 2: list of 2 structs
		b = append(b, 0x55, 0x02, 0x00) // root: num_children 1
		b = append(b, 0x00)             // the leaf
		b = append(b, 0x16, 0x02)       // field 3: num_rows 1
		b = append(b, 0x19, 0x1c)       // field 4: list of 1 row group
		b = append(b, 0x19, 0x1c)       //   field 1: list of 1 column chunk
		b = append(b, 0x3c)             //     field 3: meta_data
		b = append(b, 0x45, codec<<1)   //       field 4: codec
		b = append(b, 0x16)             //       field 5: num_values
		b = binary.AppendUvarint(b, uint64(values)<<1)
		b = append(b, 0x26) //       field 7: total_compressed_size
		b = binary.AppendUvarint(b, uint64(size)<<1)
		b = append(b, 0x26) //       field 9: data_page_offset
		b = binary.AppendUvarint(b, uint64(offset)<<1)
		b = append(b, 0x00, 0x00) //     ends meta_data, column chunk
		b = append(b, 0x00)       //   ends row group
		return append(b, 0x00)    // ends the file metadata
	}
	for _, c := range []struct {
		name string
		b    []byte
		kind ray.Kind
	}{
		{"a list of 2^31-1 schema elements", footerOf(nil, hugeList), ray.ErrCorrupt},
		{"a schema nested 2^20 levels", footerOf(nil, deep), ray.ErrLimit},
		{"structs nested 1000 levels", footerOf(nil, nested), ray.ErrCorrupt},
		{"a column chunk past the file", footerOf(nil, leafAndChunk(0, 1, 4, 1<<31-1)), ray.ErrCorrupt},
		{"an encrypted footer", append(footerOf(nil, []byte{0})[:13], "PARE"...), ray.ErrNYI},
	} {
		v, err := ReadParquetFrom(bytes.NewReader(c.b), int64(len(c.b)))
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: %v, want %v", c.name, err, c.kind)
		}
		cow.Release(&v)
	}
}

// Page headers are held to the chunk and the read limit: a page declaring
// 2 GiB of data is ErrLimit under a smaller limit, one whose compressed
// bytes run past its chunk is ErrCorrupt.
func TestReadParquetHoldsPagesToTheirHeaders(t *testing.T) {
	heaptest.Check(t)
	// A page header: type 0 (data page v1), uncompressed and compressed
	// sizes, data_page_header{num_values 1, encodings 0}.
	pageHeader := func(uncompressed, compressed int64) []byte {
		b := []byte{0x15, 0x00, 0x15}
		b = binary.AppendUvarint(b, uint64(uncompressed)<<1)
		b = append(b, 0x15)
		b = binary.AppendUvarint(b, uint64(compressed)<<1)
		b = append(b, 0x2c, 0x15, 0x02, 0x15, 0x00, 0x15, 0x00, 0x15, 0x00, 0x00)
		return append(b, 0x00)
	}
	file := func(codec byte, header, data []byte) []byte {
		page := append(bytes.Clone(header), data...)
		meta := []byte{0x29, 0x2c, 0x55, 0x02, 0x00, 0x15, 0x04, 0x00, 0x16, 0x02, 0x19, 0x1c, 0x19, 0x1c, 0x3c, 0x45, codec << 1, 0x16, 0x02, 0x26}
		meta = binary.AppendUvarint(meta, uint64(len(page))<<1)
		meta = append(meta, 0x26, 0x08, 0x00, 0x00, 0x00, 0x00) // data_page_offset 4
		return footerOf(page, meta)
	}
	big := file(0, pageHeader(1<<31-1, 8), make([]byte, 8))
	if err := verifyAllPages(bytes.NewReader(big), int64(len(big)), 1<<30); !errors.Is(err, ray.ErrLimit) {
		t.Errorf("a page of 2 GiB under a limit of 1 GiB: %v", err)
	}
	past := file(0, pageHeader(100, 100), make([]byte, 8))
	if err := verifyAllPages(bytes.NewReader(past), int64(len(past)), 1<<30); !errors.Is(err, ray.ErrCorrupt) {
		t.Errorf("a page past its chunk: %v", err)
	}
	// The codecs fill the page's buffer and never grow it: a zstd frame of
	// 64 MiB of zeros (a few KB) or a snappy block declaring 64 MiB, for a
	// page of 8 bytes, is ErrCorrupt, and nothing of that size is made.
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 64<<20)
	zbomb := enc.EncodeAll(zeros, nil)
	enc.Close()
	sbomb := snappy.Encode(nil, zeros)
	for _, c := range []struct {
		codec compress.Compression
		bomb  []byte
	}{{compress.Codecs.Zstd, zbomb}, {compress.Codecs.Snappy, sbomb}} {
		codec, err := compress.GetCodec(c.codec)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err = func() (err error) {
			defer corruptOnPanic("test", &err)
			codec.Decode(make([]byte, 8), c.bomb)
			return nil
		}()
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("%v: 8 bytes from a frame of 64 MiB: %v", c.codec, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
			t.Errorf("%v: decoding the bomb allocated %d bytes", c.codec, grew)
		}
		out := codec.Decode(make([]byte, 64<<20), c.bomb)
		if !bytes.Equal(out, zeros) {
			t.Errorf("%v: a frame into a buffer of its size does not decode", c.codec)
		}
	}
}

// Without a budget a read may hold at most 1024 times its input plus 256
// MiB (a decompression bomb's bound); under a budget, the budget.
func TestReadAllocatorBoundsExpansion(t *testing.T) {
	old := heap.SetBudget(0)
	defer heap.SetBudget(old)
	refused := func(a *readAllocator, n int) (err error) {
		defer corruptOnPanic("test", &err)
		a.Free(a.Allocate(n))
		return nil
	}
	a := newReadAllocator()
	a.input.Store(1000)
	if err := refused(a, 1<<20); err != nil {
		t.Errorf("1 MiB from 1000 bytes: %v", err)
	}
	if err := refused(a, expansionBase+1000*maxExpansion+1); !errors.Is(err, ray.ErrLimit) {
		t.Errorf("past 1024 times 1000 bytes plus 256 MiB: %v", err)
	}
	if a.used.Load() != 0 {
		t.Errorf("%d bytes accounted after every buffer was freed", a.used.Load())
	}
	heap.SetBudget(1 << 30)
	b := newReadAllocator()
	if !b.budgeted || b.limit > 1<<30 {
		t.Errorf("under a budget of 1 GiB: limit %d, budgeted %v", b.limit, b.budgeted)
	}
	if err := refused(b, 1<<30+1); !errors.Is(err, ray.ErrLimit) {
		t.Errorf("past the budget: %v", err)
	}
}

// An IPC read's freed large buffers serve its next ones of the size
// class, cleared; small ones, and a Parquet read's, are left to the
// collector; and no more than recycleKeep bytes are kept.
func TestReadAllocatorRecycles(t *testing.T) {
	a := newReadAllocator()
	a.recycle = true
	b := a.Allocate(100_000)
	if len(b) != 100_000 || cap(b) != 1<<17 {
		t.Fatalf("len %d cap %d, want 100000 and 131072", len(b), cap(b))
	}
	for i := range b {
		b[i] = 0xAB
	}
	a.Free(b)
	c := a.Allocate(70_000) // the same class
	if &c[0] != &b[0] {
		t.Error("a freed buffer of the class was not reused")
	}
	for i, x := range c[:cap(c)] {
		if x != 0 && i < len(c) {
			t.Fatalf("byte %d of a reused buffer is %#x, not cleared", i, x)
		}
	}
	c = a.Reallocate(120_000, c) // grows in place within the class
	if &c[0] != &b[0] || len(c) != 120_000 {
		t.Error("a reallocation within the class moved")
	}
	d := a.Reallocate(300_000, c) // moves, and frees c for reuse
	if e := a.Allocate(1 << 17); &e[0] != &b[0] {
		t.Error("the buffer a reallocation left was not reused")
	} else {
		a.Free(e)
	}
	a.Free(d)
	small := a.Allocate(1000)
	a.Free(small)
	if a.used.Load() != 0 {
		t.Errorf("%d bytes accounted after every buffer was freed", a.used.Load())
	}
	var big [][]byte
	for range recycleKeep/(1<<20) + 4 {
		big = append(big, a.Allocate(1<<20))
	}
	for _, b := range big {
		a.Free(b)
	}
	if a.keep > recycleKeep {
		t.Errorf("%d bytes kept, more than %d", a.keep, recycleKeep)
	}
	p := newReadAllocator() // a Parquet read's
	b = p.Allocate(100_000)
	p.Free(b)
	if c := p.Allocate(100_000); &c[0] == &b[0] || p.keep != 0 {
		t.Error("a read that does not recycle reused a buffer")
	}
}

// FuzzReadParquet reads each input with the native reader and through
// Arrow Go: whatever the bytes, each gives a table that passes cow.Check
// or a raygo error of a kind damaged input may give, never a panic, an
// abort or a leak; when both accept, the tables are the same cell by cell.
// An input only one of them accepts is saved for review in the directory
// $RAYGO_PARQUET_REVIEW, when set (the classes found so far are in
// RELIABILITY.md). The seeds are the sample table and the typed corpus
// written every way Arrow Go writes Parquet, and the damaged files of
// testdata/parquet.
func FuzzReadParquet(f *testing.F) {
	for _, s := range parquetSeeds(f) {
		f.Add(s.b)
	}
	for _, s := range typedParquetFilesOf(f, 40) {
		f.Add(s.b)
	}
	for _, b := range damagedFiles(f, "parquet", "parquet") {
		f.Add(b)
	}
	review := os.Getenv("RAYGO_PARQUET_REVIEW")
	old := heap.SetBudget(256 << 20)
	defer heap.SetBudget(old)
	f.Fuzz(func(t *testing.T, b []byte) {
		heaptest.Check(t)
		native, viaArrow, errN, errA := readBoth(b)
		defer cow.Release(&native)
		defer cow.Release(&viaArrow)
		refusedWell(t, "the native reader", errN)
		refusedWell(t, "the Arrow path", errA)
		if errN == nil {
			checked(t, native)
		}
		if errA == nil {
			checked(t, viaArrow)
		}
		switch {
		case errN == nil && errA == nil:
			if d := tableDiff(native, viaArrow); d != "" {
				t.Fatalf("the readers differ: %s", d)
			}
		case (errN == nil) != (errA == nil) && review != "" && !errors.Is(errN, errNotNative):
			name := fmt.Sprintf("%x", sha256.Sum256(b))[:16]
			_ = os.MkdirAll(review, 0o755)
			_ = os.WriteFile(filepath.Join(review, name), b, 0o644)
			t.Logf("only one reader accepts (native: %v; Arrow: %v): saved as %s", errN, errA, name)
		}
	})
}

// verifyAllPages verifies a file's metadata and walks every page header of
// every chunk, as a read of every column through Arrow Go does.
func verifyAllPages(r io.ReaderAt, size int64, limit uint64) error {
	v, err := verifyParquet(r, size, limit)
	if err != nil {
		return err
	}
	var leaves, groups []int
	for i := range v.leaves {
		leaves = append(leaves, i)
	}
	for g := range v.groups {
		groups = append(groups, g)
	}
	return v.walkPages(leaves, groups, func(int) (int, int) { return 0, 1 })
}
