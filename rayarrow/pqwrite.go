package rayarrow

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"

	"github.com/raygo/ray"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// The native Parquet writer encodes a TABLE's columns straight from their
// blocks: each (row group, column) chunk is encoded by one of GOMAXPROCS
// workers (definition levels, values, statistics, compression through a
// zstd or snappy encoder the worker keeps), and the chunks are written in
// order with the footer. Every column is OPTIONAL (so nulls need no schema
// change), its values PLAIN, but SYM columns (ids are process-wide: each
// chunk remaps the ids it holds to 0..n-1) and strings and numbers of few
// distinct values, which get a compact dictionary per chunk. The Arrow schema goes into the
// footer's key-value metadata (ARROW:schema), so readers restore SYM as
// SYM.

// ParquetCodec is the compression of a Parquet file's pages.
type ParquetCodec int

const (
	ParquetZstd ParquetCodec = iota
	ParquetSnappy
	ParquetUncompressed
)

// A WriteOption changes how WriteParquetTo writes.
type WriteOption func(*writeOptions)

type writeOptions struct {
	codec     ParquetCodec
	level     int
	groupRows int
	pageBytes int
	kv        [][2]string
	plain     map[string]bool // columns written without a dictionary
	allPlain  bool
}

// DefaultRowGroupRows is the rows of a row group the writer makes by
// default, DuckDB's.
const DefaultRowGroupRows = 122_880

// WithParquetCodec sets the pages' compression (zstd by default) and, for
// zstd, its level (3 by default, DuckDB's; 1 to 22 as zstd's levels, which
// the encoder maps to its four speeds).
func WithParquetCodec(c ParquetCodec, level int) WriteOption {
	return func(o *writeOptions) { o.codec, o.level = c, level }
}

// RowGroupRows sets the rows of a row group (DefaultRowGroupRows).
func RowGroupRows(n int) WriteOption { return func(o *writeOptions) { o.groupRows = n } }

// PageBytes sets about how many bytes of values a data page holds (1 MiB
// by default, 1 GiB at most: a page's sizes are 32-bit).
func PageBytes(n int) WriteOption { return func(o *writeOptions) { o.pageBytes = n } }

// ColumnDictionary sets whether the named columns (every column when none
// is named) may be dictionary-encoded. On, the default, the writer uses a
// chunk dictionary where it pays: always for SYM, for strings and numbers
// when a chunk has few distinct values. Off writes their values PLAIN (a
// SYM column's names as strings; it still reads back as SYM, from the
// stored Arrow schema), for readers that want no dictionaries or columns
// whose values the heuristic misjudges. A later option overrides an
// earlier one for the columns they share.
func ColumnDictionary(on bool, columns ...string) WriteOption {
	return func(o *writeOptions) {
		if len(columns) == 0 {
			o.allPlain, o.plain = !on, nil
			return
		}
		if o.plain == nil {
			o.plain = map[string]bool{}
		}
		for _, c := range columns {
			o.plain[c] = !on
		}
	}
}

// KeyValue adds a key and value to the file's metadata.
func KeyValue(key, val string) WriteOption {
	return func(o *writeOptions) { o.kv = append(o.kv, [2]string{key, val}) }
}

// WriteParquetTo writes table t to w as a Parquet file.
func WriteParquetTo(w io.Writer, t value.V, opts ...WriteOption) error {
	o := &writeOptions{codec: ParquetZstd, level: 3, groupRows: DefaultRowGroupRows, pageBytes: 1 << 20}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	if o.groupRows <= 0 || o.pageBytes <= 0 || o.pageBytes > 1<<30 || o.codec < ParquetZstd || o.codec > ParquetUncompressed {
		return ray.Errorf(ray.ErrDomain, "rayarrow.WriteParquet", "row groups of %d rows, pages of %d bytes, codec %d", o.groupRows, o.pageBytes, o.codec)
	}
	cols, err := writeColumns(t)
	if err != nil {
		return err
	}
	for i := range cols {
		plain, named := o.plain[cols[i].name]
		cols[i].plain = plain || !named && o.allPlain
	}
	for name := range o.plain {
		if !slices.ContainsFunc(cols, func(c wcol) bool { return c.name == name }) {
			return ray.Errorf(ray.ErrName, "rayarrow.WriteParquet", "ColumnDictionary names no column %q", name)
		}
	}
	pw := &parquetWriter{w: w, o: o, cols: cols, rows: vec.NumRows(t)}
	return pw.write()
}

