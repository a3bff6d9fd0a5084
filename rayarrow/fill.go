package rayarrow

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"slices"
	"sync"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/memops"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// A TableFill builds one TABLE of a known number of rows from Arrow record
// batches that arrive in parts: each part is a range of the table's rows,
// filled in order by one goroutine, all parts at once. It is how a reader
// that knows where each batch belongs (a Flight client whose tickets name
// row ranges, a reader of several files of known lengths) builds a table
// without joining batches afterwards: each fixed-width and SYM column is
// allocated once, at the table's length, when the first schema arrives,
// and every batch's values are copied straight into their rows; STR
// columns are written into one pool (vec.StrFill). What it holds at
// once is the table and the batches being read.
//
// The batches' columns import as Import does (the same types, the same
// conversions). Every part's batches must import to the same column names
// and raygo types; another schema is ErrCorrupt. A SYM column starts with
// ids as wide as the symbols interned when it is allocated and is widened,
// under a lock the writers otherwise share, when a dictionary interns
// more.
//
// Parts may not overlap (ErrRange), and Finish refuses a table whose parts
// do not cover its rows or did not receive their rows (ErrCorrupt), so a
// hostile or broken source cannot leave rows unwritten. On any error the
// caller calls Release, which frees everything the fill allocated.
type TableFill struct {
	rows      int
	emptySym  int64 // the id of "", under a null SYM row
	mu        sync.Mutex
	names     []string // nil until the first schema
	cols      []*fillCol
	parts     []*FillPart
	finishing bool
	growing   bool // one part, as long as its batches (NewGrowingFill)
}

// fillCol is one column's destination.
type fillCol struct {
	typ   value.Type
	arrow arrow.DataType // the first schema's type: batches of another type import through Import
	size  int            // bytes an element (a SYM id: its width)
	copy  bool           // the Arrow values buffer is laid out as raygo's: copied as bytes

	// mu is held shared by the parts writing a SYM column's ids and
	// exclusively to widen them; other columns' v and base never change.
	mu    sync.RWMutex
	v     value.V        // fixed-width and SYM columns
	base  unsafe.Pointer // v's elements
	maxID int64          // the largest id a SYM column's width holds
	strs  *vec.StrFill   // STR columns
}

// A FillPart writes rows [start, start+rows) of a TableFill, in order. It
// is used by one goroutine at a time.
type FillPart struct {
	f           *TableFill
	start, rows int
	n           int        // rows written
	nulls       [][]byte   // by column: 1 = null, from the part's first row; nil until a null
	dicts       []fillDict // by column: the last dictionary's ids
	ids         []int64    // a batch's SYM ids
	strs        [][]byte   // a batch's strings
}

// fillDict remembers the ids a dictionary interned, so that the batches
// sharing one dictionary intern it once.
type fillDict struct {
	data  arrow.ArrayData
	ids   []int64
	maxID int64
}

// NewTableFill returns a fill of a table of rows rows. Its columns are
// allocated when the first schema arrives.
func NewTableFill(rows int) (*TableFill, error) {
	if rows < 0 {
		return nil, ray.Errorf(ray.ErrLength, "rayarrow.NewTableFill", "%d rows", rows)
	}
	empty, err := value.Intern("")
	if err != nil {
		return nil, err
	}
	return &TableFill{rows: rows, emptySym: empty}, nil
}

// NewGrowingFill returns a fill of one part whose table has as many rows as
// the part's batches bring: its columns grow, at least doubling, as
// batches arrive (in place where the heap can), and Finish returns the
// rows received. It is how a reader that does not know a stream's length
// builds its table without joining batches.
func NewGrowingFill() (*TableFill, *FillPart, error) {
	f, err := NewTableFill(0)
	if err != nil {
		return nil, nil, err
	}
	p, err := f.Part(0, 0)
	if err != nil {
		return nil, nil, err
	}
	f.growing = true
	return f, p, nil
}

// grow gives a growing fill's table rows rows.
func (f *TableFill) grow(rows int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.cols {
		c.mu.Lock()
		var err error
		switch c.typ {
		case value.Str:
			err = c.strs.Resize(rows)
		default:
			if err = vec.Reserve(&c.v, rows); err == nil {
				layout.SetLen(c.v, rows)
				c.base = layout.BlockData(c.v)
			}
		}
		c.mu.Unlock()
		if err != nil {
			return err
		}
	}
	f.rows = rows
	for _, q := range f.parts {
		q.rows = rows
	}
	return nil
}

