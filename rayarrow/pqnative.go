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

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/layout"
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
	p        *pqPlan
	o        *readOptions
	chunks   []*pqChunk
	dests    []pqDest
	unpacked atomic.Uint64 // decompressed page bytes, against the read limit
	emptySym int64
	failed   atomic.Bool
}

// pqChunk is column col of row group group: rows [start, start+rows) of
// the table. Scanning it reads its bytes, walks its page headers, decodes
// its dictionary and cuts its data pages into tasks.
type pqChunk struct {
	col, group  int
	start, rows int
	block       value.V // a U8 vector holding the chunk's bytes, until its last task is done
	buf         []byte  // its bytes
	pages       []pqPage
	tasks       []*pqTask
	pending     atomic.Int32 // tasks not yet done
	codec       pageCodec

	// The dictionary: raw values of a fixed-width column, strings of a
	// BYTE_ARRAY one, and their symbol ids for SYM.
	hasDict  bool
	dictPage []byte
	dictRaw  []byte
	dictN    int
	dictStrs byteArrays
	dictIDs  []int64
}

// pqPage is a data page of a chunk.
type pqPage struct {
	h    pageMeta
	body []byte
	pos  int64 // in the file, for errors
}

// pqTask decodes pages [first, last) of a chunk into rows [start,
// start+rows) of the table.
type pqTask struct {
	ch          *pqChunk
	first, last int
	start, rows int
	nulls       []byte          // bit i set: row start+i is null; nil when none is
	part        *vec.StrBuilder // a STR column's rows, filled
}

// taskRows is about the rows a task decodes: enough that a task's
// overhead is nothing, few enough that a chunk of one row group of
// millions of rows (Arrow Go's and raygo's writers make such files) is
// shared among the workers.
const taskRows = 1 << 18

// pqDest is where a fixed-width or SYM column's values go.
type pqDest struct {
	v     value.V
	parts *vec.StrParts // a STR column's
	base  unsafe.Pointer
	size  int   // bytes of an element (of an id, for SYM)
	maxID int64 // SYM: the largest id the width holds
	widen atomic.Bool
}

// errWiden is a SYM task's report that an id it interned does not fit
// the width its column was allocated at.
var errWiden = errors.New("an id past the column's width")

func readParquetNative(p *pqPlan, o *readOptions) (out value.V, err error) {
	x := &pqExec{p: p, o: o}
	defer x.release()
	if x.emptySym, err = value.Intern(""); err != nil {
		return value.V{}, err
	}
	start := 0
	for _, g := range p.groups {
		rows := int(p.f.rdr.MetaData().RowGroup(g).NumRows())
		for c := range p.cols {
			x.chunks = append(x.chunks, &pqChunk{col: c, group: g, start: start, rows: rows})
		}
		start += rows
	}
	x.dests = make([]pqDest, len(p.cols))
	for c := range p.cols {
		if err := x.allocate(c, false); err != nil {
			return value.V{}, err
		}
	}
	if err := x.run(func(ch *pqChunk) bool { return true }); err != nil {
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
		if err := x.run(func(ch *pqChunk) bool { return ch.col == c }); err != nil {
			return value.V{}, err
		}
	}
	return x.assemble()
}

func (x *pqExec) release() {
	for _, ch := range x.chunks {
		ch.done()
		for _, t := range ch.tasks {
			t.releasePart()
		}
	}
	for i := range x.dests {
		cow.Release(&x.dests[i].v)
		if x.dests[i].parts != nil {
			x.dests[i].parts.Release()
		}
	}
}

func (t *pqTask) releasePart() {
	if t.part != nil {
		t.part.Release()
		t.part = nil
	}
}

// done frees what the chunk's tasks read.
func (ch *pqChunk) done() {
	cow.Release(&ch.block)
	ch.buf, ch.pages, ch.dictPage, ch.dictRaw, ch.dictStrs = nil, nil, nil, nil, byteArrays{}
}