// wcol is a column to write.
type wcol struct {
	name  string
	v     value.V
	typ   value.Type
	plain bool // no dictionary (ColumnDictionary)
}

func writeColumns(t value.V) ([]wcol, error) {
	if t.IsZero() || t.Type() != value.Table {
		return nil, ray.Errorf(ray.ErrType, "rayarrow.WriteParquet", "want a TABLE, have %v", t.TypeName())
	}
	var cols []wcol
	for i := range vec.NumCols(t) {
		name, c, err := vec.ColumnAt(t, i)
		if err != nil {
			return nil, err
		}
		switch c.Type() {
		case value.Bool, value.U8, value.I16, value.I32, value.I64, value.F32, value.F64,
			value.Date, value.Time, value.Timestamp, value.GUID, value.Str, value.Sym:
		default:
			return nil, ray.Errorf(ray.ErrNYI, "rayarrow.WriteParquet", "column %q: the native writer takes no %v", name, c.Type())
		}
		cols = append(cols, wcol{name: name, v: c, typ: c.Type()})
	}
	return cols, nil
}

type parquetWriter struct {
	w    io.Writer
	o    *writeOptions
	cols []wcol
	rows int
	pos  int64
	meta [][]chunkOut // per row group, per column
}

// chunkOut is an encoded column chunk.
type chunkOut struct {
	b              []byte // pages
	dictLen        int64  // bytes of the dictionary page (at the start), 0 if none
	values         int64
	uncompressed   int64
	nulls          int64
	min, max       []byte // PLAIN-encoded statistics (nil: none)
	dict           bool
	compressedSize int64
}

func (pw *parquetWriter) write() error {
	if err := pw.put([]byte("PAR1")); err != nil {
		return err
	}
	groups := (pw.rows + pw.o.groupRows - 1) / pw.o.groupRows
	// Row groups are encoded a window at a time, every chunk of the
	// window in parallel, and written in order.
	window := max(1, 4*runtime.GOMAXPROCS(0)/max(len(pw.cols), 1))
	encoders := make(chan *pageEncoder, runtime.GOMAXPROCS(0))
	for range runtime.GOMAXPROCS(0) {
		e, err := newPageEncoder(pw.o)
		if err != nil {
			return err
		}
		encoders <- e
	}
	for g0 := 0; g0 < groups; g0 += window {
		g1 := min(groups, g0+window)
		outs := make([][]chunkOut, g1-g0)
		errs := make([]error, (g1-g0)*len(pw.cols))
		var wg sync.WaitGroup
		for g := g0; g < g1; g++ {
			outs[g-g0] = make([]chunkOut, len(pw.cols))
			for c := range pw.cols {
				wg.Add(1)
				go func() {
					defer wg.Done()
					e := <-encoders
					defer func() { encoders <- e }()
					r0 := g * pw.o.groupRows
					r1 := min(pw.rows, r0+pw.o.groupRows)
					outs[g-g0][c], errs[(g-g0)*len(pw.cols)+c] = e.chunk(pw.cols[c], r0, r1)
				}()
			}
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		for _, group := range outs {
			for c := range group {
				if err := pw.put(group[c].b); err != nil {
					return err
				}
				group[c].b = nil // written: the footer needs the rest
			}
			pw.meta = append(pw.meta, group)
		}
	}
	footer, err := pw.footer()
	if err != nil {
		return err
	}
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:4], uint32(len(footer)))
	copy(tail[4:], "PAR1")
	if err := pw.put(footer); err != nil {
		return err
	}
	return pw.put(tail[:])
}

func (pw *parquetWriter) put(b []byte) error {
	if _, err := pw.w.Write(b); err != nil {
		return ray.Wrap(ray.ErrIO, "rayarrow.WriteParquet", err, "writing")
	}
	pw.pos += int64(len(b))
	return nil
}

// Parquet's physical types, repetition, converted types and encodings.
const (
	ptBoolean = 0
	ptInt32   = 1
	ptInt64   = 2
	ptFloat   = 4
	ptDouble  = 5
	ptBytes   = 6
	ptFixed   = 7

	optional = 1

	ctUTF8       = 0
	ctDate       = 6
	ctTimeMillis = 7
	ctUint8      = 11
	ctInt16      = 16
)