// Part returns the writer of rows [start, start+rows). Parts must not
// overlap.
func (f *TableFill) Part(start, rows int) (*FillPart, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if start < 0 || rows < 0 || start > f.rows-rows {
		return nil, ray.Errorf(ray.ErrRange, "rayarrow.TableFill.Part", "rows [%d, %d+%d) of %d", start, start, rows, f.rows)
	}
	if f.finishing {
		return nil, ray.Errorf(ray.ErrDomain, "rayarrow.TableFill.Part", "the fill is finished or released")
	}
	for _, q := range f.parts {
		if start < q.start+q.rows && q.start < start+rows {
			return nil, ray.Errorf(ray.ErrRange, "rayarrow.TableFill.Part", "rows [%d, %d) overlap rows [%d, %d)", start, start+rows, q.start, q.start+q.rows)
		}
	}
	p := &FillPart{f: f, start: start, rows: rows}
	f.parts = append(f.parts, p)
	return p, nil
}

// setSchema allocates the columns for the first schema and checks every
// later one against it.
func (f *TableFill) setSchema(s *arrow.Schema) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.finishing {
		return ray.Errorf(ray.ErrDomain, "rayarrow.TableFill", "the fill is finished or released")
	}
	names, err := columnNames(s)
	if err != nil {
		return err
	}
	if f.names != nil {
		if !slices.Equal(names, f.names) {
			return ray.Errorf(ray.ErrCorrupt, "rayarrow.TableFill", "a batch with columns %q in a table of %q", names, f.names)
		}
		for i, fd := range s.Fields() {
			if t, err := importedType(fd.Type); err != nil || t != f.cols[i].typ {
				return ray.Errorf(ray.ErrCorrupt, "rayarrow.TableFill", "column %q: a batch of %v in a column of %v", names[i], fd.Type, f.cols[i].typ)
			}
		}
		return nil
	}
	cols := make([]*fillCol, len(names))
	release := func() {
		for _, c := range cols {
			if c != nil {
				c.release()
			}
		}
	}
	for i, fd := range s.Fields() {
		if err := columnType(names[i], fd.Type); err != nil {
			release()
			return err
		}
		typ, err := importedType(fd.Type)
		if err != nil {
			release()
			return inColumn(err, names[i])
		}
		c := &fillCol{typ: typ, arrow: fd.Type}
		cols[i] = c
		switch typ {
		case value.Str:
			c.strs, err = vec.NewStrFill(f.rows)
		case value.Sym:
			err = c.allocSym(f.rows, value.SymCount()-1, f.emptySym)
		default:
			c.size = typ.ElemSize()
			c.copy = sameLayout(fd.Type)
			if c.v, err = vec.New(typ, f.rows); err == nil {
				layout.SetLen(c.v, f.rows)
				if f.rows > 0 {
					c.base = layout.BlockData(c.v)
				}
			}
		}
		if err != nil {
			release()
			return inColumn(err, names[i])
		}
	}
	f.names, f.cols = names, cols
	return nil
}

// allocSym (re)allocates a SYM column with ids wide enough for maxID,
// copying the ids of the one it replaces.
func (c *fillCol) allocSym(rows int, maxID, fill int64) error {
	w := attrbits.WidthFor(uint64(max(maxID, 0)))
	v, err := vec.NewSymN(rows, w.Bytes(), fill)
	if err != nil {
		return err
	}
	var base unsafe.Pointer
	if rows > 0 {
		base = layout.BlockData(v)
	}
	if !c.v.IsZero() {
		var ids [4096]int64
		for from := 0; from < rows; {
			k, err := vec.SymIDs(ids[:], c.v, from)
			if err != nil {
				cow.Release(&v)
				return err
			}
			for i, id := range ids[:k] {
				storeSymID(base, w.Bytes(), from+i, id)
			}
			from += k
		}
		cow.Release(&c.v)
	}
	c.v, c.base, c.size = v, base, w.Bytes()
	c.maxID = math.MaxInt64
	if c.size < 8 {
		c.maxID = int64(1)<<(8*c.size) - 1
	}
	return nil
}

func (c *fillCol) release() {
	cow.Release(&c.v)
	c.base = nil
	if c.strs != nil {
		c.strs.Release()
		c.strs = nil
	}
}

