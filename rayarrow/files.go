package rayarrow

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/atomicfile"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// Files go through Arrow's own writers and readers. The columns reach the
// writer as exported (no copy) except where a format cannot take them:
// Parquet (in Arrow Go v17) rejects string_view and is simplest with plain
// strings, so STR and SYM columns are converted to Arrow string columns on
// the way to Parquet, and come back from it as STR.

// Compression chooses how IPC files are compressed.
type Compression int

const (
	Uncompressed Compression = iota
	LZ4
	Zstd
)

// check returns ErrDomain unless c is one of the compressions above.
func (c Compression) check(op string) error {
	switch c {
	case Uncompressed, LZ4, Zstd:
		return nil
	}
	return ray.Errorf(ray.ErrDomain, op, "%d is not a Compression", int(c))
}

func ipcOptions(schema *arrow.Schema, c Compression) []ipc.Option {
	opts := []ipc.Option{ipc.WithSchema(schema)}
	switch c {
	case LZ4:
		opts = append(opts, ipc.WithLZ4())
	case Zstd:
		opts = append(opts, ipc.WithZstd())
	}
	return opts
}

// WriteIPCStream writes tables (which must share a schema) to w as an Arrow
// IPC stream.
func WriteIPCStream(w io.Writer, c Compression, tables ...value.V) error {
	if err := c.check("rayarrow.WriteIPCStream"); err != nil {
		return err
	}
	return writeRecords(tables, func(schema *arrow.Schema) (RecordWriter, error) {
		return ipc.NewWriter(w, ipcOptions(schema, c)...), nil
	})
}

// WriteIPCFile writes tables (which must share a schema) to the file at
// path in the Arrow IPC file format (Feather v2), replacing it.
func WriteIPCFile(path string, c Compression, tables ...value.V) error {
	if err := c.check("rayarrow.WriteIPCFile"); err != nil {
		return err
	}
	return atomicfile.Write("rayarrow.WriteIPCFile", path, func(f *atomicfile.Writer) error {
		return writeRecords(tables, func(schema *arrow.Schema) (RecordWriter, error) {
			return ipc.NewFileWriter(f, ipcOptions(schema, c)...)
		})
	})
}

// RecordWriter is what WriteTables writes to: an Arrow IPC stream or file
// writer, an Arrow Flight record writer, anything that takes records.
type RecordWriter interface {
	Write(arrow.Record) error
	Close() error
}

// WriteTables writes tables, which must share a schema, as record batches
// to the writer open returns for that schema, exported without copying
// their columns, and closes it. Each SYM column becomes one dictionary of
// the symbols it uses in any of the tables, shared by all the batches (an
// IPC stream or file may not replace a dictionary). WriteIPCStream,
// WriteIPCFile and rayflight's DoGet are built on it.
func WriteTables(open func(*arrow.Schema) (RecordWriter, error), tables ...value.V) error {
	return writeRecords(tables, open)
}

func writeRecords(tables []value.V, open func(*arrow.Schema) (RecordWriter, error)) error {
	if len(tables) == 0 {
		return ray.Errorf(ray.ErrLength, "rayarrow.Write", "no tables to write")
	}
	shared, err := sharedSymDicts(tables)
	if err != nil {
		return err
	}
	defer func() {
		for _, d := range shared {
			d.release()
		}
	}()
	var w RecordWriter
	var first *arrow.Schema
	for _, t := range tables {
		rec, err := exportRecord(t, shared, true)
		if err != nil {
			return err
		}
		if w == nil {
			first = rec.Schema()
			if w, err = open(first); err != nil {
				rec.Release()
				return ray.Wrap(ray.ErrIO, "rayarrow.Write", err, "opening the writer")
			}
		} else if !rec.Schema().Equal(first) {
			rec.Release()
			_ = w.Close()
			return ray.Errorf(ray.ErrSchema, "rayarrow.Write", "tables of different schemas in one file")
		}
		err = w.Write(rec)
		rec.Release()
		if err != nil {
			_ = w.Close()
			return ray.Wrap(ray.ErrIO, "rayarrow.Write", err, "writing a record")
		}
	}
	if err := w.Close(); err != nil {
		return ray.Wrap(ray.ErrIO, "rayarrow.Write", err, "closing the writer")
	}
	return nil
}