func physOf(t value.Type) int32 {
	switch t {
	case value.Bool:
		return ptBoolean
	case value.U8, value.I16, value.I32, value.Date, value.Time:
		return ptInt32
	case value.I64, value.Timestamp:
		return ptInt64
	case value.F32:
		return ptFloat
	case value.F64:
		return ptDouble
	case value.GUID:
		return ptFixed
	}
	return ptBytes
}

// footer encodes FileMetaData.
func (pw *parquetWriter) footer() ([]byte, error) {
	kv, err := pw.keyValues()
	if err != nil {
		return nil, err
	}
	w := &thriftWriter{}
	w.begin()
	w.i32(1, 2) // version
	w.list(2, tStruct, len(pw.cols)+1)
	w.begin() // the root
	w.string(4, "schema")
	w.i32(5, int32(len(pw.cols)))
	w.end()
	for _, c := range pw.cols {
		w.begin()
		w.i32(1, physOf(c.typ))
		if c.typ == value.GUID {
			w.i32(2, 16)
		}
		w.i32(3, optional)
		w.string(4, c.name)
		switch c.typ {
		case value.Str, value.Sym:
			w.i32(6, ctUTF8)
			w.structField(10) // LogicalType
			w.structField(1)  // STRING
			w.end()
			w.end()
		case value.Date:
			w.i32(6, ctDate)
			w.structField(10)
			w.structField(6) // DATE
			w.end()
			w.end()
		case value.Time:
			w.i32(6, ctTimeMillis)
			w.structField(10)
			w.structField(7) // TIME
			w.bool(1, true)  // isAdjustedToUTC
			w.structField(2) // unit
			w.structField(1) // MILLIS
			w.end()
			w.end()
			w.end()
			w.end()
		case value.Timestamp:
			w.structField(10)
			w.structField(8) // TIMESTAMP
			w.bool(1, true)
			w.structField(2)
			w.structField(3) // NANOS
			w.end()
			w.end()
			w.end()
			w.end()
		case value.U8, value.I16:
			ct, width, signed := int32(ctUint8), int8(8), false
			if c.typ == value.I16 {
				ct, width, signed = ctInt16, 16, true
			}
			w.i32(6, ct)
			w.structField(10)
			w.structField(10) // INTEGER
			w.i8(1, width)
			w.bool(2, signed)
			w.end()
			w.end()
		}
		w.end()
	}
	w.i64(3, int64(pw.rows))
	w.list(4, tStruct, len(pw.meta))
	pos := int64(4)
	for g, group := range pw.meta {
		w.begin()
		w.list(1, tStruct, len(group))
		var total, compressed int64
		for c, ch := range group {
			w.begin()
			w.i64(2, pos)
			w.structField(3) // ColumnMetaData
			w.i32(1, physOf(pw.cols[c].typ))
			if ch.dict {
				w.list(2, tI32, 3)
				w.i32Elem(encPlain)
				w.i32Elem(encRLE)
				w.i32Elem(encRLEDictionary)
			} else {
				w.list(2, tI32, 2)
				w.i32Elem(encPlain)
				w.i32Elem(encRLE)
			}
			w.list(3, tBinary, 1)
			w.binaryElem(pw.cols[c].name)
			w.i32(4, pw.o.codecNumber())
			w.i64(5, ch.values)
			w.i64(6, ch.uncompressed)
			w.i64(7, ch.size())
			w.i64(9, pos+ch.dictLen)
			if ch.dict {
				w.i64(11, pos)
			}
			w.structField(12) // Statistics
			w.i64(3, ch.nulls)
			if ch.min != nil {
				w.binary(5, ch.max)
				w.binary(6, ch.min)
			}
			w.end()
			w.end()
			w.end()
			pos += ch.size()
			total += ch.uncompressed
			compressed += ch.size()
		}
		w.i64(2, total)
		w.i64(3, int64(min(pw.o.groupRows, pw.rows-g*pw.o.groupRows)))
		w.i64(6, compressed)
		w.end()
	}
	w.list(5, tStruct, len(kv))
	for _, p := range kv {
		w.begin()
		w.string(1, p[0])
		w.string(2, p[1])
		w.end()
	}
	w.string(6, "raygo")
	w.list(7, tStruct, len(pw.cols)) // column orders: min/max by type
	for range pw.cols {
		w.begin()
		w.structField(1) // TYPE_ORDER
		w.end()
		w.end()
	}
	w.end()
	return w.b, nil
}

func (ch *chunkOut) size() int64 { return ch.compressedSize }