// importedType returns the raygo type Import gives an array of dt.
func importedType(dt arrow.DataType) (value.Type, error) {
	if err := importable(dt); err != nil {
		return 0, err
	}
	switch dt.(type) {
	case *arrow.BooleanType:
		return value.Bool, nil
	case *arrow.Uint8Type:
		return value.U8, nil
	case *arrow.Int8Type, *arrow.Int16Type:
		return value.I16, nil
	case *arrow.Uint16Type, *arrow.Int32Type:
		return value.I32, nil
	case *arrow.Uint32Type, *arrow.Uint64Type, *arrow.Int64Type:
		return value.I64, nil
	case *arrow.Float32Type:
		return value.F32, nil
	case *arrow.Float64Type, *arrow.Decimal128Type, *arrow.Decimal256Type:
		return value.F64, nil
	case *arrow.Date32Type, *arrow.Date64Type:
		return value.Date, nil
	case *arrow.Time32Type, *arrow.Time64Type:
		return value.Time, nil
	case *arrow.TimestampType:
		return value.Timestamp, nil
	case *arrow.FixedSizeBinaryType:
		return value.GUID, nil
	case *arrow.DictionaryType:
		return value.Sym, nil
	case *arrow.ListType:
		return value.List, nil
	default:
		return value.Str, nil // the string and binary types
	}
}

// sameLayout reports whether dt's values buffer holds raygo's elements as
// they are (the types Export produces, but BOOL).
func sameLayout(dt arrow.DataType) bool {
	switch dt := dt.(type) {
	case *arrow.Uint8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Float32Type, *arrow.Float64Type, *arrow.Date32Type, *arrow.FixedSizeBinaryType:
		return true
	case *arrow.Time32Type:
		return dt.Unit == arrow.Millisecond
	case *arrow.TimestampType:
		return dt.Unit == arrow.Nanosecond
	}
	return false
}

// Append writes rec's rows as the part's next rows. Its schema must match
// the fill's (the first batch of any part sets it); more rows than the part
// has room for are ErrCorrupt, and so are values Import refuses as such.
func (p *FillPart) Append(rec arrow.Record) (err error) {
	defer corruptOnPanic("rayarrow.TableFill", &err)
	if err := p.f.setSchema(rec.Schema()); err != nil {
		return err
	}
	n := int(rec.NumRows())
	if p.f.growing && n > p.rows-p.n {
		if err := p.f.grow(max(p.n+n, 2*p.rows, 4096)); err != nil {
			return err
		}
		for i, b := range p.nulls {
			if b != nil {
				p.nulls[i] = append(b, make([]byte, (p.rows+7)/8-len(b))...)
			}
		}
	}
	if n < 0 || n > p.rows-p.n {
		return ray.Errorf(ray.ErrCorrupt, "rayarrow.TableFill", "a batch of %d rows after %d of a part of %d", n, p.n, p.rows)
	}
	if p.nulls == nil {
		k := len(p.f.cols)
		p.nulls, p.dicts = make([][]byte, k), make([]fillDict, k)
	}
	for i, c := range p.f.cols {
		a := rec.Column(i)
		if a.Len() != n {
			return ray.Errorf(ray.ErrCorrupt, "rayarrow.TableFill", "column %q of %d rows in a batch of %d", p.f.names[i], a.Len(), n)
		}
		if err := checkBuffers(a); err != nil {
			return inColumn(err, p.f.names[i])
		}
		if err := p.place(i, c, a); err != nil {
			return inColumn(err, p.f.names[i])
		}
		if a.NullN() > 0 {
			p.markNulls(i, a)
		}
	}
	p.n += n
	return nil
}

// place writes a's values into column c at the part's next rows.
func (p *FillPart) place(i int, c *fillCol, a arrow.Array) error {
	n, at := a.Len(), p.start+p.n
	if n == 0 {
		return nil
	}
	switch c.typ {
	case value.Str:
		return p.placeStrings(c, a)
	case value.Sym:
		return p.placeSyms(i, c, a.(*array.Dictionary))
	}
	if c.copy && arrow.TypeEqual(a.DataType(), c.arrow) {
		d := a.Data()
		src := d.Buffers()[1].Bytes()[d.Offset()*c.size:]
		memops.CopyPtr(unsafe.Add(c.base, at*c.size), unsafe.Pointer(unsafe.SliceData(src)), uintptr(n*c.size))
		return nil
	}
	v, err := Import(a)
	if err != nil {
		return err
	}
	defer cow.Release(&v)
	memops.CopyPtr(unsafe.Add(c.base, at*c.size), layout.BlockData(v), uintptr(n*c.size))
	return nil
}