// sharedSymDicts returns, for each SYM column of the first table (by
// position), one dictionary of that column's symbols in every table: a
// file then holds each dictionary once, with just the symbols it uses
// (an IPC file may not replace a dictionary between record batches).
func sharedSymDicts(tables []value.V) (map[int]*symDict, error) {
	if tables[0].IsZero() || tables[0].Type() != value.Table {
		return nil, nil // exportRecord reports it
	}
	shared := make(map[int]*symDict)
	for i := range vec.NumCols(tables[0]) {
		if _, c, err := vec.ColumnAt(tables[0], i); err != nil || c.Type() != value.Sym {
			continue
		}
		var cols []value.V
		for _, t := range tables {
			if t.IsZero() || t.Type() != value.Table {
				continue
			}
			if _, c, err := vec.ColumnAt(t, i); err == nil && c.Type() == value.Sym {
				cols = append(cols, c)
			}
		}
		d, err := newSymDict(cols...)
		if err != nil {
			for _, d := range shared {
				d.release()
			}
			return nil, err
		}
		shared[i] = d
	}
	return shared, nil
}

// ReadIPC reads every record of an Arrow IPC stream into raygo tables.
func ReadIPC(r io.Reader) ([]value.V, error) {
	var out []value.V
	var failed error
	scanIPC(r, "rayarrow.ReadIPC", readOptionsOf(nil), func(t value.V, err error) bool {
		if err != nil {
			failed = err
			return false
		}
		out = append(out, t)
		return true
	})
	if failed != nil {
		releaseAll(out)
		return nil, failed
	}
	return out, nil
}