// keyValues is the footer's key-value metadata: the caller's, and the
// Arrow schema (ARROW:schema, a base64 IPC Schema message) that makes
// readers restore SYM as SYM.
func (pw *parquetWriter) keyValues() ([][2]string, error) {
	fields := make([]arrow.Field, len(pw.cols))
	for i, c := range pw.cols {
		fields[i] = arrow.Field{Name: c.name, Type: arrowTypeOf(c.typ), Nullable: true}
	}
	var buf bytes.Buffer
	iw := ipc.NewWriter(&buf, ipc.WithSchema(arrow.NewSchema(fields, nil)))
	if err := iw.Close(); err != nil {
		return nil, ray.Wrap(ray.ErrIO, "rayarrow.WriteParquet", err, "the Arrow schema")
	}
	kv := append([][2]string(nil), pw.o.kv...)
	return append(kv, [2]string{"ARROW:schema", base64.StdEncoding.EncodeToString(buf.Bytes())}), nil
}

// arrowTypeOf is the Arrow type a raygo column is stored as.
func arrowTypeOf(t value.Type) arrow.DataType {
	switch t {
	case value.Bool:
		return arrow.FixedWidthTypes.Boolean
	case value.U8:
		return arrow.PrimitiveTypes.Uint8
	case value.I16:
		return arrow.PrimitiveTypes.Int16
	case value.I32:
		return arrow.PrimitiveTypes.Int32
	case value.I64:
		return arrow.PrimitiveTypes.Int64
	case value.F32:
		return arrow.PrimitiveTypes.Float32
	case value.F64:
		return arrow.PrimitiveTypes.Float64
	case value.Date:
		return arrow.FixedWidthTypes.Date32
	case value.Time:
		return arrow.FixedWidthTypes.Time32ms
	case value.Timestamp:
		return &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}
	case value.GUID:
		return &arrow.FixedSizeBinaryType{ByteWidth: 16}
	case value.Sym:
		return &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	}
	return arrow.BinaryTypes.String
}

func (o *writeOptions) codecNumber() int32 {
	switch o.codec {
	case ParquetSnappy:
		return 1
	case ParquetZstd:
		return 6
	}
	return 0
}

// pageEncoder is a worker's state: its buffers and compressor.
type pageEncoder struct {
	o      *writeOptions
	zstd   *zstd.Encoder
	levels []byte
	values []byte
	page   []byte
	idx    []uint32
	raw    []byte
	dense  []uint64
	table  []uint32
	dict   []uint64
	idx2   []uint32
	ids    []int64
	// dictEntries is the entries of the dictionary last built.
	dictEntries int
}

func newPageEncoder(o *writeOptions) (*pageEncoder, error) {
	e := &pageEncoder{o: o}
	if o.codec == ParquetZstd {
		z, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(o.level)), zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, ray.Wrap(ray.ErrDomain, "rayarrow.WriteParquet", err, "zstd level %d", o.level)
		}
		e.zstd = z
	}
	return e, nil
}

func (e *pageEncoder) compress(dst, src []byte) []byte {
	switch e.o.codec {
	case ParquetZstd:
		return e.zstd.EncodeAll(src, dst)
	case ParquetSnappy:
		return append(dst, snappy.Encode(nil, src)...)
	}
	return append(dst, src...)
}