// placeStrings writes a's strings into STR column c.
func (p *FillPart) placeStrings(c *fillCol, a arrow.Array) error {
	d := a.Data()
	n, off := d.Len(), d.Offset()
	bufs := d.Buffers()
	strs := p.strs[:0]
	switch a.(type) {
	case *array.String, *array.Binary:
		offs := unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(bufs[1].Bytes()))), off+n+1)[off:]
		if err := stringsAt(&strs, offs, bytesOf(bufs[2])); err != nil {
			return err
		}
	case *array.LargeString, *array.LargeBinary:
		offs := unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(bufs[1].Bytes()))), off+n+1)[off:]
		if err := stringsAt(&strs, offs, bytesOf(bufs[2])); err != nil {
			return err
		}
	case *array.StringView:
		views := bufs[1].Bytes()[16*off : 16*(off+n)]
		data := bufs[2:]
		for r := range n {
			view := views[16*r : 16*r+16]
			l := binary.LittleEndian.Uint32(view)
			if l <= 12 {
				strs = append(strs, view[4:4+l])
				continue
			}
			buf, at := binary.LittleEndian.Uint32(view[8:]), uint64(binary.LittleEndian.Uint32(view[12:]))
			if int(buf) >= len(data) || at+uint64(l) > uint64(len(bytesOf(data[buf]))) {
				return ray.Errorf(ray.ErrCorrupt, "rayarrow.TableFill", "row %d: a view of %d bytes at %d of data buffer %d, outside the data", r, l, at, buf)
			}
			strs = append(strs, bytesOf(data[buf])[at:at+uint64(l)])
		}
	default:
		v, err := Import(a)
		if err != nil {
			return err
		}
		defer cow.Release(&v)
		for r := range n {
			s, _ := vec.StrView(v, r)
			strs = append(strs, s)
		}
	}
	p.strs = strs[:0]
	return c.strs.Write(p.start+p.n, strs)
}

// stringsAt appends the strings data[offs[r]:offs[r+1]] to *strs, refusing
// offsets that step back or leave data.
func stringsAt[O int32 | int64](strs *[][]byte, offs []O, data []byte) error {
	for r := range len(offs) - 1 {
		s, e := offs[r], offs[r+1]
		if s < 0 || s > e || int64(e) > int64(len(data)) {
			return ray.Errorf(ray.ErrCorrupt, "rayarrow.TableFill", "row %d: bytes [%d, %d) of %d", r, s, e, len(data))
		}
		*strs = append(*strs, data[s:e])
	}
	return nil
}

func bytesOf(b interface{ Bytes() []byte }) []byte {
	if b == nil {
		return nil
	}
	return b.Bytes()
}

