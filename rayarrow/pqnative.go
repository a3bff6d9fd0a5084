package rayarrow

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	pq "github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"

	"github.com/raygo/ray"
	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// The native reader decodes a plan's column chunks straight into raygo
// columns. Each fixed-width and SYM column is allocated once at the plan's
// row count; every (column, row group) chunk is a job, run by one of
// GOMAXPROCS workers, which reads the chunk's bytes with one ReadAt, walks
// its pages (each header checked against the chunk and each page's
// decompressed size against the read limit before anything is decoded),
// decompresses each page into a buffer of exactly the size its header
// declares (the bounded codecs of codecs.go refuse data that would not
// fit), and decodes the values into the rows the chunk owns: fixed-width
// values in place, converted where the file's type is not raygo's; SYM
// ids from the chunk's dictionary, interned once per entry; STR strings
// into a builder of the chunk's own, joined with the other chunks' at the
// end. Definition levels become each chunk's null bitmap, written into
// the column at once when all chunks are done.

// pqExec is one native read of a plan.
type pqExec struct {
	p         *pqPlan
	o         *readOptions
	jobs      []pqJob
	dests     []pqDest
	unpacked  atomic.Uint64 // decompressed page bytes, against the read limit
	emptySym  int64
	failed    atomic.Bool
	chunkMeta [][]*chunkMeta
}

// pqJob is column col of row group group, rows [start, start+rows) of
// the table.
type pqJob struct {
	col, group  int
	start, rows int
	nulls       []byte  // bit i set: row start+i is null; nil when none is
	str         value.V // a STR column's part
}

// pqDest is where a fixed-width or SYM column's values go.
type pqDest struct {
	v     value.V
	base  unsafe.Pointer
	size  int   // bytes of an element (of an id, for SYM)
	maxID int64 // SYM: the largest id the width holds
	widen atomic.Bool
}

// errWiden is a SYM job's report that an id it interned does not fit the
// width its column was allocated at.
var errWiden = errors.New("an id past the column's width")

func readParquetNative(p *pqPlan, o *readOptions) (out value.V, err error) {
	x := &pqExec{p: p, o: o}
	defer func() {
		for i := range x.dests {
			cow.Release(&x.dests[i].v)
		}
		for i := range x.jobs {
			cow.Release(&x.jobs[i].str)
		}
	}()
	if x.emptySym, err = value.Intern(""); err != nil {
		return value.V{}, err
	}
	start := 0
	for _, g := range p.groups {
		rows := int(p.f.rdr.MetaData().RowGroup(g).NumRows())
		for c := range p.cols {
			x.jobs = append(x.jobs, pqJob{col: c, group: g, start: start, rows: rows})
		}
		start += rows
	}
	x.dests = make([]pqDest, len(p.cols))
	for c := range p.cols {
		if err := x.allocate(c, false); err != nil {
			return value.V{}, err
		}
	}
	if err := x.runJobs(func(j *pqJob) bool { return true }); err != nil {
		return value.V{}, err
	}
	// A SYM column whose ids outgrew the width it was given (symbols
	// interned meanwhile by other goroutines) is read again at 8 bytes.
	for c := range p.cols {
		if !x.dests[c].widen.Load() {
			continue
		}
		if err := x.allocate(c, true); err != nil {
			return value.V{}, err
		}
		if err := x.runJobs(func(j *pqJob) bool { return j.col == c }); err != nil {
			return value.V{}, err
		}
	}
	return x.assemble()
}

// allocate makes column c's vector (but a STR column's, made by its jobs).
func (x *pqExec) allocate(c int, wide bool) error {
	col := &x.p.cols[c]
	d := &x.dests[c]
	cow.Release(&d.v)
	var err error
	switch col.kind {
	case pkString:
		return nil
	case pkSym:
		maxID := int64(math.MaxInt64)
		if !wide {
			maxID, err = x.symBound(col)
			if err != nil {
				return err
			}
		}
		w := attrs.WidthFor(uint64(maxID))
		d.size, d.maxID = w.Bytes(), int64(1)<<(8*w.Bytes())-1
		if w.Bytes() == 8 {
			d.maxID = math.MaxInt64
		}
		d.v, err = vec.NewSymN(x.p.rows, w, x.emptySym)
		d.widen.Store(false)
	default:
		d.size = col.out.ElemSize()
		d.v, err = vec.Zeros(col.out, x.p.rows)
	}
	if err != nil {
		return err
	}
	if x.p.rows > 0 {
		d.base = d.v.Data()
	}
	return nil
}