// chunk encodes rows [r0, r1) of column c: a dictionary page for SYM, then
// data pages v1 of about pageBytes of values each.
func (e *pageEncoder) chunk(c wcol, r0, r1 int) (out chunkOut, err error) {
	n := r1 - r0
	nullBits, nullOff := vec.NullBits(c.v)
	isNull := func(i int) bool {
		if nullBits == nil {
			return false
		}
		j := nullOff + r0 + i
		return j>>3 < len(nullBits) && nullBits[j>>3]>>(j&7)&1 != 0
	}
	out.values = int64(n)
	st := newStats(c.typ)
	// A dictionary when it pays: always for SYM (its ids remapped to the
	// chunk's own, 0..n-1), and for strings and numbers of few distinct
	// values (names, codes, prices, quantities), smaller and faster to
	// compress than PLAIN. didx holds each present row's index.
	var dense []uint64
	var didx []uint32
	var dictPage []byte
	var width uint
	psize := 0
	switch {
	case c.plain:
		if physNumber(c.typ) {
			psize = 4
			if physOf(c.typ) == ptInt64 || physOf(c.typ) == ptDouble {
				psize = 8
			}
			if dense, err = e.denseValues(c, r0, r1, isNull, st); err != nil {
				return out, err
			}
		}
	case c.typ == value.Sym:
		e.ids = growI64(e.ids, n)
		if _, err := vec.SymIDs(e.ids, c.v, r0); err != nil {
			return out, err
		}
		dense = e.dense[:0]
		for i, id := range e.ids {
			if !isNull(i) {
				dense = append(dense, uint64(id))
			}
		}
		e.dense = dense
		var dict []uint64
		dict, didx = e.dictionary(dense, len(dense)+2)
		page := e.values[:0]
		for _, id := range dict {
			name, _ := value.SymName(int64(id))
			page = binary.LittleEndian.AppendUint32(page, uint32(len(name)))
			page = append(page, name...)
			st.addBytes([]byte(name))
		}
		e.values, dictPage = page, page
	case c.typ == value.Str:
		didx, dictPage = e.strDictionary(c, r0, r1, isNull, st)
	case physNumber(c.typ):
		psize = 4
		if physOf(c.typ) == ptInt64 || physOf(c.typ) == ptDouble {
			psize = 8
		}
		if dense, err = e.denseValues(c, r0, r1, isNull, st); err != nil {
			return out, err
		}
		var dict []uint64
		if dict, didx = e.dictionary(dense, min(len(dense)/4, 1<<16)); dict != nil {
			page := e.values[:0]
			for _, x := range dict {
				if psize == 4 {
					page = binary.LittleEndian.AppendUint32(page, uint32(x))
				} else {
					page = binary.LittleEndian.AppendUint64(page, x)
				}
			}
			e.values, dictPage = page, page
		}
	}
	if didx != nil {
		entries := 0
		for _, k := range didx {
			entries = max(entries, int(k)+1)
		}
		width = uint(max(1, bits.Len32(uint32(max(entries, 1)-1))))
		out.dict = true
		e.page = e.compress(e.page[:0], dictPage)
		out.b = e.pageHeader(out.b, pageDictionary, len(dictPage), len(e.page), e.dictEntries, encPlain)
		out.uncompressed += int64(len(out.b) + len(dictPage))
		out.b = append(out.b, e.page...)
		out.dictLen = int64(len(out.b))
	}
	d0 := 0 // the dense values before the page
	size := elemBytes(c.typ)
	perPage := max(1, e.o.pageBytes/size)
	for p0 := 0; p0 < n; {
		p1 := min(n, p0+perPage)
		if c.typ == value.Str || c.typ == value.Sym && didx == nil { // a page of long strings ends early
			bytes := 0
			for i := p0; i < p1; i++ {
				if s, err := stringAt(c, r0+i); err == nil && !isNull(i) {
					if bytes += 4 + len(s); bytes > e.o.pageBytes {
						p1 = i + 1
					}
				}
			}
		}
		// Definition levels, as hybrid runs, after their length.
		e.levels = e.levels[:0]
		present := 0
		lv := e.idx[:0]
		for i := p0; i < p1; i++ {
			if isNull(i) {
				lv = append(lv, 0)
				out.nulls++
			} else {
				lv = append(lv, 1)
				present++
			}
		}
		e.levels = binary.LittleEndian.AppendUint32(e.levels, 0)
		e.levels = appendHybrid(e.levels, lv, 1)
		binary.LittleEndian.PutUint32(e.levels, uint32(len(e.levels)-4))
		e.idx = lv[:0]
		// The values of the rows that have one.
		body := append(e.values[:0], e.levels...)
		enc := int64(encPlain)
		switch {
		case didx != nil:
			enc = encRLEDictionary
			body = append(body, byte(width))
			body = appendHybrid(body, didx[d0:d0+present], width)
			d0 += present
		case c.typ == value.Str || c.typ == value.Sym:
			for i := p0; i < p1; i++ {
				if isNull(i) {
					continue
				}
				s, err := stringAt(c, r0+i)
				if err != nil {
					return out, err
				}
				body = binary.LittleEndian.AppendUint32(body, uint32(len(s)))
				body = append(body, s...)
				st.addBytes(s)
			}
		case dense == nil:
			if body, err = appendPlain(body, c, r0+p0, r0+p1, isNull, p0, st); err != nil {
				return out, err
			}
		case psize == 4:
			for _, x := range dense[d0 : d0+present] {
				body = binary.LittleEndian.AppendUint32(body, uint32(x))
			}
			d0 += present
		default:
			for _, x := range dense[d0 : d0+present] {
				body = binary.LittleEndian.AppendUint64(body, x)
			}
			d0 += present
		}
		e.values = body
		e.page = e.compress(e.page[:0], body)
		at := len(out.b)
		out.b = e.dataPageHeader(out.b, len(body), len(e.page), p1-p0, enc)
		out.uncompressed += int64(len(out.b) - at + len(body))
		out.b = append(out.b, e.page...)
		p0 = p1
	}
	out.min, out.max = st.encode()
	out.compressedSize = int64(len(out.b))
	return out, nil
}

