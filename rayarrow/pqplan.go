package rayarrow

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	pq "github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/metadata"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/raygo/ray"
	"github.com/raygo/ray/value"
)

// A Parquet read is planned once and executed by one of two readers. The
// plan (this file) decides, from the verified footer alone, which columns
// and row groups are read, what raygo type each column becomes and which
// string columns become SYM. The native reader (pqnative.go) decodes the
// planned chunks' pages straight into raygo columns; the Arrow path
// (readParquetArrow) has Arrow Go decode them and imports the result, for
// the columns the native reader does not place (nested ones). Both give
// the same table for the same plan; the differential tests hold them to it.

// errNotNative is why a read that tests force onto the native reader is
// refused (ErrNYI) when it does not place every column.
var errNotNative = errors.New("the native reader does not place every column")

// pqFile is an open, verified Parquet file.
type pqFile struct {
	r        io.ReaderAt
	size     int64
	rdr      *file.Reader
	verifier *parquetVerifier
	manifest *pqarrow.SchemaManifest
	names    []string // every field's raygo column name
	mem      *readAllocator
	limit    uint64
}

// openParquet verifies the footer and metadata of the Parquet file r of
// size bytes (not its pages: each reader checks the pages it reads) and
// opens it.
func openParquet(r io.ReaderAt, size int64) (*pqFile, error) {
	mem := newReadAllocator()
	mem.input.Store(uint64(size))
	limit := mem.limit
	if !mem.budgeted {
		limit = min(limit, expansionLimit(uint64(size)))
	}
	v, err := verifyParquet(r, size, limit)
	if err != nil {
		return nil, err
	}
	rdr, err := file.NewParquetReader(io.NewSectionReader(r, 0, size), file.WithReadProps(pq.NewReaderProperties(mem)))
	if err != nil {
		return nil, ray.Wrap(ray.ErrCorrupt, "rayarrow.ReadParquet", err, "reading the footer")
	}
	f := &pqFile{r: r, size: size, rdr: rdr, verifier: v, mem: mem, limit: limit}
	if err := verifyStoredSchema(rdr); err != nil {
		rdr.Close()
		return nil, err
	}
	md := rdr.MetaData()
	f.manifest, err = pqarrow.NewSchemaManifest(md.Schema, md.KeyValueMetadata(), &pqarrow.ArrowReadProperties{})
	if err != nil {
		rdr.Close()
		return nil, ray.Wrap(ray.ErrCorrupt, "rayarrow.ReadParquet", err, "the schema")
	}
	fields := make([]arrow.Field, len(f.manifest.Fields))
	for i, sf := range f.manifest.Fields {
		fields[i] = *sf.Field
	}
	if f.names, err = columnNames(arrow.NewSchema(fields, nil)); err != nil {
		rdr.Close()
		return nil, err
	}
	return f, nil
}

func (f *pqFile) close() { f.rdr.Close() }

// pqKind is how a column's physical values become raygo elements.
type pqKind uint8

const (
	pkCopy       pqKind = iota // the same bytes: INT32 -> I32/DATE, INT64 -> I64/TIMESTAMP ns, FLOAT, DOUBLE, BOOLEAN, FLBA(16) -> GUID
	pkInt8                     // INT32 (int8) -> I16
	pkInt16                    // INT32 (int16) -> I16
	pkUint8                    // INT32 (uint8) -> U8
	pkUint16                   // INT32 (uint16) -> I32
	pkUint32                   // INT32 (uint32) -> I64
	pkUint64                   // INT64 (uint64) -> I64, checked
	pkTimestamp                // INT64 in ms or us -> TIMESTAMP ns, checked
	pkInt96                    // INT96 (legacy timestamps) -> TIMESTAMP ns
	pkTimeMs                   // INT32 ms -> TIME, checked
	pkTimeDiv                  // INT64 us or ns -> TIME ms, checked
	pkDecimal                  // INT32, INT64, FLBA or BYTE_ARRAY decimal -> F64
	pkDecimalI64               // the same -> I64 of the unscaled value, checked (DecimalsAsI64)
	pkUint64F64                // INT64 (uint64) -> F64 (Uint64AsF64)
	pkString                   // BYTE_ARRAY -> STR
	pkSym                      // BYTE_ARRAY -> SYM
)