// ReadIPCFile reads the record batches of an Arrow IPC file (Feather v2).
// The file is read as its footer describes it (ipcfile.go): the schema from
// the footer, then every dictionary and record batch at the place the
// footer gives, through the same verification as ReadIPC. Files whose body
// has no Schema message (apache-arrow writes none) read like any other.
//
// The Parquet readers' options apply: Columns and ColumnIndexes import
// only those columns (Arrow Go still decodes every column of a batch;
// only the chosen ones are copied into raygo), RowGroups chooses record
// batches (by index, read in the file's order), AsSym reads string columns
// as SYM, WithContext stops the read. RowGroupsInRange is ErrNYI (IPC files
// have no statistics); DictionariesAsSym changes nothing (dictionary
// columns always read as SYM).
func ReadIPCFile(path string, opts ...ReadOption) ([]value.V, error) {
	var out []value.V
	for t, err := range ScanIPCFile(path, opts...) {
		if err != nil {
			releaseAll(out)
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// ScanIPCFile yields the record batches ReadIPCFile reads one at a time,
// each a TABLE the caller owns and releases, so that a file larger than
// memory can be processed. The sequence stops after the first error it
// yields.
func ScanIPCFile(path string, opts ...ReadOption) iter.Seq2[value.V, error] {
	o := readOptionsOf(opts)
	return func(yield func(value.V, error) bool) {
		f, err := os.Open(path)
		if err != nil {
			yield(value.V{}, ray.Wrap(ray.ErrIO, "rayarrow.ReadIPCFile", err, "opening %s", path))
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			yield(value.V{}, ray.Wrap(ray.ErrIO, "rayarrow.ReadIPCFile", err, "stat %s", path))
			return
		}
		scanIPCFile(f, st.Size(), o, func(t value.V, err error) bool {
			return yield(t, withPath(err, path))
		})
	}
}

// readIPCFile reads the IPC file r of size bytes.
func readIPCFile(r io.ReaderAt, size int64) ([]value.V, error) {
	stream, err := ipcFileStream(r, size)
	if err != nil {
		return nil, err
	}
	out, err := ReadIPC(stream)
	var re *ray.Error
	if errors.As(err, &re) {
		re.Op = "rayarrow.ReadIPCFile"
	}
	return out, err
}

func scanIPCFile(r io.ReaderAt, size int64, o *readOptions, yield func(value.V, error) bool) {
	stream, err := ipcFileStream(r, size)
	if err != nil {
		yield(value.V{}, err)
		return
	}
	scanIPC(stream, "rayarrow.ReadIPCFile", o, yield)
}

// scanIPC yields the record batches of an IPC stream as tables, with the
// options' projection, batch choice and SYM columns.
func scanIPC(r io.Reader, op string, o *readOptions, yield func(value.V, error) bool) {
	fail := func(err error) {
		var re *ray.Error
		if errors.As(err, &re) && re.Op == "rayarrow.ReadIPC" {
			re.Op = op
		}
		yield(value.V{}, err)
	}
	if len(o.ranges) > 0 {
		fail(ray.Errorf(ray.ErrNYI, op, "an IPC file has no statistics for RowGroupsInRange"))
		return
	}
	// Arrow Go panics over some damaged input; each step that hands it
	// the stream recovers (never around yield, whose panics are the
	// caller's).
	guard := func(step func() error) (err error) {
		defer corruptOnPanic(op, &err)
		return step()
	}
	var rd *ipc.Reader
	var names []string
	var fields []int
	err := guard(func() error {
		var err error
		if rd, err = openIPC(r, op); err != nil {
			return err
		}
		if names, err = columnNames(rd.Schema()); err != nil {
			return err
		}
		fields, err = projectFields(o, names)
		return err
	})
	if rd != nil {
		defer rd.Release()
	}
	if err != nil {
		fail(err)
		return
	}
	want := map[int]bool{}
	for _, g := range o.groups {
		if g < 0 {
			fail(ray.Errorf(ray.ErrRange, op, "record batch %d", g))
			return
		}
		want[g] = true
	}
	batch := 0
	for ; ; batch++ {
		if err := o.ctx.Err(); err != nil {
			fail(err)
			return
		}
		var t value.V
		more := false
		err := guard(func() error {
			if more = rd.Next(); !more {
				if err := rd.Err(); err != nil && !errors.Is(err, io.EOF) {
					return ray.Wrap(ray.ErrCorrupt, op, err, "reading a record")
				}
				return nil
			}
			if o.byGroups && !want[batch] {
				return nil
			}
			var err error
			if t, err = importFields(rd.Record(), fields, names); err != nil {
				return err
			}
			if err = symColumns(&t, o.sym); err != nil {
				cow.Release(&t)
			}
			return err
		})
		if err != nil {
			fail(err)
			return
		}
		if !more {
			break
		}
		if !t.IsZero() && !yield(t, nil) {
			return
		}
	}
	for _, g := range o.groups {
		if g >= batch {
			fail(ray.Errorf(ray.ErrRange, op, "record batch %d of %d", g, batch))
			return
		}
	}
}

// projectFields returns the fields the options choose, by position.
func projectFields(o *readOptions, names []string) ([]int, error) {
	switch {
	case o.names != nil:
		byName := make(map[string]int, len(names))
		for i, n := range names {
			byName[n] = i
		}
		out := make([]int, len(o.names))
		for k, n := range o.names {
			i, ok := byName[n]
			if !ok {
				return nil, ray.Errorf(ray.ErrName, "rayarrow.Read", "no column %q", n)
			}
			out[k] = i
		}
		return out, checkDistinct(out, names)
	case o.indexes != nil:
		for _, i := range o.indexes {
			if i < 0 || i >= len(names) {
				return nil, ray.Errorf(ray.ErrRange, "rayarrow.Read", "column %d outside [0, %d)", i, len(names))
			}
		}
		return o.indexes, checkDistinct(o.indexes, names)
	}
	out := make([]int, len(names))
	for i := range out {
		out[i] = i
	}
	return out, nil
}

// symColumns makes SYM of the named columns of *tp, which must be string
// columns (ErrType otherwise; ErrName for a column it lacks).
func symColumns(tp *value.V, names []string) error {
	if len(names) == 0 {
		return nil
	}
	sym := make(map[string]bool, len(names))
	for _, name := range names {
		if _, col, err := vec.ColumnByName(*tp, name); err != nil {
			return ray.Errorf(ray.ErrName, "rayarrow.Read", "no column %q to read as SYM", name)
		} else if col.Type() != value.Str && col.Type() != value.Sym {
			return ray.Errorf(ray.ErrType, "rayarrow.Read", "column %q is %v, not a string column to read as SYM", name, col.Type())
		}
		sym[name] = true
	}
	out, err := vec.NewTable()
	if err != nil {
		return err
	}
	for i := range vec.NumCols(*tp) {
		name, col, _ := vec.ColumnAt(*tp, i)
		if sym[name] {
			col, err = vec.ToSym(col)
		} else {
			col = cow.Retain(col)
		}
		if err == nil {
			err = vec.AddColumn(&out, name, col)
			cow.Release(&col)
		}
		if err != nil {
			cow.Release(&out)
			return err
		}
	}
	cow.Release(tp)
	*tp = out
	return nil
}

// withPath adds the file's path to a raygo error's message.
func withPath(err error, path string) error {
	var re *ray.Error
	if errors.As(err, &re) && !strings.Contains(re.Msg, path) {
		re.Msg = path + ": " + re.Msg
	}
	return err
}

func releaseAll(vs []value.V) {
	for i := range vs {
		cow.Release(&vs[i])
	}
}

// WriteParquet writes table t to the file at path as Parquet, replacing it
// atomically, with raygo's own writer (WriteParquetTo: zstd level 3, row
// groups of 122,880 rows, SYM columns as dictionaries, statistics, the
// Arrow schema stored so that SYM reads back as SYM). A table with a
// column the native writer does not take (a LIST) is written by Arrow Go.
func WriteParquet(path string, t value.V, opts ...WriteOption) error {
	if _, err := writeColumns(t); err != nil {
		var re *ray.Error
		if errors.As(err, &re) && re.Kind == ray.ErrNYI {
			return writeParquetArrow(path, t)
		}
		return err
	}
	return atomicfile.Write("rayarrow.WriteParquet", path, func(f *atomicfile.Writer) error {
		bw := bufio.NewWriterSize(f, 1<<20)
		if err := WriteParquetTo(bw, t, opts...); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// writeParquetArrow writes t through Arrow Go's Parquet writer (zstd, in
// data pages of up to 8 MiB), for the columns the native writer does not
// take. STR columns are written as plain strings, SYM columns as
// dictionary-encoded strings. (The large pages are for speed: Arrow Go v17
// makes a zstd encoder for every page it compresses.)
func writeParquetArrow(path string, t value.V) error {
	rec, err := ExportRecord(t)
	if err != nil {
		return err
	}
	defer rec.Release()
	plain, err := plainStrings(rec)
	if err != nil {
		return err
	}
	defer plain.Release()
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithDataPageSize(8<<20))
	return atomicfile.Write("rayarrow.WriteParquet", path, func(f *atomicfile.Writer) error {
		// The Arrow schema goes into the file's metadata (ARROW:schema), so
		// that readers restore SYM columns, written as dictionaries, as
		// dictionaries: SYM survives a round trip.
		w, err := pqarrow.NewFileWriter(plain.Schema(), f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			return err
		}
		if err := w.Write(plain); err != nil {
			w.Close()
			return err
		}
		return w.Close()
	})
}

// plainStrings returns rec with its string_view columns converted to string
// columns.
func plainStrings(rec arrow.Record) (arrow.Record, error) {
	mem := memory.DefaultAllocator
	fields := rec.Schema().Fields()
	cols := make([]arrow.Array, len(fields))
	for i := range fields {
		col := rec.Column(i)
		views, ok := col.(*array.StringView)
		if !ok {
			col.Retain()
			cols[i] = col
			continue
		}
		b := array.NewStringBuilder(mem)
		b.Reserve(views.Len())
		for j := range views.Len() {
			if views.IsNull(j) {
				b.AppendNull()
			} else {
				b.Append(views.Value(j))
			}
		}
		cols[i] = b.NewArray()
		b.Release()
		fields[i].Type = arrow.BinaryTypes.String
	}
	out := array.NewRecord(arrow.NewSchema(fields, nil), cols, rec.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

// ReadParquet reads the Parquet file at path into a raygo TABLE, or, when
// path is a directory, its part files (the *.parquet files in it, in name
// order; names starting with "_" or "." are skipped) as one table. The
// file is verified before any of it is decoded (see the package comment,
// "Untrusted data"); options choose the columns, row groups and SYM
// columns. Flat columns are decoded by raygo's own Parquet reader, nested
// ones through Arrow Go (see "Parquet" in the package comment).
func ReadParquet(path string, opts ...ReadOption) (value.V, error) {
	o := readOptionsOf(opts)
	st, err := os.Stat(path)
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "opening %s", path)
	}
	if st.IsDir() {
		return readParquetDir(path, o)
	}
	out, err := readParquetPath(path, o)
	return out, withPath(err, path)
}

// ReadParquetFrom reads the Parquet file of size bytes that r holds, as
// ReadParquet reads a file.
func ReadParquetFrom(r io.ReaderAt, size int64, opts ...ReadOption) (value.V, error) {
	return readParquet(r, size, readOptionsOf(opts))
}

func readParquetPath(path string, o *readOptions) (value.V, error) {
	f, err := os.Open(path)
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "opening %s", path)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "stat %s", path)
	}
	return readParquet(f, st.Size(), o)
}

// readParquet reads a Parquet file of size bytes from r.
func readParquet(r io.ReaderAt, size int64, o *readOptions) (out value.V, err error) {
	defer corruptOnPanic("rayarrow.ReadParquet", &err)
	f, err := openParquet(r, size)
	if err != nil {
		return value.V{}, err
	}
	defer f.close()
	p, err := f.plan(o)
	if err != nil {
		return value.V{}, err
	}
	return p.read(o)
}

// read reads what p plans, natively when it can.
func (p *pqPlan) read(o *readOptions) (value.V, error) {
	if err := o.ctx.Err(); err != nil {
		return value.V{}, err
	}
	if p.native {
		return readParquetNative(p, o)
	}
	return readParquetArrow(p, o)
}

// readParquetArrow reads what p plans through Arrow Go: each column's
// chunks are imported and joined, and the string columns the plan reads
// as SYM are interned.
func readParquetArrow(p *pqPlan, o *readOptions) (out value.V, err error) {
	f := p.f
	var leaves []int
	for _, c := range p.cols {
		leaves = appendLeaves(leaves, &f.manifest.Fields[c.field])
	}
	levels := func(leaf int) (int, int) {
		c := f.rdr.MetaData().Schema.Column(leaf)
		return int(c.MaxRepetitionLevel()), int(c.MaxDefinitionLevel())
	}
	if err := f.verifier.walkPages(leaves, p.groups, levels); err != nil {
		return value.V{}, err
	}
	fr, err := pqarrow.NewFileReader(f.rdr, pqarrow.ArrowReadProperties{}, f.mem)
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrCorrupt, "rayarrow.ReadParquet", err, "reading")
	}
	included := make(map[int]bool, len(leaves))
	for _, l := range leaves {
		included[l] = true
	}
	t, err := vec.NewTable()
	if err != nil {
		return value.V{}, err
	}
	defer releaseOnPanic(&t)
	for _, c := range p.cols {
		if err := o.ctx.Err(); err != nil {
			cow.Release(&t)
			return value.V{}, err
		}
		col, err := readArrowColumn(fr, c, p.groups, included)
		if err == nil && col.Len() != int64(p.rows) {
			err = corruptf("column %q: %d rows in row groups of %d", c.name, col.Len(), p.rows)
			cow.Release(&col)
		}
		if err == nil && c.kind == pkSym && col.Type() == value.Str {
			var sym value.V
			sym, err = vec.ToSym(col)
			cow.Release(&col)
			col = sym
		}
		if err == nil {
			err = vec.AddColumn(&t, c.name, col)
			cow.Release(&col)
		}
		if err != nil {
			cow.Release(&t)
			return value.V{}, err
		}
	}
	return t, nil
}