// symBound bounds the ids a SYM column's chunks can intern: the symbols
// interned so far plus each chunk's dictionary entries (or its values, for
// a chunk without a dictionary).
func (x *pqExec) symBound(col *pqCol) (int64, error) {
	bound := value.SymCount()
	for _, g := range x.p.groups {
		cc, err := x.p.f.rdr.MetaData().RowGroup(g).ColumnChunk(col.leaf)
		if err != nil {
			return 0, corruptf("row group %d %v: %v", g, col, err)
		}
		n, isDict, err := x.p.f.dictionarySize(cc)
		if err != nil {
			return 0, err
		}
		if !isDict {
			n = cc.NumValues()
		}
		if n < 0 || n > math.MaxInt64/2-bound {
			return 0, corruptf("row group %d %v: %d values", g, col, n)
		}
		bound += n
	}
	return bound, nil
}

// runJobs runs the jobs that pick selects on GOMAXPROCS workers and
// returns the first error.
func (x *pqExec) runJobs(pick func(*pqJob) bool) error {
	var todo []*pqJob
	for i := range x.jobs {
		if pick(&x.jobs[i]) {
			todo = append(todo, &x.jobs[i])
		}
	}
	var next atomic.Int64
	var first error
	var once sync.Once
	x.failed.Store(false)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := new(pageScratch)
			for !x.failed.Load() {
				j := int(next.Add(1) - 1)
				if j >= len(todo) {
					return
				}
				if err := x.runJob(todo[j], s); err != nil {
					if errors.Is(err, errWiden) {
						x.dests[todo[j].col].widen.Store(true)
						continue
					}
					once.Do(func() { first = err })
					x.failed.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// runJob decodes one chunk; a panic in a codec over damaged data is
// ErrCorrupt naming the chunk.
func (x *pqExec) runJob(j *pqJob, s *pageScratch) (err error) {
	col := &x.p.cols[j.col]
	defer func() {
		if r := recover(); r != nil {
			err = panicError("rayarrow.ReadParquet", r)
			err = inChunk(err, col, j.group)
		}
	}()
	cow.Release(&j.str)
	j.nulls = nil
	d := chunkDecoder{x: x, job: j, col: col, dest: &x.dests[j.col], s: s}
	if err := d.decode(); err != nil {
		if errors.Is(err, errWiden) {
			return err
		}
		return inChunk(err, col, j.group)
	}
	return nil
}

// inChunk names the column and row group in an error (a plain error is
// ErrCorrupt).
func inChunk(err error, col *pqCol, group int) error {
	var re *ray.Error
	if !errors.As(err, &re) {
		var ce ctxError
		if errors.As(err, &ce) {
			return ce.err
		}
		return corruptf("%v, row group %d: %v", col, group, err)
	}
	if re.Kind != ray.ErrRange {
		re.Msg = fmt.Sprintf("%v, row group %d: %s", col, group, re.Msg)
	}
	return err
}

// ctxError carries a context's error out of a job unchanged.
type ctxError struct{ err error }

func (e ctxError) Error() string { return e.err.Error() }
func (e ctxError) Unwrap() error { return e.err }

// pageScratch is a worker's buffers, reused from chunk to chunk.
type pageScratch struct {
	chunk    []byte
	page     []byte
	dictPage []byte
	levels   []uint32
	idx      []uint32
	raw      []byte
	conv     []byte
	ints     []int64
	lens     []int64
	prefixes []int64
	arrays   byteArrays
	suffixes byteArrays
	built    []byte
}

// chunkDecoder decodes one chunk's pages.
type chunkDecoder struct {
	x    *pqExec
	job  *pqJob
	col  *pqCol
	dest *pqDest
	s    *pageScratch
	done int // rows decoded

	// The chunk's dictionary: raw values of a fixed-width column, strings
	// of a BYTE_ARRAY one, and their symbol ids for SYM.
	hasDict   bool
	dictRaw   []byte
	dictN     int
	dictStrs  byteArrays
	dictIDs   []int64
	syms      map[string]int64 // SYM ids of plain-encoded strings
	str       *vec.StrBuilder
	pagePos   int64 // the file offset of the page being decoded
	pageIndex int
}

func (d *chunkDecoder) decode() error {
	x, j, col := d.x, d.job, d.col
	meta := x.p.f.verifier.groups[j.group][col.leaf]
	if j.rows == 0 {
		return d.finish()
	}
	start, end, ok := x.p.f.verifier.chunkBounds(&meta)
	if meta.numValues == 0 || !ok {
		return fmt.Errorf("a chunk of %d values for %d rows", meta.numValues, j.rows)
	}
	d.s.chunk = growBytes(d.s.chunk, int(end-start))
	buf := d.s.chunk
	if _, err := x.p.f.r.ReadAt(buf, start); err != nil {
		return ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "reading %v", col)
	}
	if col.kind == pkString {
		var err error
		if d.str, err = vec.NewStrBuilder(j.rows, 0); err != nil {
			return err
		}
		defer func() {
			if d.str != nil {
				d.str.Release()
			}
		}()
	}
	codec, err := compress.GetCodec(compress.Compression(meta.codec))
	if err != nil {
		return ray.Errorf(ray.ErrNYI, "rayarrow.ReadParquet", "%v: the codec %d", col, meta.codec)
	}
	pos := 0
	for d.done < j.rows {
		if err := x.o.ctx.Err(); err != nil {
			return ctxError{err}
		}
		if x.failed.Load() {
			return errors.New("another chunk failed")
		}
		if pos >= len(buf) {
			return fmt.Errorf("the pages end after %d of %d rows", d.done, j.rows)
		}
		d.pagePos = start + int64(pos)
		t := &thriftReader{b: buf[pos:]}
		h, why := readPageHeader(t)
		if t.bad {
			why = t.why
		}
		if why != "" {
			return fmt.Errorf("page header at %d: %s", d.pagePos, why)
		}
		pos += t.pos
		if h.compressed > int64(len(buf)-pos) {
			return fmt.Errorf("page at %d: %d bytes past the chunk's end", d.pagePos, h.compressed)
		}
		body := buf[pos : pos+int(h.compressed)]
		pos += int(h.compressed)
		if x.unpacked.Add(uint64(h.uncompressed)) > x.p.f.limit {
			return ray.Errorf(ray.ErrLimit, "rayarrow.ReadParquet", "the pages decompress to more than the read limit of %d bytes", x.p.f.limit)
		}
		switch h.typ {
		case pageDictionary:
			if d.hasDict {
				return fmt.Errorf("page at %d: a second dictionary", d.pagePos)
			}
			d.s.dictPage, err = decompress(codec, d.s.dictPage, body, h.uncompressed)
			if err != nil {
				return fmt.Errorf("dictionary page at %d: %v", d.pagePos, err)
			}
			if err := d.dictionary(d.s.dictPage, h); err != nil {
				return fmt.Errorf("dictionary page at %d: %v", d.pagePos, err)
			}
		case pageData, pageDataV2:
			if h.values > int64(j.rows-d.done) {
				return fmt.Errorf("page at %d: %d values past the row group's %d rows", d.pagePos, h.values, j.rows)
			}
			if err := d.dataPage(codec, body, h); err != nil {
				var re *ray.Error
				if errors.As(err, &re) || errors.Is(err, errWiden) {
					return err
				}
				return fmt.Errorf("%s page at %d (%s): %v", pageName(h.typ), d.pagePos, encodingName(h.encoding), err)
			}
			d.done += int(h.values)
			d.pageIndex++
		case pageIndex:
		default:
			return fmt.Errorf("page at %d: page type %d", d.pagePos, h.typ)
		}
	}
	return d.finish()
}

func pageName(typ int64) string {
	if typ == pageDataV2 {
		return "data page v2"
	}
	return "data page"
}

// decompress decodes src into buf, resized to exactly n bytes: data that
// would decode to more or fewer is an error.
func decompress(codec compress.Codec, buf, src []byte, n int64) ([]byte, error) {
	buf = growBytes(buf, int(n))
	if codec == noneCodec {
		if int64(len(src)) != n {
			return nil, fmt.Errorf("%d bytes stored for %d", len(src), n)
		}
		copy(buf, src)
		return buf, nil
	}
	out := codec.Decode(buf, src)
	if int64(len(out)) != n || (n > 0 && &out[0] != &buf[0]) {
		return nil, fmt.Errorf("decompressed to %d bytes, not the %d declared", len(out), n)
	}
	return buf, nil
}

var noneCodec, _ = compress.GetCodec(compress.Codecs.Uncompressed)

// finish ends a chunk: the STR part is the job's.
func (d *chunkDecoder) finish() error {
	if d.col.kind == pkString {
		if d.str == nil {
			var err error
			if d.str, err = vec.NewStrBuilder(0, 0); err != nil {
				return err
			}
		}
		for d.str.Len() < d.job.rows { // a chunk of no rows
			if err := d.str.Append(nil); err != nil {
				return err
			}
		}
		d.job.str = d.str.Finish()
		d.str = nil
	}
	return nil
}

// dictionary decodes a dictionary page (PLAIN values).
func (d *chunkDecoder) dictionary(b []byte, h pageMeta) error {
	if h.encoding != encPlain && h.encoding != encPlainDictionary {
		return fmt.Errorf("a dictionary in %s", encodingName(h.encoding))
	}
	n := h.dictValues
	d.hasDict = true
	if d.col.phys == pq.Types.ByteArray {
		if n > int64(len(b)/4) {
			return errShort
		}
		// The dictionary's strings must outlive the scratch's arrays.
		var arrays byteArrays
		if err := plainByteArrays(&arrays, b, int(n)); err != nil {
			return err
		}
		d.dictStrs, d.dictN = arrays, int(n)
		if d.col.kind == pkSym {
			d.dictIDs = make([]int64, n)
			for i := range d.dictIDs {
				id, err := value.Intern(string(arrays.at(i)))
				if err != nil {
					return err
				}
				d.dictIDs[i] = id
			}
		}
		return nil
	}
	size := d.col.physSize()
	if d.col.phys == pq.Types.Boolean || size == 0 || n > int64(len(b)/size) {
		return fmt.Errorf("a dictionary of %d values in %d bytes", n, len(b))
	}
	d.dictRaw, d.dictN = b[:int(n)*size], int(n)
	return nil
}

// dataPage decodes one data page of h.values rows.
func (d *chunkDecoder) dataPage(codec compress.Codec, body []byte, h pageMeta) error {
	s := d.s
	n := int(h.values)
	var page, levels []byte
	var err error
	if h.typ == pageDataV2 {
		levelLen := h.repLen + h.defLen
		levels = body[h.repLen:levelLen]
		values := body[levelLen:]
		if h.uncompressedV2 {
			page = values
			if int64(len(values)) != h.uncompressed-levelLen {
				return fmt.Errorf("%d value bytes stored for %d", len(values), h.uncompressed-levelLen)
			}
		} else if page, err = decompress(codec, s.page, values, h.uncompressed-levelLen); err != nil {
			return err
		} else {
			s.page = page
		}
	} else {
		if s.page, err = decompress(codec, s.page, body, h.uncompressed); err != nil {
			return err
		}
		page = s.page
	}
	// Definition levels: which rows hold a value.
	present := n
	var defs []uint32
	if d.col.optional {
		s.levels = growU32(s.levels, n)
		defs = s.levels
		if h.typ == pageDataV2 {
			hy, _ := newHybrid(levels, 1)
			err = hy.decode(defs)
		} else {
			page, err = v1Levels(defs, page, h.defEncoding)
		}
		if err != nil {
			return fmt.Errorf("definition levels: %v", err)
		}
		present = 0
		for _, l := range defs {
			present += int(l)
			if l > 1 {
				return fmt.Errorf("a definition level of %d in a column of at most 1", l)
			}
		}
		if present == n {
			defs = nil
		} else {
			d.markNulls(defs)
		}
	}
	switch d.col.phys {
	case pq.Types.ByteArray:
		return d.byteArrayValues(page, h.encoding, n, present, defs)
	default:
		return d.fixedValues(page, h.encoding, n, present, defs)
	}
}

// v1Levels decodes a v1 data page's definition levels, which come first,
// and returns the bytes after them.
func v1Levels(dst []uint32, page []byte, enc int64) ([]byte, error) {
	switch enc {
	case encRLE:
		if len(page) < 4 {
			return nil, errShort
		}
		l := binary.LittleEndian.Uint32(page)
		if uint64(l) > uint64(len(page)-4) {
			return nil, errShort
		}
		hy, _ := newHybrid(page[4:4+l], 1)
		return page[4+l:], hy.decode(dst)
	case encBitPacked:
		nb := (len(dst) + 7) / 8
		if nb > len(page) {
			return nil, errShort
		}
		return page[nb:], bitPackedLevels(dst, page[:nb], 1)
	}
	return nil, fmt.Errorf("levels in %s", encodingName(enc))
}

// markNulls sets the null bits of the page's rows whose level is 0.
func (d *chunkDecoder) markNulls(defs []uint32) {
	j := d.job
	if j.nulls == nil {
		j.nulls = make([]byte, (j.rows+7)/8)
	}
	for i, l := range defs {
		if l == 0 {
			r := d.done + i
			j.nulls[r>>3] |= 1 << (r & 7)
		}
	}
}

// dictIndexes decodes k dictionary indexes of a page into s.idx.
func (d *chunkDecoder) dictIndexes(page []byte, k int) ([]uint32, error) {
	if !d.hasDict {
		return nil, errors.New("dictionary indexes without a dictionary")
	}
	if len(page) < 1 {
		if k == 0 {
			return nil, nil
		}
		return nil, errShort
	}
	hy, err := newHybrid(page[1:], int(page[0]))
	if err != nil {
		return nil, err
	}
	d.s.idx = growU32(d.s.idx, k)
	idx := d.s.idx
	if err := hy.decode(idx); err != nil {
		return nil, err
	}
	for _, i := range idx {
		if int(i) >= d.dictN {
			return nil, fmt.Errorf("index %d into a dictionary of %d", i, d.dictN)
		}
	}
	return idx, nil
}

// fixedValues decodes the present values of a page of a fixed-width
// physical type and places them.
func (d *chunkDecoder) fixedValues(page []byte, enc int64, n, k int, defs []uint32) error {
	s := d.s
	size := d.col.physSize()
	var raw []byte
	direct := d.col.kind == pkCopy && defs == nil // the raw bytes are the column's
	dst := unsafe.Slice((*byte)(unsafe.Add(d.dest.base, d.job.start*d.dest.size+d.done*d.dest.size)), k*size)
	switch enc {
	case encPlain:
		if d.col.phys == pq.Types.Boolean {
			s.raw = growBytes(s.raw, k)
			if err := unpackBools(s.raw, page); err != nil {
				return err
			}
			raw = s.raw
			break
		}
		if len(page) < k*size {
			return errShort
		}
		raw = page[:k*size]
	case encPlainDictionary, encRLEDictionary:
		idx, err := d.dictIndexes(page, k)
		if err != nil {
			return err
		}
		if !direct {
			s.raw = growBytes(s.raw, k*size)
			raw = s.raw
		} else {
			raw = dst
		}
		gather(raw, d.dictRaw, idx, size)
	case encRLE:
		if d.col.phys != pq.Types.Boolean || len(page) < 4 {
			return fmt.Errorf("RLE values of %v", d.col.phys)
		}
		l := binary.LittleEndian.Uint32(page)
		if uint64(l) > uint64(len(page)-4) {
			return errShort
		}
		hy, _ := newHybrid(page[4:4+l], 1)
		s.levels = growU32(s.levels, n+k) // after the definition levels
		bits := s.levels[n:]
		if err := hy.decode(bits); err != nil {
			return err
		}
		s.raw = growBytes(s.raw, k)
		for i, b := range bits {
			s.raw[i] = byte(b)
		}
		raw = s.raw
	case encDeltaBinaryPacked:
		if d.col.phys != pq.Types.Int32 && d.col.phys != pq.Types.Int64 {
			return fmt.Errorf("DELTA_BINARY_PACKED values of %v", d.col.phys)
		}
		s.ints = growI64(s.ints, k)
		if _, err := deltaBinary(s.ints, page); err != nil {
			return err
		}
		s.raw = growBytes(s.raw, k*size)
		raw = s.raw
		if size == 4 {
			for i, v := range s.ints {
				binary.LittleEndian.PutUint32(raw[4*i:], uint32(v))
			}
		} else {
			for i, v := range s.ints {
				binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
			}
		}
	case encByteStreamSplit:
		if d.col.phys == pq.Types.Boolean || d.col.phys == pq.Types.Int96 {
			return fmt.Errorf("BYTE_STREAM_SPLIT values of %v", d.col.phys)
		}
		s.raw = growBytes(s.raw, k*size)
		raw = s.raw
		if err := byteStreamSplit(raw, page, k, size); err != nil {
			return err
		}
	default:
		return fmt.Errorf("values in %s", encodingName(enc))
	}
	if direct {
		if &raw[0:1][0] != &dst[0:1][0] || len(raw) == 0 {
			copy(dst, raw)
		}
		return nil
	}
	return d.place(raw, n, k, defs)
}

// gather writes dict[idx[i]] (values of size bytes) into dst.
func gather(dst, dict []byte, idx []uint32, size int) {
	switch size {
	case 4:
		out := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(dst))), len(idx))
		in := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(dict))), len(dict)/4)
		for i, j := range idx {
			out[i] = in[j]
		}
	case 8:
		out := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(dst))), len(idx))
		in := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(dict))), len(dict)/8)
		for i, j := range idx {
			out[i] = in[j]
		}
	default:
		for i, j := range idx {
			copy(dst[i*size:(i+1)*size], dict[int(j)*size:])
		}
	}
}