// pqCol is a planned column.
type pqCol struct {
	name     string
	field    int // in the Arrow schema (and the manifest)
	leaf     int // in the Parquet schema; -1 for a nested field
	arrow    arrow.DataType
	out      value.Type
	kind     pqKind
	native   bool // the native reader places it
	phys     pq.Type
	typeLen  int   // bytes of a FIXED_LEN_BYTE_ARRAY
	optional bool  // definition levels of one bit (maxDef 1)
	per      int64 // pkTimestamp: ns per unit; pkTimeDiv: units per ms
	scale    int32 // pkDecimal
}

// physSize is the bytes of a fixed-width physical value, 0 for BYTE_ARRAY.
func (c *pqCol) physSize() int {
	switch c.phys {
	case pq.Types.Boolean:
		return 1 // unpacked to a byte each
	case pq.Types.Int32, pq.Types.Float:
		return 4
	case pq.Types.Int64, pq.Types.Double:
		return 8
	case pq.Types.Int96:
		return 12
	case pq.Types.FixedLenByteArray:
		return c.typeLen
	}
	return 0
}

// pqPlan is what one read reads.
type pqPlan struct {
	f      *pqFile
	cols   []pqCol
	groups []int
	rows   int
	native bool
}

// plan decides what a read with options o reads of f.
func (f *pqFile) plan(o *readOptions) (*pqPlan, error) {
	p := &pqPlan{f: f, native: o.native >= 0}
	fields, err := f.selectFields(o)
	if err != nil {
		return nil, err
	}
	symNamed := make(map[string]bool, len(o.sym))
	for _, s := range o.sym {
		symNamed[s] = true
	}
	for _, i := range fields {
		c, err := f.column(i)
		if err != nil {
			return nil, err
		}
		switch {
		case o.decI64 && c.kind == pkDecimal:
			c.out, c.kind = value.I64, pkDecimalI64
		case o.u64F64 && c.kind == pkUint64:
			c.out, c.kind = value.F64, pkUint64F64
		}
		if symNamed[c.name] {
			if c.out != value.Str && c.out != value.Sym {
				return nil, ray.Errorf(ray.ErrType, "rayarrow.ReadParquet", "column %q is %v, not a string column to read as SYM", c.name, c.out)
			}
			c.out, c.kind = value.Sym, pkSym
			delete(symNamed, c.name)
		}
		p.cols = append(p.cols, c)
		p.native = p.native && c.native
	}
	for _, s := range o.sym {
		if symNamed[s] {
			return nil, ray.Errorf(ray.ErrName, "rayarrow.ReadParquet", "no column %q to read as SYM", s)
		}
	}
	if o.native > 0 && !p.native {
		return nil, ray.Wrap(ray.ErrNYI, "rayarrow.ReadParquet", errNotNative, "a forced native read")
	}
	if p.groups, err = f.selectGroups(o, p); err != nil {
		return nil, err
	}
	for _, g := range p.groups {
		n := f.rdr.MetaData().RowGroup(g).NumRows()
		if n < 0 || n > math.MaxInt32*64-int64(p.rows) {
			return nil, corruptf("row group %d of %d rows", g, n)
		}
		p.rows += int(n)
		// A chunk holds a value (or a null) for each row of its group;
		// a leaf of a nested column holds one at least. A chunk that says
		// otherwise would be read by one reader as rows of another group.
		for _, c := range p.cols {
			var leaves []int
			for _, l := range appendLeaves(leaves, &f.manifest.Fields[c.field]) {
				values := f.verifier.groups[g][l].numValues
				flat := f.rdr.MetaData().Schema.Column(l).MaxRepetitionLevel() == 0
				if values < n || flat && values != n {
					return nil, corruptf("row group %d of %d rows has %d values of column %q", g, n, values, c.name)
				}
			}
		}
	}
	if o.dictSym {
		if err := p.dictionariesAsSym(o.symLimit); err != nil {
			return nil, err
		}
	}
	// What the table will hold, at the least: the rows' elements (SYM at a
	// byte, STR at its views), which the read limit bounds as it bounds
	// what Arrow Go allocates.
	var bytes uint64
	for _, c := range p.cols {
		bytes += uint64(p.rows) * uint64(max(c.out.ElemSize(), 1))
	}
	if bytes > f.limit {
		return nil, ray.Errorf(ray.ErrLimit, "rayarrow.ReadParquet", "a table of %d rows (%d bytes at least) passes the read limit of %d", p.rows, bytes, f.limit)
	}
	return p, nil
}

// selectFields returns the fields to read, in order.
func (f *pqFile) selectFields(o *readOptions) ([]int, error) {
	fields, err := projectFields(o, f.names)
	var re *ray.Error
	if errors.As(err, &re) {
		re.Op = "rayarrow.ReadParquet"
	}
	return fields, err
}