// appendLeaves appends the Parquet leaves under a field.
func appendLeaves(leaves []int, sf *pqarrow.SchemaField) []int {
	if sf.ColIndex >= 0 {
		return append(leaves, sf.ColIndex)
	}
	for i := range sf.Children {
		leaves = appendLeaves(leaves, &sf.Children[i])
	}
	return leaves
}

// importAs imports an array as column c wants it: as Import does, but
// decimals as I64 (DecimalsAsI64) and uint64 as F64 (Uint64AsF64) when the
// plan says so.
func importAs(a arrow.Array, c pqCol) (value.V, error) {
	var n int
	var at func(i int) (uint64, bool)
	switch {
	case c.kind == pkUint64F64:
		u, ok := a.(*array.Uint64)
		if !ok {
			return Import(a)
		}
		n, at = u.Len(), func(i int) (uint64, bool) { return math.Float64bits(float64(u.Value(i))), true }
	case c.kind == pkDecimalI64:
		switch d := a.(type) {
		case *array.Decimal128:
			n, at = d.Len(), func(i int) (uint64, bool) {
				x := d.Value(i)
				return x.LowBits(), x.HighBits() == int64(x.LowBits())>>63
			}
		case *array.Decimal256:
			n, at = d.Len(), func(i int) (uint64, bool) {
				w := d.Value(i).Array()
				sign := uint64(int64(w[0]) >> 63)
				return w[0], w[1] == sign && w[2] == sign && w[3] == sign
			}
		default:
			return Import(a)
		}
	default:
		return Import(a)
	}
	if err := checkBuffers(a); err != nil {
		return value.V{}, err
	}
	xs := make([]uint64, n)
	for i := range xs {
		if a.IsNull(i) {
			continue
		}
		x, ok := at(i)
		if !ok {
			return value.V{}, ray.Errorf(ray.ErrRange, "rayarrow.Import", "row %d: a decimal whose unscaled value does not fit an I64", i)
		}
		xs[i] = x
	}
	var v value.V
	var err error
	if c.out == value.F64 {
		v, err = vec.FromSlice(value.F64, reinterpret[uint64, float64](xs))
	} else {
		v, err = vec.FromSlice(value.I64, reinterpret[uint64, int64](xs))
	}
	if err != nil || a.NullN() == 0 {
		return v, err
	}
	bits := make([]byte, (n+7)/8)
	for i := range n {
		if a.IsNull(i) {
			bits[i>>3] |= 1 << (i & 7)
		}
	}
	if err := vec.SetNulls(&v, bits, 0); err != nil {
		cow.Release(&v)
		return value.V{}, err
	}
	return v, nil
}