// stringAt returns row r of a STR column, or the name of a SYM column's.
func stringAt(c wcol, r int) ([]byte, error) {
	if c.typ == value.Str {
		return vec.StrView(c.v, r)
	}
	name, err := vec.GetSym(c.v, r)
	return []byte(name), err
}

// pageHeader appends a dictionary page's header.
func (e *pageEncoder) pageHeader(dst []byte, typ int32, uncompressed, compressed, values int, enc int64) []byte {
	w := &thriftWriter{b: dst}
	w.begin()
	w.i32(1, typ)
	w.i32(2, int32(uncompressed))
	w.i32(3, int32(compressed))
	w.structField(7)
	w.i32(1, int32(values))
	w.i32(2, int32(enc))
	w.end()
	w.end()
	return w.b
}

// dataPageHeader appends a v1 data page's header.
func (e *pageEncoder) dataPageHeader(dst []byte, uncompressed, compressed, values int, enc int64) []byte {
	w := &thriftWriter{b: dst}
	w.begin()
	w.i32(1, pageData)
	w.i32(2, int32(uncompressed))
	w.i32(3, int32(compressed))
	w.structField(5)
	w.i32(1, int32(values))
	w.i32(2, int32(enc))
	w.i32(3, encRLE)
	w.i32(4, encRLE)
	w.end()
	w.end()
	return w.b
}

// elemBytes is about the bytes a value of type t takes in a page.
func elemBytes(t value.Type) int {
	switch t {
	case value.Bool:
		return 1
	case value.Str:
		return 16
	case value.Sym:
		return 2
	case value.I64, value.F64, value.Timestamp:
		return 8
	case value.GUID:
		return 16
	}
	return 4
}

// appendPlain appends the PLAIN encoding of the non-null rows [r0, r1) of
// a fixed-width column (rows from p0 in the chunk, for isNull), and adds
// them to the statistics.
func appendPlain(dst []byte, c wcol, r0, r1 int, isNull func(int) bool, p0 int, st *stats) ([]byte, error) {
	each := func(f func(i int)) {
		for r := r0; r < r1; r++ {
			if !isNull(p0 + r - r0) {
				f(r)
			}
		}
	}
	var err error
	switch c.typ {
	case value.Bool:
		xs, e := vec.Elems[bool](c.v)
		err = e
		var bitsBuf []byte
		k := 0
		each(func(r int) {
			if k%8 == 0 {
				bitsBuf = append(bitsBuf, 0)
			}
			if xs[r] {
				bitsBuf[k/8] |= 1 << (k % 8)
			}
			st.addInt(int64(b2i(xs[r])))
			k++
		})
		dst = append(dst, bitsBuf...)
	case value.U8:
		xs, e := vec.Elems[uint8](c.v)
		err = e
		each(func(r int) { dst = binary.LittleEndian.AppendUint32(dst, uint32(xs[r])); st.addInt(int64(xs[r])) })
	case value.I16:
		xs, e := vec.Elems[int16](c.v)
		err = e
		each(func(r int) {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(int32(xs[r])))
			st.addInt(int64(xs[r]))
		})
	case value.I32, value.Date, value.Time:
		xs, e := vec.Elems[int32](c.v)
		err = e
		each(func(r int) { dst = binary.LittleEndian.AppendUint32(dst, uint32(xs[r])); st.addInt(int64(xs[r])) })
	case value.I64, value.Timestamp:
		xs, e := vec.Elems[int64](c.v)
		err = e
		each(func(r int) { dst = binary.LittleEndian.AppendUint64(dst, uint64(xs[r])); st.addInt(xs[r]) })
	case value.F32:
		xs, e := vec.Elems[float32](c.v)
		err = e
		each(func(r int) {
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(xs[r]))
			st.addFloat(float64(xs[r]))
		})
	case value.F64:
		xs, e := vec.Elems[float64](c.v)
		err = e
		each(func(r int) { dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(xs[r])); st.addFloat(xs[r]) })
	case value.GUID:
		xs, e := vec.Elems[[16]byte](c.v)
		err = e
		each(func(r int) { dst = append(dst, xs[r][:]...); st.addBytes(xs[r][:]) })
	default:
		return nil, fmt.Errorf("no PLAIN values of %v", c.typ)
	}
	return dst, err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stats is a chunk's min and max, of the kind its type compares by.