// allocate makes column c's vector (but a STR column's, made by its tasks).
func (x *pqExec) allocate(c int, wide bool) error {
	col := &x.p.cols[c]
	d := &x.dests[c]
	cow.Release(&d.v)
	var err error
	switch col.kind {
	case pkString:
		d.parts, err = vec.NewStrParts(x.p.rows)
		return err
	case pkSym:
		maxID := int64(math.MaxInt64)
		if !wide {
			maxID, err = x.symBound(col)
			if err != nil {
				return err
			}
		}
		w := attrbits.WidthFor(uint64(maxID))
		d.size, d.maxID = w.Bytes(), int64(1)<<(8*w.Bytes())-1
		if w.Bytes() == 8 {
			d.maxID = math.MaxInt64
		}
		d.v, err = vec.NewSymN(x.p.rows, w.Bytes(), x.emptySym)
		d.widen.Store(false)
	default:
		// Not zeroed: the tasks write every row, nulls included (a second
		// pass over the column cost more than all of its decoding).
		d.size = col.out.ElemSize()
		if d.v, err = vec.New(col.out, x.p.rows); err == nil {
			layout.SetLen(d.v, x.p.rows)
		}
	}
	if err != nil {
		return err
	}
	if x.p.rows > 0 {
		d.base = layout.BlockData(d.v)
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

// run scans the chunks pick selects and runs their tasks on GOMAXPROCS
// workers, and returns the first error. A worker takes a task when there
// is one and scans the next chunk when there is not, so that about one
// chunk a worker is held in memory at once.
func (x *pqExec) run(pick func(*pqChunk) bool) error {
	var todo []*pqChunk
	for _, ch := range x.chunks {
		if pick(ch) {
			for _, t := range ch.tasks {
				t.releasePart()
			}
			ch.tasks = nil
			todo = append(todo, ch)
		}
	}
	var (
		mu    sync.Mutex
		queue []*pqTask
		next  int
		first error
		wg    sync.WaitGroup
		// A value out of range stops no other task that could hold an
		// earlier one, so that the error names the first such row whatever
		// the workers' timing: the failing task starting first (then the
		// leftmost column) wins. Any other error stops the read.
		rangeAt  atomic.Int64
		rangeKey int64 = math.MaxInt64
		rangeErr error
		taskKey  = func(t *pqTask) int64 { return int64(t.start)*int64(len(x.p.cols)+1) + int64(t.ch.col) }
	)
	rangeAt.Store(math.MaxInt64)
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
		x.failed.Store(true)
	}
	failRange := func(t *pqTask, err error) {
		mu.Lock()
		if k := taskKey(t); k < rangeKey {
			rangeKey, rangeErr = k, err
			rangeAt.Store(k)
		}
		mu.Unlock()
	}
	x.failed.Store(false)
	for range min(runtime.GOMAXPROCS(0), max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := scratchPool.Get().(*pageScratch)
			defer scratchPool.Put(s)
			for !x.failed.Load() {
				mu.Lock()
				var t *pqTask
				var ch *pqChunk
				switch {
				case len(queue) > 0:
					t, queue = queue[0], queue[1:]
				case next < len(todo):
					ch = todo[next]
					next++
				}
				mu.Unlock()
				switch {
				case t != nil:
					var err error
					if taskKey(t) < rangeAt.Load() {
						err = x.runTask(t, s)
					}
					switch {
					case errors.Is(err, errWiden):
						x.dests[t.ch.col].widen.Store(true)
					case errors.Is(err, ray.ErrRange):
						failRange(t, err)
					case err != nil:
						fail(err)
						return
					}
					if t.ch.pending.Add(-1) == 0 {
						t.ch.done()
					}
				case ch != nil:
					if err := x.scanChunk(ch, s); err != nil {
						fail(err)
						return
					}
					mu.Lock()
					queue = append(queue, ch.tasks...)
					mu.Unlock()
				default:
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = rangeErr
	}
	return first
}

// scanChunk reads a chunk's bytes and its page headers (each checked
// against the chunk and the read limit), decodes its dictionary and cuts
// its data pages into tasks. A panic in a codec over damaged data is
// ErrCorrupt naming the chunk.
func (x *pqExec) scanChunk(ch *pqChunk, s *pageScratch) (err error) {
	col := &x.p.cols[ch.col]
	defer func() {
		if r := recover(); r != nil {
			err = inChunk(panicError("rayarrow.ReadParquet", r), col, ch.group)
		}
	}()
	if err := x.o.ctx.Err(); err != nil {
		return err
	}
	if err := x.scanPages(ch, col); err != nil {
		return inChunk(err, col, ch.group)
	}
	return nil
}

func (x *pqExec) scanPages(ch *pqChunk, col *pqCol) error {
	meta := x.p.f.verifier.groups[ch.group][col.leaf]
	if ch.rows == 0 {
		ch.tasks = []*pqTask{{ch: ch, start: ch.start}}
		ch.pending.Store(1)
		return nil
	}
	start, end, ok := x.p.f.verifier.chunkBounds(&meta)
	if meta.numValues == 0 || !ok {
		return fmt.Errorf("a chunk of %d values for %d rows", meta.numValues, ch.rows)
	}
	// The bytes go to raygo's heap: no zeroing, no garbage, the budget's.
	block, err := vec.New(value.U8, int(end-start))
	if err != nil {
		return err
	}
	layout.SetLen(block, int(end-start))
	ch.block = block
	buf := unsafe.Slice((*byte)(layout.BlockData(block)), end-start)
	if _, err := x.p.f.r.ReadAt(buf, start); err != nil {
		return ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "reading %v", col)
	}
	if ch.codec, err = codecOf(meta.codec); err != nil {
		return ray.Errorf(ray.ErrNYI, "rayarrow.ReadParquet", "%v: %v", col, err)
	}
	ch.buf = buf
	pos, rows := 0, 0
	for rows < ch.rows {
		if pos >= len(buf) {
			return fmt.Errorf("the pages end after %d of %d rows", rows, ch.rows)
		}
		at := start + int64(pos)
		t := &thriftReader{b: buf[pos:]}
		h, why := readPageHeader(t)
		if t.bad {
			why = t.why
		}
		if why != "" {
			return fmt.Errorf("page header at %d: %s", at, why)
		}
		pos += t.pos
		if h.compressed > int64(len(buf)-pos) {
			return fmt.Errorf("page at %d: %d bytes past the chunk's end", at, h.compressed)
		}
		body := buf[pos : pos+int(h.compressed)]
		pos += int(h.compressed)
		if x.unpacked.Add(uint64(h.uncompressed)) > x.p.f.limit {
			return ray.Errorf(ray.ErrLimit, "rayarrow.ReadParquet", "the pages decompress to more than the read limit of %d bytes", x.p.f.limit)
		}
		switch h.typ {
		case pageDictionary:
			if ch.hasDict || len(ch.pages) > 0 {
				return fmt.Errorf("page at %d: a dictionary after the first page", at)
			}
			if ch.dictPage, err = decompress(ch.codec, nil, body, h.uncompressed); err != nil {
				return fmt.Errorf("dictionary page at %d: %v", at, err)
			}
			if err := ch.dictionary(col, ch.dictPage, h); err != nil {
				return fmt.Errorf("dictionary page at %d: %v", at, err)
			}
		case pageData, pageDataV2:
			if h.values > int64(ch.rows-rows) {
				return fmt.Errorf("page at %d: %d values past the row group's %d rows", at, h.values, ch.rows)
			}
			ch.pages = append(ch.pages, pqPage{h: h, body: body, pos: at})
			rows += int(h.values)
		case pageIndex:
		default:
			return fmt.Errorf("page at %d: page type %d", at, h.typ)
		}
	}
	// Tasks of whole pages, about taskRows rows each. A STR chunk is one
	// task: its strings go to one pool, which a column of one chunk (a
	// file of one row group) keeps as it is, where parts would be joined
	// into a new pool, holding the column's strings twice for a moment.
	per := taskRows
	if col.kind == pkString {
		per = math.MaxInt
	}
	first, taskStart := 0, 0
	rows = 0
	for i, pg := range ch.pages {
		rows += int(pg.h.values)
		if rows-taskStart >= per || i == len(ch.pages)-1 {
			ch.tasks = append(ch.tasks, &pqTask{ch: ch, first: first, last: i + 1, start: ch.start + taskStart, rows: rows - taskStart})
			first, taskStart = i+1, rows
		}
	}
	ch.pending.Store(int32(len(ch.tasks)))
	return nil
}

// runTask decodes a task's pages; a panic in a codec over damaged data is
// ErrCorrupt naming the chunk.
func (x *pqExec) runTask(t *pqTask, s *pageScratch) (err error) {
	col := &x.p.cols[t.ch.col]
	defer func() {
		if r := recover(); r != nil {
			err = inChunk(panicError("rayarrow.ReadParquet", r), col, t.ch.group)
		}
	}()
	t.releasePart()
	t.nulls = nil
	d := chunkDecoder{x: x, task: t, ch: t.ch, col: col, dest: &x.dests[t.ch.col], s: s}
	if err := d.decode(); err != nil {
		if errors.Is(err, errWiden) {
			return err
		}
		return inChunk(err, col, t.ch.group)
	}
	return nil
}

// inChunk names the column and row group in an error (a plain error is
// ErrCorrupt; a context's error passes as it is).
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

// ctxError carries a context's error out of a task unchanged.
type ctxError struct{ err error }

// words views the first n elements of b as Ts (b holds them).
func words[T int64 | uint32](b []byte, n int) []T {
	var z T
	if n == 0 {
		return nil
	}
	_ = b[n*int(unsafe.Sizeof(z))-1]
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

func (e ctxError) Error() string { return e.err.Error() }
func (e ctxError) Unwrap() error { return e.err }

// scratchPool keeps workers' buffers from read to read: pages
// decompressed are megabytes each, which Go would zero and fault in anew
// for every read.
var scratchPool = sync.Pool{New: func() any { return new(pageScratch) }}

// pageScratch is a worker's buffers, reused from page to page.
type pageScratch struct {
	cur    valueCursor
	page   []byte
	levels []uint32
	idx    []uint32
	raw    []byte
	conv   []byte
	arrays byteArrays
	spans  []uint32
}

// chunkDecoder decodes a task's pages.
type chunkDecoder struct {
	x    *pqExec
	task *pqTask
	ch   *pqChunk
	col  *pqCol
	dest *pqDest
	s    *pageScratch
	done int // rows of the task decoded

	syms map[string]int64 // SYM ids of plain-encoded strings
	str  *vec.StrBuilder
}

func (d *chunkDecoder) decode() error {
	t := d.task
	if d.col.kind == pkString {
		var err error
		if d.str, err = d.dest.parts.Part(t.start, t.rows); err != nil {
			return err
		}
		defer func() {
			if d.str != nil {
				d.str.Release()
			}
		}()
	}
	for _, pg := range d.ch.pages[t.first:t.last] {
		if err := d.x.o.ctx.Err(); err != nil {
			return ctxError{err}
		}
		if d.x.failed.Load() {
			return errors.New("another chunk failed")
		}
		if err := d.dataPage(d.ch.codec, pg.body, pg.h); err != nil {
			var re *ray.Error
			if errors.As(err, &re) || errors.Is(err, errWiden) {
				return err
			}
			return fmt.Errorf("%s at %d (%s): %v", pageName(pg.h.typ), pg.pos, encodingName(pg.h.encoding), err)
		}
	}
	if d.str != nil {
		t.part, d.str = d.str, nil
	}
	return nil
}

func pageName(typ int64) string {
	if typ == pageDataV2 {
		return "data page v2"
	}
	return "data page"
}

// decompress decodes src into buf, resized to exactly n bytes: data that
// would decode to more or fewer is an error.
func decompress(codec pageCodec, buf, src []byte, n int64) ([]byte, error) {
	buf = growBytes(buf, int(n))
	if codec == nil {
		if int64(len(src)) != n {
			return nil, fmt.Errorf("%d bytes stored for %d", len(src), n)
		}
		copy(buf, src)
		return buf, nil
	}
	out, err := codec(buf, src)
	if err != nil {
		return nil, err
	}
	if int64(len(out)) != n || (n > 0 && &out[0] != &buf[0]) {
		return nil, fmt.Errorf("decompressed to %d bytes, not the %d declared", len(out), n)
	}
	return buf, nil
}

// dictionary decodes a dictionary page (PLAIN values).
func (d *pqChunk) dictionary(col *pqCol, b []byte, h pageMeta) error {
	if h.encoding != encPlain && h.encoding != encPlainDictionary {
		return fmt.Errorf("a dictionary in %s", encodingName(h.encoding))
	}
	n := h.dictValues
	d.hasDict = true
	if col.phys == pq.Types.ByteArray {
		if n > int64(len(b)/4) {
			return errShort
		}
		// The dictionary's strings must outlive the scratch's arrays.
		var arrays byteArrays
		if _, err := plainByteArrays(&arrays, b, int(n)); err != nil {
			return err
		}
		d.dictStrs, d.dictN = arrays, int(n)
		if col.kind == pkSym {
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
	size := col.physSize()
	if col.phys == pq.Types.Boolean || size == 0 || n > int64(len(b)/size) {
		return fmt.Errorf("a dictionary of %d values in %d bytes", n, len(b))
	}
	d.dictRaw, d.dictN = b[:int(n)*size], int(n)
	return nil
}

// batchRows is how many rows of a page are decoded at once: the scratch
// a batch needs (levels, indexes, values: tens of bytes a row) stays in
// the CPU's caches, and bounded whatever number of values a page declares
// (a few bytes of runs can declare billions).
const batchRows = 1 << 16

// dataPage decodes one data page of h.values rows, a batch at a time.
func (d *chunkDecoder) dataPage(codec pageCodec, body []byte, h pageMeta) error {
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
	// Definition levels (which rows hold a value): a page whose levels are
	// one run of 1s has no nulls and decodes none.
	nulls := d.col.optional
	var lv hybrid
	var bitPacked []byte // the deprecated BIT_PACKED levels of a v1 page
	if nulls && h.typ == pageDataV2 {
		nulls = !singleRun(levels, n)
		lv, _ = newHybrid(levels, 1)
	} else if nulls {
		switch h.defEncoding {
		case encRLE:
			if len(page) < 4 {
				return errShort
			}
			l := binary.LittleEndian.Uint32(page)
			if uint64(l) > uint64(len(page)-4) {
				return errShort
			}
			nulls = !singleRun(page[4:4+l], n)
			lv, _ = newHybrid(page[4:4+l], 1)
			page = page[4+l:]
		case encBitPacked:
			nb := (n + 7) / 8
			if nb > len(page) {
				return errShort
			}
			bitPacked, page = page[:nb], page[nb:]
		default:
			return fmt.Errorf("levels in %s", encodingName(h.defEncoding))
		}
	}
	size := d.col.physSize()
	if err := s.cur.start(h.encoding, page, size, d.ch.hasDict); err != nil {
		return err
	}
	for b := 0; b < n; b += batchRows {
		m := min(batchRows, n-b)
		k := m
		var defs []uint32
		if nulls {
			s.levels = growU32(s.levels, m)
			defs = s.levels
			if bitPacked != nil {
				err = bitPackedLevels(defs, bitPacked, 1, b)
			} else {
				err = lv.decode(defs)
			}
			if err != nil {
				return fmt.Errorf("definition levels: %v", err)
			}
			if k, err = d.markNulls(defs); err != nil {
				return err
			}
			if k == m {
				defs = nil
			}
		}
		if d.col.phys == pq.Types.ByteArray {
			err = d.byteArrayValues(h.encoding, m, k, defs)
		} else {
			err = d.fixedValues(h.encoding, m, k, defs)
		}
		if err != nil {
			return err
		}
		d.done += m
	}
	return nil
}

// markNulls sets the null bits of the page's rows whose level is 0 and
// returns how many rows have a value.
func (d *chunkDecoder) markNulls(defs []uint32) (present int, err error) {
	var most uint32
	for _, l := range defs {
		present += int(l)
		most = max(most, l)
	}
	if most > 1 {
		return 0, fmt.Errorf("a definition level of %d in a column of at most 1", most)
	}
	if present == len(defs) {
		return present, nil
	}
	t := d.task
	if t.nulls == nil {
		t.nulls = make([]byte, (t.rows+7)/8+1)
	}
	// Eight levels make a byte of null bits, ORed in at the page's row.
	nulls := t.nulls
	shift := uint(d.done & 7)
	at := d.done >> 3
	i := 0
	for ; i+8 <= len(defs); i += 8 {
		l := defs[i : i+8 : i+8]
		b := byte(l[0]^1) | byte(l[1]^1)<<1 | byte(l[2]^1)<<2 | byte(l[3]^1)<<3 |
			byte(l[4]^1)<<4 | byte(l[5]^1)<<5 | byte(l[6]^1)<<6 | byte(l[7]^1)<<7
		nulls[at] |= b << shift
		nulls[at+1] |= byte(uint16(b) >> (8 - shift))
		at++
	}
	for ; i < len(defs); i++ {
		r := d.done + i
		nulls[r>>3] |= byte(defs[i]^1) << (r & 7)
	}
	return present, nil
}

// dictIndexes decodes the next k dictionary indexes of the page.
func (d *chunkDecoder) dictIndexes(k int) ([]uint32, error) {
	d.s.idx = growU32(d.s.idx, k)
	return d.s.idx, d.s.cur.indexes(d.s.idx, d.ch.dictN)
}

// fixedValues decodes the next k values of a page of a fixed-width
// physical type and places them in the batch's n rows.
func (d *chunkDecoder) fixedValues(enc int64, n, k int, defs []uint32) error {
	s := d.s
	size := d.col.physSize()
	switch phys := d.col.phys; {
	case enc == encDeltaBinaryPacked && phys != pq.Types.Int32 && phys != pq.Types.Int64,
		enc == encDeltaByteArray && phys != pq.Types.FixedLenByteArray,
		enc == encRLE && phys != pq.Types.Boolean,
		enc == encByteStreamSplit && (phys == pq.Types.Boolean || phys == pq.Types.Int96):
		return fmt.Errorf("%s values of %v", encodingName(enc), phys)
	}
	direct := d.col.kind == pkCopy && defs == nil // the raw bytes are the column's
	var raw []byte
	if enc == encPlainDictionary || enc == encRLEDictionary {
		idx, err := d.dictIndexes(k)
		if err != nil {
			return err
		}
		if direct {
			gather(unsafe.Slice((*byte)(unsafe.Add(d.dest.base, (d.task.start+d.done)*size)), k*size), d.ch.dictRaw, idx, size)
			return nil
		}
		s.raw = growBytes(s.raw, k*size)
		raw = s.raw
		gather(raw, d.ch.dictRaw, idx, size)
	} else {
		var err error
		if raw, err = s.cur.fixed(k, size); err != nil {
			return err
		}
		if direct {
			copy(unsafe.Slice((*byte)(unsafe.Add(d.dest.base, (d.task.start+d.done)*size)), k*size), raw)
			return nil
		}
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
	rows := unsafe.Slice((*byte)(unsafe.Add(d.dest.base, (d.task.start+d.done)*size)), n*size)
	if defs != nil && d.col.kind == pkCopy { // no conversion: scatter the raw values
		scatter(rows, raw, defs, size)
		return nil
	}
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
	return ray.Errorf(ray.ErrRange, "rayarrow.ReadParquet", "%v row %d: %v", d.col, d.task.start+d.done+row, err)
}

// scatter writes the dense values of size bytes to the rows whose level
// is 1, and zeros to the others (null rows).
func scatter(rows, dense []byte, defs []uint32, size int) {
	j := 0
	switch size {
	case 8:
		out := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(rows))), len(defs))
		in := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(dense))), len(dense)/8)
		for i, l := range defs {
			var x uint64
			if l != 0 {
				x = in[j]
				j++
			}
			out[i] = x
		}
	case 4:
		out := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(rows))), len(defs))
		in := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(dense))), len(dense)/4)
		for i, l := range defs {
			var x uint32
			if l != 0 {
				x = in[j]
				j++
			}
			out[i] = x
		}
	default:
		for i, l := range defs {
			if l != 0 {
				copy(rows[i*size:(i+1)*size], dense[j*size:(j+1)*size])
				j++
			} else {
				clear(rows[i*size : (i+1)*size])
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
		in, wide := words[uint32](raw, k), words[int64](out, k)
		for i, x := range in {
			wide[i] = int64(x)
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
		// Typed views (raygo's targets are little-endian, and the loads
		// may be unaligned there): a compare and a multiply a value.
		in, ns := words[int64](raw, k), words[int64](out, k)
		lo, hi, per := math.MinInt64/c.per, math.MaxInt64/c.per, c.per
		for i, t := range in {
			if t > hi || t < lo {
				return i, fmt.Errorf("timestamp %d (%v) is outside a TIMESTAMP's range (nanoseconds in an int64)", t, c.arrow)
			}
			ns[i] = t * per
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
	case pkDecimalI64:
		size := c.physSize()
		for i := range k {
			v, ok := c.unscaled(raw[size*i : size*(i+1)])
			if !ok {
				return i, fmt.Errorf("a decimal whose unscaled value does not fit an I64")
			}
			binary.LittleEndian.PutUint64(out[8*i:], uint64(v))
		}
	case pkUint64F64:
		for i := range k {
			binary.LittleEndian.PutUint64(out[8*i:], math.Float64bits(float64(binary.LittleEndian.Uint64(raw[8*i:]))))
		}
	default:
		return 0, fmt.Errorf("no conversion of %v", c.phys)
	}
	return 0, nil
}

// unscaled returns a stored decimal's unscaled value, when it fits an
// int64.
func (c *pqCol) unscaled(b []byte) (int64, bool) {
	switch c.phys {
	case pq.Types.Int32:
		return int64(int32(binary.LittleEndian.Uint32(b))), true
	case pq.Types.Int64:
		return int64(binary.LittleEndian.Uint64(b)), true
	}
	if len(b) == 0 {
		return 0, true
	}
	neg := b[0]&0x80 != 0
	sign := byte(0)
	if neg {
		sign = 0xff
	}
	for _, x := range b[:max(len(b)-8, 0)] {
		if x != sign {
			return 0, false
		}
	}
	if len(b) > 8 && (b[len(b)-8]&0x80 != 0) != neg {
		return 0, false
	}
	var v uint64
	if neg {
		v = math.MaxUint64
	}
	for _, x := range b[max(len(b)-8, 0):] {
		v = v<<8 | uint64(x)
	}
	return int64(v), true
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
	if v, ok := c.unscaled(b); ok {
		return decimalFloat(v, c.scale, nil)
	}
	neg := len(b) > 0 && b[0]&0x80 != 0
	z := new(big.Int).SetBytes(b)
	if neg {
		z.Sub(z, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return decimalFloat(0, c.scale, z)
}

// byteArrayValues decodes the next k values of a BYTE_ARRAY page and
// places them in the batch's n rows: strings, symbols or decimals.
func (d *chunkDecoder) byteArrayValues(enc int64, n, k int, defs []uint32) error {
	s := d.s
	var idx []uint32
	arrays := &s.arrays
	var err error
	if enc == encPlainDictionary || enc == encRLEDictionary {
		idx, err = d.dictIndexes(k)
		arrays = &d.ch.dictStrs
	} else {
		err = s.cur.byteArrays(arrays, k)
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
		// Each row's span of the value bytes (an empty one for a null),
		// then one bulk append.
		s.spans = growU32(s.spans, 2*n)
		spans := s.spans
		j := 0
		for i := range n {
			if defs != nil && defs[i] == 0 {
				spans[2*i], spans[2*i+1] = 0, 0
				continue
			}
			k := j
			if idx != nil {
				k = int(idx[j])
			}
			spans[2*i], spans[2*i+1] = arrays.offs[2*k], arrays.offs[2*k+1]
			j++
		}
		return d.str.AppendSpans(arrays.data, spans)
	case pkSym:
		return d.symValues(n, defs, idx, value)
	case pkDecimal, pkDecimalI64:
		s.conv = growBytes(s.conv, 8*k)
		for j := range k {
			x := math.Float64bits(d.col.decimal(value(j)))
			if d.col.kind == pkDecimalI64 {
				v, ok := d.col.unscaled(value(j))
				if !ok {
					return d.rangeError(j, defs, errors.New("a decimal whose unscaled value does not fit an I64"))
				}
				x = uint64(v)
			}
			binary.LittleEndian.PutUint64(s.conv[8*j:], x)
		}
		rows := unsafe.Slice((*byte)(unsafe.Add(d.dest.base, (d.task.start+d.done)*8)), n*8)
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
	base := unsafe.Add(d.dest.base, (d.task.start+d.done)*d.dest.size)
	if idx != nil && defs == nil { // the common case: every row from the dictionary
		for _, id := range d.ch.dictIDs {
			if id > d.dest.maxID {
				return errWiden
			}
		}
		switch d.dest.size {
		case 1:
			storeIDs(unsafe.Slice((*uint8)(base), n), idx, d.ch.dictIDs)
		case 2:
			storeIDs(unsafe.Slice((*uint16)(base), n), idx, d.ch.dictIDs)
		case 4:
			storeIDs(unsafe.Slice((*uint32)(base), n), idx, d.ch.dictIDs)
		default:
			storeIDs(unsafe.Slice((*uint64)(base), n), idx, d.ch.dictIDs)
		}
		return nil
	}
	j := 0
	for i := range n {
		id := d.x.emptySym
		if defs == nil || defs[i] != 0 {
			if idx != nil {
				id = d.ch.dictIDs[idx[j]]
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

// storeIDs writes ids[idx[i]] into out[i].
func storeIDs[T vec.SymID](out []T, idx []uint32, ids []int64) {
	for i, k := range idx[:len(out)] {
		out[i] = T(ids[k])
	}
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
		var tasks []*pqTask
		for _, ch := range x.chunks {
			if ch.col == c {
				tasks = append(tasks, ch.tasks...)
			}
		}
		if col.kind == pkString {
			parts := make([]*vec.StrBuilder, len(tasks))
			for i, t := range tasks {
				parts[i], t.part = t.part, nil
			}
			v, err = x.dests[c].parts.Join(parts)
			x.dests[c].parts = nil
			if err != nil {
				cow.Release(&t)
				return value.V{}, err
			}
		} else {
			v, x.dests[c].v = x.dests[c].v, value.V{}
		}
		if err := x.setNulls(&v, tasks); err != nil {
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

// setNulls writes a column's null bits, from its tasks' bitmaps.
func (x *pqExec) setNulls(vp *value.V, tasks []*pqTask) error {
	var bits []byte
	for _, t := range tasks {
		if t.nulls == nil {
			continue
		}
		if bits == nil {
			bits = make([]byte, (x.p.rows+7)/8)
		}
		copyBits(bits, t.start, t.nulls, t.rows)
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