// place converts k present values (raw, physical) and writes them into
// the page's rows, the present ones as defs says (all when nil).
func (d *chunkDecoder) place(raw []byte, n, k int, defs []uint32) error {
	s := d.s
	size := d.dest.size
	rows := unsafe.Slice((*byte)(unsafe.Add(d.dest.base, (d.job.start+d.done)*size)), n*size)
	out := rows
	if defs != nil {
		s.conv = growBytes(s.conv, k*size)
		out = s.conv
	}
	if bad, err := d.col.convert(out, raw, k); err != nil {
		return d.rangeError(bad, defs, err)
	}
	if defs == nil {
		return nil
	}
	scatter(rows, out, defs, size)
	return nil
}

// rangeError names the row of the bad-th present value of the page.
func (d *chunkDecoder) rangeError(bad int, defs []uint32, err error) error {
	row := bad
	if defs != nil {
		seen := -1
		for i, l := range defs {
			seen += int(l)
			if seen == bad {
				row = i
				break
			}
		}
	}
	return ray.Errorf(ray.ErrRange, "rayarrow.ReadParquet", "%v row %d: %v", d.col, d.job.start+d.done+row, err)
}

// scatter writes the dense values of size bytes to the rows whose level
// is 1.
func scatter(rows, dense []byte, defs []uint32, size int) {
	j := 0
	switch size {
	case 8:
		out := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(rows))), len(defs))
		in := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(dense))), len(dense)/8)
		for i, l := range defs {
			if l != 0 {
				out[i] = in[j]
				j++
			}
		}
	case 4:
		out := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(rows))), len(defs))
		in := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(dense))), len(dense)/4)
		for i, l := range defs {
			if l != 0 {
				out[i] = in[j]
				j++
			}
		}
	default:
		for i, l := range defs {
			if l != 0 {
				copy(rows[i*size:(i+1)*size], dense[j*size:(j+1)*size])
				j++
			}
		}
	}
}

