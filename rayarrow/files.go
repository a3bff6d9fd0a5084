package rayarrow

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
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
func ReadIPC(r io.Reader) (out []value.V, err error) {
	defer corruptOnPanic("rayarrow.ReadIPC", &err)
	mem := newReadAllocator()
	mem.recycle = true
	rd, err := ipc.NewReader(&verifiedStream{r: r, input: &mem.input}, ipc.WithAllocator(mem))
	if err != nil {
		return nil, ray.Wrap(ray.ErrCorrupt, "rayarrow.ReadIPC", err, "not an Arrow IPC stream")
	}
	defer rd.Release()
	defer releaseAllOnPanic(&out)
	for rd.Next() {
		t, err := ImportRecord(rd.Record())
		if err != nil {
			releaseAll(out)
			return nil, err
		}
		out = append(out, t)
	}
	if err := rd.Err(); err != nil && !errors.Is(err, io.EOF) {
		releaseAll(out)
		return nil, ray.Wrap(ray.ErrCorrupt, "rayarrow.ReadIPC", err, "reading a record")
	}
	return out, nil
}

// ReadIPCFile reads every record of an Arrow IPC file (Feather v2). The
// file is read as its footer describes it (ipcfile.go): the schema from the
// footer, then every dictionary and record batch at the place the footer
// gives, through the same verification as ReadIPC. Files whose body has no
// Schema message (apache-arrow writes none) read like any other.
func ReadIPCFile(path string) ([]value.V, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, ray.Wrap(ray.ErrIO, "rayarrow.ReadIPCFile", err, "opening %s", path)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, ray.Wrap(ray.ErrIO, "rayarrow.ReadIPCFile", err, "stat %s", path)
	}
	out, err := readIPCFile(f, st.Size())
	if err != nil {
		return nil, withPath(err, path)
	}
	return out, nil
}

// readIPCFile reads the IPC file r of size bytes.
func readIPCFile(r io.ReaderAt, size int64) ([]value.V, error) {
	stream, err := ipcFileStream(r, size)
	if err != nil {
		return nil, err
	}
	out, err := ReadIPC(stream)
	if err != nil {
		var re *ray.Error
		if errors.As(err, &re) {
			re.Op = "rayarrow.ReadIPCFile"
		}
		return nil, err
	}
	return out, nil
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

// WriteParquet writes table t to the file at path as Parquet (zstd, in
// data pages of up to 8 MiB), replacing it. STR columns are written as
// plain strings, SYM columns as dictionary-encoded strings.
//
// The large pages are for speed: Arrow Go v17 makes a zstd encoder for
// every page it compresses, which cost more than the compression itself
// at its 1 MiB default.
func WriteParquet(path string, t value.V) error {
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

// ReadParquet reads the Parquet file at path into a raygo table. The file
// is verified before Arrow Go decodes any of it (see the package comment,
// "Untrusted data").
func ReadParquet(path string) (value.V, error) {
	f, err := os.Open(path)
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "opening %s", path)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "stat %s", path)
	}
	out, err := readParquet(f, st.Size())
	var re *ray.Error
	if errors.As(err, &re) {
		re.Msg = strings.TrimSuffix(path+": "+re.Msg, ": ")
	}
	return out, err
}

// readParquet reads a Parquet file of size bytes from r.
func readParquet(r parquet.ReaderAtSeeker, size int64) (out value.V, err error) {
	defer corruptOnPanic("rayarrow.ReadParquet", &err)
	mem := newReadAllocator()
	mem.input.Store(uint64(size))
	limit := mem.limit
	if !mem.budgeted {
		limit = min(limit, expansionLimit(uint64(size)))
	}
	if err := verifyParquet(r, size, limit); err != nil {
		return value.V{}, err
	}
	rdr, err := file.NewParquetReader(r, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrCorrupt, "rayarrow.ReadParquet", err, "reading the footer")
	}
	defer rdr.Close()
	if err := verifyStoredSchema(rdr); err != nil {
		return value.V{}, err
	}
	tbl, err := readParquetTable(rdr, mem)
	if err != nil {
		var re *ray.Error
		if errors.As(err, &re) { // verifyParquet's, of its own kind
			return value.V{}, err
		}
		return value.V{}, ray.Wrap(ray.ErrCorrupt, "rayarrow.ReadParquet", err, "reading")
	}
	defer tbl.Release()
	// A file of several row groups reads as chunked columns: import each
	// record, then join them.
	rd := array.NewTableReader(tbl, tbl.NumRows()+1)
	defer rd.Release()
	var parts []value.V
	defer func() {
		for i := range parts {
			cow.Release(&parts[i])
		}
	}()
	for rd.Next() {
		t, err := ImportRecord(rd.Record())
		if err != nil {
			return value.V{}, err
		}
		parts = append(parts, t)
	}
	if len(parts) > 0 {
		return vec.ConcatAll(parts...)
	}
	rec := array.NewRecord(tbl.Schema(), emptyColumns(tbl.Schema()), 0)
	defer rec.Release()
	return ImportRecord(rec)
}

func emptyColumns(s *arrow.Schema) []arrow.Array {
	cols := make([]arrow.Array, len(s.Fields()))
	for i, f := range s.Fields() {
		cols[i] = array.MakeArrayOfNull(memory.DefaultAllocator, f.Type, 0)
	}
	return cols
}

// releaseAllOnPanic is releaseOnPanic for a list of tables.
func releaseAllOnPanic(vs *[]value.V) {
	if r := recover(); r != nil {
		releaseAll(*vs)
		*vs = nil
		panic(r)
	}
}

// readParquetTable reads a whole Parquet file column by column on the
// calling goroutine. (pqarrow.ReadTable reads on goroutines of its own,
// where a panic over damaged pages, which Arrow Go v17 answers a bad
// checksum with, would end the process instead of reaching ReadParquet's
// recover.)
func readParquetTable(rdr *file.Reader, mem *readAllocator) (arrow.Table, error) {
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		return nil, err
	}
	schema, err := fr.Schema()
	if err != nil {
		return nil, err
	}
	groups := make([]int, rdr.NumRowGroups())
	for i := range groups {
		groups[i] = i
	}
	leaves := make(map[int]bool)
	for i := range rdr.MetaData().Schema.NumColumns() {
		leaves[i] = true
	}
	cols := make([]arrow.Column, 0, len(fr.Manifest.Fields))
	defer func() {
		for i := range cols {
			cols[i].Release()
		}
	}()
	for i := range fr.Manifest.Fields {
		cr, err := fr.GetFieldReader(context.Background(), i, leaves, groups)
		if err != nil {
			return nil, err
		}
		chunks, err := fr.ReadColumn(groups, cr)
		if err != nil {
			return nil, err
		}
		cols = append(cols, *arrow.NewColumn(schema.Field(i), chunks))
		chunks.Release()
	}
	return array.NewTable(schema, cols, rdr.NumRows()), nil
}