type stats struct {
	typ        value.Type
	any        bool
	imin, imax int64
	fmin, fmax float64
	bmin, bmax []byte
}

func newStats(t value.Type) *stats { return &stats{typ: t} }

func (s *stats) addInt(x int64) {
	if !s.any || x < s.imin {
		s.imin = x
	}
	if !s.any || x > s.imax {
		s.imax = x
	}
	s.any = true
}

func (s *stats) addFloat(x float64) {
	if math.IsNaN(x) { // NaN orders nowhere: left out, as readers expect
		return
	}
	if !s.any || x < s.fmin {
		s.fmin = x
	}
	if !s.any || x > s.fmax {
		s.fmax = x
	}
	s.any = true
}

func (s *stats) addBytes(b []byte) {
	if !s.any || bytes.Compare(b, s.bmin) < 0 {
		s.bmin = append(s.bmin[:0], b...)
	}
	if !s.any || bytes.Compare(b, s.bmax) > 0 {
		s.bmax = append(s.bmax[:0], b...)
	}
	s.any = true
}

// encode returns min and max PLAIN-encoded (nil when no value was added).
func (s *stats) encode() (lo, hi []byte) {
	if !s.any {
		return nil, nil
	}
	switch s.typ {
	case value.Bool:
		return []byte{byte(s.imin)}, []byte{byte(s.imax)}
	case value.U8, value.I16, value.I32, value.Date, value.Time:
		return binary.LittleEndian.AppendUint32(nil, uint32(s.imin)), binary.LittleEndian.AppendUint32(nil, uint32(s.imax))
	case value.I64, value.Timestamp:
		return binary.LittleEndian.AppendUint64(nil, uint64(s.imin)), binary.LittleEndian.AppendUint64(nil, uint64(s.imax))
	case value.F32:
		lo, hi := float32(s.fmin), float32(s.fmax)
		if lo == 0 {
			lo = float32(math.Copysign(0, -1)) // a zero min is -0, a zero max +0
		}
		if hi == 0 {
			hi = 0
		}
		return binary.LittleEndian.AppendUint32(nil, math.Float32bits(lo)), binary.LittleEndian.AppendUint32(nil, math.Float32bits(hi))
	case value.F64:
		lo, hi := s.fmin, s.fmax
		if lo == 0 {
			lo = math.Copysign(0, -1)
		}
		if hi == 0 {
			hi = 0
		}
		return binary.LittleEndian.AppendUint64(nil, math.Float64bits(lo)), binary.LittleEndian.AppendUint64(nil, math.Float64bits(hi))
	}
	return s.bmin, s.bmax
}

// appendHybrid appends values of width bits in the RLE/bit-packed hybrid
// encoding: runs of eight or more equal values as RLE runs, the rest
// bit-packed in groups of eight (the last padded with zeros).
func appendHybrid(dst []byte, vals []uint32, width uint) []byte {
	runLen := func(i int) int {
		j := i + 1
		for j < len(vals) && vals[j] == vals[i] {
			j++
		}
		return j - i
	}
	for i := 0; i < len(vals); {
		if l := runLen(i); l >= 8 {
			dst = binary.AppendUvarint(dst, uint64(l)<<1)
			for b := uint(0); b < width; b += 8 {
				dst = append(dst, byte(vals[i]>>b))
			}
			i += l
			continue
		}
		start := i
		for i < len(vals) && (i == start || runLen(i) < 8) {
			i += 8
		}
		end := min(i, len(vals))
		groups := (i - start) / 8
		dst = binary.AppendUvarint(dst, uint64(groups)<<1|1)
		var acc uint64
		var have uint
		for k := start; k < start+groups*8; k++ {
			var v uint64
			if k < end {
				v = uint64(vals[k])
			}
			acc |= v << have
			have += width
			for have >= 8 {
				dst = append(dst, byte(acc))
				acc >>= 8
				have -= 8
			}
		}
		if have > 0 {
			dst = append(dst, byte(acc))
		}
		i = end
	}
	return dst
}