// readArrowColumn reads one column's chunks in the given row groups with
// Arrow Go, on the calling goroutine (pqarrow.ReadTable reads on goroutines
// of its own, where a panic over damaged pages, which Arrow Go v17 answers
// a bad checksum with, would end the process instead of reaching
// ReadParquet's recover), and imports them as one vector.
func readArrowColumn(fr *pqarrow.FileReader, c pqCol, groups []int, included map[int]bool) (value.V, error) {
	corrupt := func(err error) error {
		var re *ray.Error
		if errors.As(err, &re) { // verification's or the codecs', of its own kind
			return err
		}
		return ray.Wrap(ray.ErrCorrupt, "rayarrow.ReadParquet", err, "column %q", c.name)
	}
	cr, err := fr.GetFieldReader(context.Background(), c.field, included, groups)
	if err != nil {
		return value.V{}, corrupt(err)
	}
	chunks, err := fr.ReadColumn(groups, cr)
	if err != nil {
		return value.V{}, corrupt(err)
	}
	defer chunks.Release()
	var parts []value.V
	defer func() { releaseAll(parts) }()
	at := 0
	for _, a := range chunks.Chunks() {
		v, err := importAs(a, c)
		var re *ray.Error
		if errors.As(err, &re) && re.Kind == ray.ErrRange && at > 0 {
			re.Msg = fmt.Sprintf("%s (counting from row %d of the table)", re.Msg, at)
		}
		if err != nil {
			return value.V{}, inColumn(err, c.name)
		}
		parts = append(parts, v)
		at += a.Len()
	}
	switch len(parts) {
	case 0:
		empty := array.MakeArrayOfNull(memory.DefaultAllocator, c.arrow, 0)
		defer empty.Release()
		v, err := Import(empty)
		return v, inColumn(err, c.name)
	case 1:
		return cow.Retain(parts[0]), nil
	}
	return vec.ConcatAll(parts...)
}

// ScanIPC yields the record batches of an Arrow IPC stream one at a time,
// each a TABLE the caller owns and releases, through the same verification
// as ReadIPC. The read options apply as they do to ScanIPCFile. The
// sequence stops after the first error it yields.
func ScanIPC(r io.Reader, opts ...ReadOption) iter.Seq2[value.V, error] {
	o := readOptionsOf(opts)
	return func(yield func(value.V, error) bool) {
		scanIPC(r, "rayarrow.ScanIPC", o, yield)
	}
}