// convert writes k physical values raw as the column's elements into out,
// returning the index of a value that does not convert.
func (c *pqCol) convert(out, raw []byte, k int) (int, error) {
	switch c.kind {
	case pkCopy:
		copy(out, raw[:len(out)])
		return 0, nil
	case pkInt8, pkInt16:
		for i := range k {
			x := int32(binary.LittleEndian.Uint32(raw[4*i:]))
			if c.kind == pkInt8 {
				x = int32(int8(x))
			}
			binary.LittleEndian.PutUint16(out[2*i:], uint16(int16(x)))
		}
	case pkUint8:
		for i := range k {
			out[i] = raw[4*i]
		}
	case pkUint16:
		for i := range k {
			binary.LittleEndian.PutUint32(out[4*i:], uint32(binary.LittleEndian.Uint16(raw[4*i:])))
		}
	case pkUint32:
		for i := range k {
			binary.LittleEndian.PutUint64(out[8*i:], uint64(binary.LittleEndian.Uint32(raw[4*i:])))
		}
	case pkUint64:
		for i := range k {
			x := binary.LittleEndian.Uint64(raw[8*i:])
			if x > math.MaxInt64 {
				return i, fmt.Errorf("uint64 %d does not fit an I64", x)
			}
			binary.LittleEndian.PutUint64(out[8*i:], x)
		}
	case pkTimestamp:
		for i := range k {
			t := int64(binary.LittleEndian.Uint64(raw[8*i:]))
			if t > math.MaxInt64/c.per || t < math.MinInt64/c.per {
				return i, fmt.Errorf("timestamp %d (%v) is outside a TIMESTAMP's range (nanoseconds in an int64)", t, c.arrow)
			}
			binary.LittleEndian.PutUint64(out[8*i:], uint64(t*c.per))
		}
	case pkInt96:
		for i := range k {
			v := raw[12*i:]
			nanos := int64(binary.LittleEndian.Uint64(v))
			julian := int64(binary.LittleEndian.Uint32(v[8:]))
			const unixEpochJulian = 2440588
			binary.LittleEndian.PutUint64(out[8*i:], uint64((julian-unixEpochJulian)*86400*1_000_000_000+nanos))
		}
	case pkTimeMs:
		for i := range k {
			t := int32(binary.LittleEndian.Uint32(raw[4*i:]))
			if t < 0 || int64(t) >= value.MillisPerDay {
				return i, fmt.Errorf("time %d ms is outside a day", t)
			}
			binary.LittleEndian.PutUint32(out[4*i:], uint32(t))
		}
	case pkTimeDiv:
		day := value.MillisPerDay * c.per
		for i := range k {
			t := int64(binary.LittleEndian.Uint64(raw[8*i:]))
			if t < 0 || t >= day {
				return i, fmt.Errorf("time %d %v is outside a day", t, c.arrow)
			}
			binary.LittleEndian.PutUint32(out[4*i:], uint32(t/c.per))
		}
	case pkDecimal:
		size := c.physSize()
		for i := range k {
			binary.LittleEndian.PutUint64(out[8*i:], math.Float64bits(c.decimal(raw[size*i:size*(i+1)])))
		}
	default:
		return 0, fmt.Errorf("no conversion of %v", c.phys)
	}
	return 0, nil
}