// physNumber reports whether t is stored as a 4- or 8-byte number, which
// the writer dictionary-encodes when a chunk has few distinct values.
func physNumber(t value.Type) bool {
	switch t {
	case value.U8, value.I16, value.I32, value.I64, value.F32, value.F64, value.Date, value.Time, value.Timestamp:
		return true
	}
	return false
}

// denseValues returns the physical values (as their PLAIN bits) of the
// non-null rows [r0, r1) of a number column, and adds them to st.
func (e *pageEncoder) denseValues(c wcol, r0, r1 int, isNull func(int) bool, st *stats) ([]uint64, error) {
	plain, err := appendPlain(e.raw[:0], c, r0, r1, isNull, 0, st)
	if err != nil {
		return nil, err
	}
	e.raw = plain
	size := 4
	if physOf(c.typ) == ptInt64 || physOf(c.typ) == ptDouble {
		size = 8
	}
	out := e.dense[:0]
	for i := 0; i+size <= len(plain); i += size {
		if size == 4 {
			out = append(out, uint64(binary.LittleEndian.Uint32(plain[i:])))
		} else {
			out = append(out, binary.LittleEndian.Uint64(plain[i:]))
		}
	}
	e.dense = out
	return out, nil
}

// dictionary returns the distinct values of xs in the order first met and
// each value's index, or nil when there are more than limit, or when the
// first 4,096 values are nearly all distinct (a column of distinct values,
// given up on at the cost of a few thousand probes).
func (e *pageEncoder) dictionary(xs []uint64, limit int) ([]uint64, []uint32) {
	if limit < 2 {
		return nil, nil
	}
	shift := 64 - bits.Len(uint(2*limit))
	slots := 1 << (64 - shift)
	if cap(e.table) < slots {
		e.table = make([]uint32, slots)
	}
	table := e.table[:slots] // index+1 of the value in dict, 0 for empty
	clear(table)
	mask := uint64(slots - 1)
	dict := e.dict[:0]
	idx := e.idx2[:0]
	for i, x := range xs {
		if i == 4096 && len(dict) > 4000 && limit < len(xs) {
			e.dict, e.idx2 = dict, idx
			return nil, nil
		}
		h := (x * 0x9e3779b97f4a7c15) >> shift // the product's high bits
		for {
			k := table[h]
			if k == 0 {
				if len(dict) == limit {
					e.dict, e.idx2 = dict, idx
					return nil, nil
				}
				dict = append(dict, x)
				table[h] = uint32(len(dict))
				idx = append(idx, uint32(len(dict)-1))
				break
			}
			if dict[k-1] == x {
				idx = append(idx, k-1)
				break
			}
			h = (h + 1) & mask
		}
	}
	e.dict, e.idx2 = dict, idx
	e.dictEntries = len(dict)
	return dict, idx
}

// strDictionary returns a STR chunk's dictionary page (PLAIN strings, in
// the order first met) and each present row's index, or nil when the
// chunk has too many distinct strings to gain by it (as dictionary
// decides); it adds the strings to st either way.
func (e *pageEncoder) strDictionary(c wcol, r0, r1 int, isNull func(int) bool, st *stats) ([]uint32, []byte) {
	present := 0
	for i := range r1 - r0 {
		if !isNull(i) {
			present++
		}
	}
	limit := min(present/4, 1<<16)
	if limit < 2 {
		return nil, nil
	}
	seen := make(map[string]uint32, min(limit, 1024))
	page := e.values[:0]
	idx := e.idx2[:0]
	k := 0
	for i := range r1 - r0 {
		if isNull(i) {
			continue
		}
		s, err := vec.StrView(c.v, r0+i)
		if err != nil {
			return nil, nil
		}
		if k == 4096 && len(seen) > 4000 {
			return nil, nil
		}
		k++
		j, ok := seen[string(s)]
		if !ok {
			if len(seen) == limit {
				return nil, nil
			}
			j = uint32(len(seen))
			seen[string(s)] = j
			page = binary.LittleEndian.AppendUint32(page, uint32(len(s)))
			page = append(page, s...)
			st.addBytes(s)
		}
		idx = append(idx, j)
	}
	e.values, e.idx2 = page, idx
	e.dictEntries = len(seen)
	return idx, page
}