func checkDistinct(fields []int, names []string) error {
	seen := make(map[int]bool, len(fields))
	for _, i := range fields {
		if seen[i] {
			return ray.Errorf(ray.ErrName, "rayarrow.ReadParquet", "column %q asked for twice", names[i])
		}
		seen[i] = true
	}
	return nil
}

// column plans field i.
func (f *pqFile) column(i int) (pqCol, error) {
	sf := &f.manifest.Fields[i]
	c := pqCol{name: f.names[i], field: i, leaf: sf.ColIndex, arrow: sf.Field.Type}
	if err := columnType(c.name, c.arrow); err != nil {
		var re *ray.Error
		if errors.As(err, &re) {
			re.Op = "rayarrow.ReadParquet"
		}
		return c, err
	}
	c.out = arrowToRay(c.arrow)
	if c.leaf < 0 || len(sf.Children) > 0 {
		return c, nil
	}
	leaf := f.rdr.MetaData().Schema.Column(c.leaf)
	if leaf.MaxRepetitionLevel() != 0 || leaf.MaxDefinitionLevel() > 1 {
		return c, nil
	}
	c.phys, c.typeLen, c.optional = leaf.PhysicalType(), leaf.TypeLength(), leaf.MaxDefinitionLevel() == 1
	c.native = c.placeable()
	return c, nil
}

// arrowToRay is the raygo type ImportRecord gives an Arrow column.
func arrowToRay(dt arrow.DataType) value.Type {
	switch dt := dt.(type) {
	case *arrow.BooleanType:
		return value.Bool
	case *arrow.Uint8Type:
		return value.U8
	case *arrow.Int8Type, *arrow.Int16Type:
		return value.I16
	case *arrow.Int32Type, *arrow.Uint16Type:
		return value.I32
	case *arrow.Int64Type, *arrow.Uint32Type, *arrow.Uint64Type:
		return value.I64
	case *arrow.Float32Type:
		return value.F32
	case *arrow.Float64Type, *arrow.Decimal128Type, *arrow.Decimal256Type:
		return value.F64
	case *arrow.Date32Type, *arrow.Date64Type:
		return value.Date
	case *arrow.Time32Type, *arrow.Time64Type:
		return value.Time
	case *arrow.TimestampType:
		return value.Timestamp
	case *arrow.FixedSizeBinaryType:
		return value.GUID
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType, *arrow.BinaryType, *arrow.LargeBinaryType:
		return value.Str
	case *arrow.DictionaryType:
		return value.Sym
	case *arrow.ListType:
		_ = dt
		return value.List
	}
	return value.Null
}

// placeable sets how the native reader places c's values and reports
// whether it does: a pairing of physical and Arrow types it knows.
func (c *pqCol) placeable() bool {
	P := pq.Types
	switch dt := c.arrow.(type) {
	case *arrow.BooleanType:
		return c.phys == P.Boolean
	case *arrow.Uint8Type:
		c.kind = pkUint8
		return c.phys == P.Int32
	case *arrow.Int8Type:
		c.kind = pkInt8
		return c.phys == P.Int32
	case *arrow.Int16Type:
		c.kind = pkInt16
		return c.phys == P.Int32
	case *arrow.Uint16Type:
		c.kind = pkUint16
		return c.phys == P.Int32
	case *arrow.Int32Type, *arrow.Date32Type:
		return c.phys == P.Int32
	case *arrow.Uint32Type:
		c.kind = pkUint32
		return c.phys == P.Int32
	case *arrow.Int64Type:
		return c.phys == P.Int64
	case *arrow.Uint64Type:
		c.kind = pkUint64
		return c.phys == P.Int64
	case *arrow.Float32Type:
		return c.phys == P.Float
	case *arrow.Float64Type:
		return c.phys == P.Double
	case *arrow.TimestampType:
		if c.phys == P.Int96 {
			c.kind = pkInt96
			return dt.Unit == arrow.Nanosecond
		}
		c.per = int64(dt.Unit.Multiplier())
		if c.per != 1 {
			c.kind = pkTimestamp
		}
		return c.phys == P.Int64
	case *arrow.Time32Type:
		c.kind = pkTimeMs
		return c.phys == P.Int32 && dt.Unit == arrow.Millisecond
	case *arrow.Time64Type:
		c.kind, c.per = pkTimeDiv, 1000
		if dt.Unit == arrow.Nanosecond {
			c.per = 1_000_000
		}
		return c.phys == P.Int64
	case *arrow.Decimal128Type:
		c.kind, c.scale = pkDecimal, dt.Scale
		return c.decimalPhys()
	case *arrow.Decimal256Type:
		c.kind, c.scale = pkDecimal, dt.Scale
		return c.decimalPhys()
	case *arrow.FixedSizeBinaryType:
		return c.phys == P.FixedLenByteArray && c.typeLen == 16 && dt.ByteWidth == 16
	case *arrow.StringType, *arrow.LargeStringType, *arrow.BinaryType, *arrow.LargeBinaryType:
		c.kind = pkString
		return c.phys == P.ByteArray
	case *arrow.DictionaryType:
		c.kind = pkSym
		switch dt.ValueType.(type) {
		case *arrow.StringType, *arrow.LargeStringType, *arrow.BinaryType, *arrow.LargeBinaryType:
			return c.phys == P.ByteArray
		}
	}
	return false
}