// placeSyms writes the ids of a's strings into SYM column c.
func (p *FillPart) placeSyms(i int, c *fillCol, a *array.Dictionary) error {
	dict, err := p.dictionary(i, a)
	if err != nil {
		return err
	}
	at := p.start + p.n
	ids, err := dictionaryIDs("rayarrow.TableFill", a, dict.ids, p.f.emptySym, p.ids[:0])
	if err != nil {
		return err
	}
	p.ids = ids
	for {
		c.mu.RLock()
		if dict.maxID <= c.maxID {
			for r, id := range ids {
				storeSymID(c.base, c.size, at+r, id)
			}
			c.mu.RUnlock()
			return nil
		}
		c.mu.RUnlock()
		c.mu.Lock()
		if dict.maxID > c.maxID {
			err = c.allocSym(p.f.rows, dict.maxID, p.f.emptySym)
		}
		c.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// dictionary returns the ids of a's dictionary, interning its strings the
// first time the part meets it.
func (p *FillPart) dictionary(i int, a *array.Dictionary) (*fillDict, error) {
	d := &p.dicts[i]
	if data := a.Dictionary().Data(); d.data != data || d.ids == nil {
		if err := checkBuffers(a.Dictionary()); err != nil {
			return nil, err
		}
		ids, err := internDictionary("rayarrow.TableFill", a.Dictionary(), d.ids[:0])
		if err != nil {
			return nil, err
		}
		maxID := p.f.emptySym
		for _, id := range ids {
			maxID = max(maxID, id)
		}
		*d = fillDict{data: data, ids: ids, maxID: maxID}
	}
	return d, nil
}

// markNulls sets the part's null bits of column i for a's null rows.
func (p *FillPart) markNulls(i int, a arrow.Array) {
	if p.nulls[i] == nil {
		p.nulls[i] = make([]byte, (p.rows+7)/8)
	}
	markNulls(p.nulls[i], p.n, a)
}

// AppendIPC reads an Arrow IPC stream and appends its record batches, as
// the part's next rows. The stream passes the same verification as
// ReadIPC's; a stream without a schema is ErrCorrupt.
func (p *FillPart) AppendIPC(r io.Reader) (err error) {
	const op = "rayarrow.TableFill"
	var rd *ipc.Reader
	guard := func(step func() error) (err error) {
		defer corruptOnPanic(op, &err)
		return step()
	}
	err = guard(func() error {
		var err error
		rd, err = openIPC(r, op)
		if err != nil {
			return err
		}
		return p.f.setSchema(rd.Schema())
	})
	if rd != nil {
		defer rd.Release()
	}
	if err != nil {
		return err
	}
	for {
		more := false
		err := guard(func() error {
			if more = rd.Next(); !more {
				if err := rd.Err(); err != nil && !errors.Is(err, io.EOF) {
					return ray.Wrap(ray.ErrCorrupt, op, err, "reading a record")
				}
				return nil
			}
			return p.Append(rd.Record())
		})
		if err != nil || !more {
			return err
		}
	}
}

// openIPC returns Arrow Go's reader of the IPC stream r, behind the
// verification of every message's metadata, with its schema read.
func openIPC(r io.Reader, op string) (*ipc.Reader, error) {
	mem := newReadAllocator()
	mem.recycle = true
	rd, err := ipc.NewReader(&verifiedStream{r: r, input: &mem.input}, ipc.WithAllocator(mem))
	if err != nil {
		return nil, ray.Wrap(ray.ErrCorrupt, op, err, "not an Arrow IPC stream")
	}
	return rd, nil
}

// Rows returns the rows the part has received.
func (p *FillPart) Rows() int { return p.n }

// Finish returns the table: its parts must cover its rows, each filled.
// The fill is empty afterwards (Release does nothing more).
func (f *TableFill) Finish() (t value.V, err error) {
	f.mu.Lock()
	if f.finishing {
		f.mu.Unlock()
		return value.V{}, ray.Errorf(ray.ErrDomain, "rayarrow.TableFill.Finish", "the fill is finished or released")
	}
	f.finishing = true
	f.mu.Unlock()
	defer f.releaseAll()
	if f.growing && f.names != nil {
		if err := f.grow(f.parts[0].n); err != nil {
			return value.V{}, err
		}
	}
	if f.names == nil {
		return value.V{}, ray.Errorf(ray.ErrCorrupt, "rayarrow.TableFill.Finish", "no schema arrived")
	}
	parts := slices.Clone(f.parts)
	slices.SortFunc(parts, func(a, b *FillPart) int { return a.start - b.start })
	next := 0
	for _, q := range parts {
		if q.start != next {
			return value.V{}, ray.Errorf(ray.ErrCorrupt, "rayarrow.TableFill.Finish", "no part holds rows [%d, %d)", next, q.start)
		}
		if q.n != q.rows {
			return value.V{}, ray.Errorf(ray.ErrCorrupt, "rayarrow.TableFill.Finish", "rows [%d, %d) received %d rows", q.start, q.start+q.rows, q.n)
		}
		next += q.rows
	}
	if next != f.rows {
		return value.V{}, ray.Errorf(ray.ErrCorrupt, "rayarrow.TableFill.Finish", "no part holds rows [%d, %d)", next, f.rows)
	}
	if t, err = vec.NewTable(); err != nil {
		return value.V{}, err
	}
	defer releaseOnPanic(&t)
	for i, c := range f.cols {
		var v value.V
		if c.typ == value.Str {
			v = c.strs.Finish()
			c.strs = nil
		} else {
			v, c.v = c.v, value.V{}
		}
		if err == nil {
			err = setPartNulls(&v, f.rows, parts, i)
		}
		if err == nil {
			err = vec.AddColumn(&t, f.names[i], v)
		}
		cow.Release(&v)
		if err != nil {
			cow.Release(&t)
			return value.V{}, err
		}
	}
	return t, nil
}

// setPartNulls writes column i's null bits from its parts' bitmaps.
func setPartNulls(vp *value.V, rows int, parts []*FillPart, i int) error {
	var bits []byte
	for _, q := range parts {
		if q.nulls == nil || q.nulls[i] == nil {
			continue
		}
		if bits == nil {
			bits = make([]byte, (rows+7)/8)
		}
		copyBits(bits, q.start, q.nulls[i], q.rows)
	}
	if bits == nil {
		return nil
	}
	return vec.SetNulls(vp, bits, 0)
}

// Release frees what the fill holds. It is safe to call after Finish, and
// more than once, but not while a part is being written.
func (f *TableFill) Release() {
	f.mu.Lock()
	f.finishing = true
	f.mu.Unlock()
	f.releaseAll()
}

func (f *TableFill) releaseAll() {
	for _, c := range f.cols {
		c.release()
	}
}