// decimal converts one stored decimal (INT32 or INT64 little-endian, or a
// big-endian two's complement FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY) to the
// float64 nearest its value.
func (c *pqCol) decimal(b []byte) float64 {
	switch c.phys {
	case pq.Types.Int32:
		return decimalFloat(int64(int32(binary.LittleEndian.Uint32(b))), c.scale, nil)
	case pq.Types.Int64:
		return decimalFloat(int64(binary.LittleEndian.Uint64(b)), c.scale, nil)
	}
	if len(b) == 0 {
		return 0
	}
	neg := b[0]&0x80 != 0
	sign := byte(0)
	if neg {
		sign = 0xff
	}
	fits := true
	for _, x := range b[:max(len(b)-8, 0)] {
		if x != sign {
			fits = false
			break
		}
	}
	if fits && len(b) > 8 && (b[len(b)-8]&0x80 != 0) != neg {
		fits = false
	}
	if fits {
		var v uint64
		if neg {
			v = math.MaxUint64
		}
		for _, x := range b[max(len(b)-8, 0):] {
			v = v<<8 | uint64(x)
		}
		return decimalFloat(int64(v), c.scale, nil)
	}
	z := new(big.Int).SetBytes(b)
	if neg {
		z.Sub(z, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return decimalFloat(0, c.scale, z)
}

// byteArrayValues decodes the present values of a BYTE_ARRAY page and
// places them: strings, symbols or decimals.
func (d *chunkDecoder) byteArrayValues(page []byte, enc int64, n, k int, defs []uint32) error {
	s := d.s
	var idx []uint32
	arrays := &s.arrays
	var err error
	switch enc {
	case encPlain:
		err = plainByteArrays(arrays, page, k)
	case encDeltaLengthByte:
		err = deltaLengthByteArrays(arrays, page, k, &s.lens)
	case encDeltaByteArray:
		err = deltaByteArrays(arrays, page, k, s)
	case encPlainDictionary, encRLEDictionary:
		idx, err = d.dictIndexes(page, k)
		arrays = &d.dictStrs
	default:
		err = fmt.Errorf("values in %s", encodingName(enc))
	}
	if err != nil {
		return err
	}
	// value returns the j-th present value.
	value := func(j int) []byte {
		if idx != nil {
			return arrays.at(int(idx[j]))
		}
		return arrays.at(j)
	}
	switch d.col.kind {
	case pkString:
		j := 0
		for i := range n {
			if defs != nil && defs[i] == 0 {
				err = d.str.Append(nil)
			} else {
				err = d.str.Append(value(j))
				j++
			}
			if err != nil {
				return err
			}
		}
		return nil
	case pkSym:
		return d.symValues(n, defs, idx, value)
	case pkDecimal:
		s.conv = growBytes(s.conv, 8*k)
		for j := range k {
			binary.LittleEndian.PutUint64(s.conv[8*j:], math.Float64bits(d.col.decimal(value(j))))
		}
		rows := unsafe.Slice((*byte)(unsafe.Add(d.dest.base, (d.job.start+d.done)*8)), n*8)
		if defs == nil {
			copy(rows, s.conv[:8*k])
		} else {
			scatter(rows, s.conv, defs, 8)
		}
		return nil
	}
	return fmt.Errorf("byte arrays for %v", d.col.out)
}

// symValues writes a SYM page's ids: from the dictionary's when idx is
// given, else interning each string (once per chunk).
func (d *chunkDecoder) symValues(n int, defs []uint32, idx []uint32, value func(int) []byte) error {
	base := unsafe.Add(d.dest.base, (d.job.start+d.done)*d.dest.size)
	j := 0
	for i := range n {
		id := d.x.emptySym
		if defs == nil || defs[i] != 0 {
			if idx != nil {
				id = d.dictIDs[idx[j]]
			} else {
				var err error
				if id, err = d.intern(value(j)); err != nil {
					return err
				}
			}
			j++
		}
		if id > d.dest.maxID {
			return errWiden
		}
		storeSymID(base, d.dest.size, i, id)
	}
	return nil
}

func (d *chunkDecoder) intern(b []byte) (int64, error) {
	if d.syms == nil {
		d.syms = make(map[string]int64)
	}
	if id, ok := d.syms[string(b)]; ok {
		return id, nil
	}
	id, err := value.Intern(string(b))
	if err != nil {
		return 0, err
	}
	d.syms[string(b)] = id
	return id, nil
}

func storeSymID(base unsafe.Pointer, size, i int, id int64) {
	switch size {
	case 1:
		*(*uint8)(unsafe.Add(base, i)) = uint8(id)
	case 2:
		*(*uint16)(unsafe.Add(base, 2*i)) = uint16(id)
	case 4:
		*(*uint32)(unsafe.Add(base, 4*i)) = uint32(id)
	default:
		*(*uint64)(unsafe.Add(base, 8*i)) = uint64(id)
	}
}

// assemble builds the table: STR columns joined from their parts, null
// bitmaps written at once.
func (x *pqExec) assemble() (value.V, error) {
	t, err := vec.NewTable()
	if err != nil {
		return value.V{}, err
	}
	defer releaseOnPanic(&t)
	for c := range x.p.cols {
		col := &x.p.cols[c]
		var v value.V
		if col.kind == pkString {
			var parts []value.V
			for i := range x.jobs {
				if x.jobs[i].col == c {
					parts = append(parts, x.jobs[i].str)
				}
			}
			switch len(parts) {
			case 0:
				v, err = vec.New(value.Str, 0)
			case 1:
				v = cow.Retain(parts[0])
			default:
				v, err = vec.ConcatAll(parts...)
			}
			if err != nil {
				cow.Release(&t)
				return value.V{}, err
			}
		} else {
			v, x.dests[c].v = x.dests[c].v, value.V{}
		}
		if err := x.setNulls(&v, c); err != nil {
			cow.Release(&v)
			cow.Release(&t)
			return value.V{}, err
		}
		err := vec.AddColumn(&t, col.name, v)
		cow.Release(&v)
		if err != nil {
			cow.Release(&t)
			return value.V{}, err
		}
	}
	return t, nil
}

// setNulls writes column c's null bits, from its jobs' bitmaps.
func (x *pqExec) setNulls(vp *value.V, c int) error {
	var bits []byte
	for i := range x.jobs {
		j := &x.jobs[i]
		if j.col != c || j.nulls == nil {
			continue
		}
		if bits == nil {
			bits = make([]byte, (x.p.rows+7)/8)
		}
		copyBits(bits, j.start, j.nulls, j.rows)
	}
	if bits == nil {
		return nil
	}
	return vec.SetNulls(vp, bits, 0)
}

// copyBits ORs n bits of src (from bit 0) into dst from bit off.
func copyBits(dst []byte, off int, src []byte, n int) {
	if off%8 == 0 {
		full := n / 8
		for i, b := range src[:full] {
			dst[off/8+i] |= b
		}
		for i := full * 8; i < n; i++ {
			if src[i>>3]>>(i&7)&1 != 0 {
				r := off + i
				dst[r>>3] |= 1 << (r & 7)
			}
		}
		return
	}
	for i := range n {
		if src[i>>3]>>(i&7)&1 != 0 {
			r := off + i
			dst[r>>3] |= 1 << (r & 7)
		}
	}
}