func (c *pqCol) decimalPhys() bool {
	switch c.phys {
	case pq.Types.Int32, pq.Types.Int64, pq.Types.ByteArray:
		return true
	case pq.Types.FixedLenByteArray:
		return c.typeLen >= 1 && c.typeLen <= 32
	}
	return false
}

// selectGroups returns the row groups to read: those asked for (all by
// default), less those whose statistics rule out a range asked for.
func (f *pqFile) selectGroups(o *readOptions, p *pqPlan) ([]int, error) {
	n := f.rdr.NumRowGroups()
	var groups []int
	if o.byGroups {
		for _, g := range o.groups {
			if g < 0 || g >= n {
				return nil, ray.Errorf(ray.ErrRange, "rayarrow.ReadParquet", "row group %d outside [0, %d)", g, n)
			}
		}
		groups = append(groups, o.groups...)
	} else {
		groups = make([]int, n)
		for i := range groups {
			groups[i] = i
		}
	}
	for _, sr := range o.ranges {
		c, err := f.rangeColumn(sr.column)
		if err != nil {
			return nil, err
		}
		keep, err := c.statFilter(sr)
		if err != nil {
			return nil, err
		}
		kept := groups[:0]
		for _, g := range groups {
			cc, err := f.rdr.MetaData().RowGroup(g).ColumnChunk(c.leaf)
			if err != nil || keep(cc) {
				kept = append(kept, g)
			}
		}
		groups = kept
	}
	return groups, nil
}

// rangeColumn plans the flat column named for a statistics range.
func (f *pqFile) rangeColumn(name string) (pqCol, error) {
	for i, n := range f.names {
		if n != name {
			continue
		}
		c, err := f.column(i)
		if err != nil {
			return c, err
		}
		if c.leaf < 0 || !c.native {
			return c, ray.Errorf(ray.ErrNYI, "rayarrow.ReadParquet", "column %q: no statistics range on %v", name, c.arrow)
		}
		return c, nil
	}
	return pqCol{}, ray.Errorf(ray.ErrName, "rayarrow.ReadParquet", "no column %q for a statistics range", name)
}

// statFilter returns whether a chunk's statistics may hold a value in the
// range; chunks without statistics are kept.
func (c *pqCol) statFilter(sr statRange) (func(*metadata.ColumnChunkMetaData) bool, error) {
	bad := func() error {
		return ray.Errorf(ray.ErrType, "rayarrow.ReadParquet", "column %q (%v): a range of %T and %T", c.name, c.out, sr.lo, sr.hi)
	}
	stats := func(cc *metadata.ColumnChunkMetaData) metadata.TypedStatistics {
		if ok, err := cc.StatsSet(); !ok || err != nil {
			return nil
		}
		s, err := cc.Statistics()
		if err != nil || s == nil || !s.HasMinMax() {
			return nil
		}
		return s
	}
	switch c.out {
	case value.I16, value.I32, value.I64, value.U8, value.Date, value.Time, value.Timestamp:
		lo, ok1 := intBound(sr.lo, c.out)
		hi, ok2 := intBound(sr.hi, c.out)
		if !ok1 || !ok2 || c.kind == pkUint64 || c.kind == pkInt96 || c.kind == pkDecimal {
			return nil, bad()
		}
		return func(cc *metadata.ColumnChunkMetaData) bool {
			s := stats(cc)
			if s == nil {
				return true
			}
			var mn, mx int64
			switch s := s.(type) {
			case *metadata.Int32Statistics:
				mn, mx = int64(s.Min()), int64(s.Max())
			case *metadata.Int64Statistics:
				mn, mx = s.Min(), s.Max()
			default:
				return true
			}
			mn, mx = c.scaleStat(mn), c.scaleStat(mx)
			return mx >= lo && mn <= hi
		}, nil
	case value.F32, value.F64:
		lo, ok1 := floatBound(sr.lo)
		hi, ok2 := floatBound(sr.hi)
		if !ok1 || !ok2 || c.kind == pkDecimal {
			return nil, bad()
		}
		return func(cc *metadata.ColumnChunkMetaData) bool {
			var mn, mx float64
			switch s := stats(cc).(type) {
			case *metadata.Float32Statistics:
				mn, mx = float64(s.Min()), float64(s.Max())
			case *metadata.Float64Statistics:
				mn, mx = s.Min(), s.Max()
			default:
				return true
			}
			if math.IsNaN(mn) || math.IsNaN(mx) {
				return true
			}
			return mx >= lo && mn <= hi
		}, nil
	case value.Str, value.Sym:
		lo, ok1 := sr.lo.(string)
		hi, ok2 := sr.hi.(string)
		if !ok1 || !ok2 {
			return nil, bad()
		}
		return func(cc *metadata.ColumnChunkMetaData) bool {
			s, ok := stats(cc).(*metadata.ByteArrayStatistics)
			if !ok {
				return true
			}
			return string(s.Max()) >= lo && string(s.Min()) <= hi
		}, nil
	}
	return nil, bad()
}

// scaleStat converts a statistic in the column's physical unit to the
// unit it reads in (saturating: a bound past the range keeps the group).
func (c *pqCol) scaleStat(x int64) int64 {
	switch c.kind {
	case pkTimestamp:
		if x > math.MaxInt64/c.per {
			return math.MaxInt64
		} else if x < math.MinInt64/c.per {
			return math.MinInt64
		}
		return x * c.per
	case pkTimeDiv:
		return floorDiv(x, c.per)
	case pkUint32:
		return int64(uint32(x))
	case pkUint16:
		return int64(uint16(x))
	case pkUint8:
		return int64(uint8(x))
	case pkInt8:
		return int64(int8(x))
	case pkInt16:
		return int64(int16(x))
	}
	return x
}

func intBound(b any, t value.Type) (int64, bool) {
	switch b := b.(type) {
	case int:
		return int64(b), true
	case int64:
		return b, true
	case int32:
		return int64(b), true
	case time.Time:
		if t == value.Timestamp {
			return timeBound(b), true
		}
	}
	return 0, false
}

func floatBound(b any) (float64, bool) {
	switch b := b.(type) {
	case float64:
		return b, true
	case float32:
		return float64(b), true
	case int:
		return float64(b), true
	case int64:
		return float64(b), true
	}
	return 0, false
}

// dictionariesAsSym makes SYM of each STR column whose chunks all start
// with a dictionary page, of limit entries at most in all. It reads just
// the dictionary pages' headers.
func (p *pqPlan) dictionariesAsSym(limit int) error {
	for k := range p.cols {
		c := &p.cols[k]
		n, ok, err := p.dictEntries(c)
		if err != nil {
			return err
		}
		if ok && n <= int64(limit) {
			c.out, c.kind = value.Sym, pkSym
		}
	}
	return nil
}

// dictionarySize returns the entries of a chunk's dictionary page, and
// whether its first page is one.
func (f *pqFile) dictionarySize(cc *metadata.ColumnChunkMetaData) (int64, bool, error) {
	if cc.NumValues() == 0 {
		return 0, true, nil
	}
	if !cc.HasDictionaryPage() {
		return 0, false, nil
	}
	start := cc.DataPageOffset()
	if off := cc.DictionaryPageOffset(); off > 0 && off < start {
		start = off
	}
	end := min(start+cc.TotalCompressedSize(), f.verifier.footerStart)
	if start < 4 || start >= end {
		return 0, false, corruptf("a column chunk at %d", start)
	}
	h, err := f.verifier.pageHeader(start, end)
	if err != nil {
		var re *ray.Error
		if errors.As(err, &re) {
			return 0, false, err
		}
		return 0, false, corruptf("the dictionary page header at %d: %v", start, err)
	}
	if h.typ != pageDictionary {
		return 0, false, nil
	}
	return h.dictValues, true, nil
}

// String describes a column of the plan, for errors.
func (c *pqCol) String() string { return fmt.Sprintf("column %q", c.name) }
