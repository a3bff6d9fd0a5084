package olap

import (
	"cmp"
	"math"
	"slices"

	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/index"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// A Query is one of the five: its SQL (the specification), the engine's
// plan for it, and the plain Go reference.
type Query struct {
	Name  string
	SQL   string
	Run   func(e *Engine, trades, ref value.V) (Result, error)
	Plain func(p *Plain, r *PlainRef) Result
	// Reads names the trades columns the query reads from end to end: the
	// bytes whose reading bounds its speed.
	Reads []string
}

// Queries are the engine's five queries.
var Queries = []Query{
	{"q1", "SELECT count(*), sum(qty), avg(px) FROM trades WHERE px BETWEEN 100 AND 200 AND venue = 'V3'", (*Engine).Q1, PlainQ1, []string{"venue", "px", "qty"}},
	{"q2", "SELECT sym, count(*), sum(px*qty), min(px), max(px), avg(qty) FROM trades GROUP BY sym ORDER BY sym", (*Engine).Q2, PlainQ2, []string{"sym", "px", "qty"}},
	{"q3", "SELECT r.sector, count(*), sum(t.qty * r.lot) FROM trades t JOIN ref r ON t.sym = r.sym GROUP BY r.sector ORDER BY r.sector", (*Engine).Q3, PlainQ3, []string{"sym", "qty"}},
	{"q4", "SELECT ts, sym, px FROM trades WHERE px IS NOT NULL ORDER BY px DESC, ts LIMIT 10", (*Engine).Q4, PlainQ4, []string{"px"}},
	{"q5", "SELECT venue, count(DISTINCT sym) FROM trades GROUP BY venue ORDER BY venue", (*Engine).Q5, PlainQ5, []string{"sym", "venue"}},
}

// tradesView is the trades columns the queries read (borrowed from the
// table) and the typed views of them that the kernels use.
type tradesView struct {
	n          int
	sym, venue value.V
	ts, qty    []int64
	px         []float64
	pxNulls    []byte
	pxOff      int
}

func viewTrades(t value.V) (*tradesView, error) {
	var v tradesView
	var err error
	get := func(name string) value.V {
		c, e := column(t, name)
		if err == nil {
			err = e
		}
		return c
	}
	ts, px, qty := get("ts"), get("px"), get("qty")
	v.sym, v.venue = get("sym"), get("venue")
	if err != nil {
		return nil, err
	}
	if v.ts, err = vec.Elems[int64](ts); err != nil {
		return nil, err
	}
	if v.px, err = vec.Elems[float64](px); err != nil {
		return nil, err
	}
	if v.qty, err = vec.Elems[int64](qty); err != nil {
		return nil, err
	}
	v.pxNulls, v.pxOff = vec.NullBits(px)
	v.n = len(v.px)
	return &v, nil
}

// symBound returns a bound on the symbol ids the SYM columns hold, for
// sizing accumulators indexed by id: the symbol table's size, or less where
// the columns' width holds less (a 2-byte column holds ids below 65,536).
// Where that is still large, as in a process that has interned millions of
// symbols, the columns are scanned for their largest id, so that no
// worker's accumulators grow with the symbol table instead of the data.
func symBound(cols ...value.V) (int, error) {
	count := value.SymCount()
	var bound int64
	for _, c := range cols {
		b := count
		if w, ok := attrs.SymWidth(c); ok && w < 4 {
			b = min(b, int64(1)<<(8*w))
		}
		bound = max(bound, b)
	}
	if bound <= 1<<16 {
		return int(bound), nil
	}
	var largest int64 = -1
	ids := make([]int64, 4096)
	for _, c := range cols {
		for from := 0; from < int(c.Len()); {
			n, err := vec.SymIDs(ids, c, from)
			if err != nil {
				return 0, err
			}
			for _, id := range ids[:n] {
				largest = max(largest, id)
			}
			from += n
		}
	}
	return int(largest + 1), nil
}

// Q1 filters on a range of px and one venue and aggregates what is left:
// a selection vector per morsel, refined by each predicate in turn.
func (e *Engine) Q1(trades, _ value.V) (Result, error) {
	t, err := viewTrades(trades)
	if err != nil {
		return Result{}, err
	}
	res := Result{Columns: []string{"count", "sum(qty)", "avg(px)"}}
	v3, ok := value.SymID("V3")
	type part struct {
		count, sumQty int64
		sumPx         float64
		sel           []int32
		ids           []int64
	}
	parts := make([]part, e.workers())
	c := e.crew()
	defer c.release()
	if ok {
		err = e.forMorsels(t.n, func(w, lo, hi int) error {
			p := &parts[w]
			if p.sel == nil {
				var err error
				if p.sel, err = c[w].int32s(e.morsel()); err != nil {
					return err
				}
				if p.ids, err = c[w].int64s(e.morsel()); err != nil {
					return err
				}
			}
			// The more selective predicate first: one venue of eight.
			ids := p.ids[:hi-lo]
			if _, err := vec.SymIDs(ids, t.venue, lo); err != nil {
				return err
			}
			n := selectEqual(p.sel, ids, lo, v3)
			n = refineBetween(p.sel, n, t.px, t.pxNulls, t.pxOff, 100, 200)
			for _, r := range p.sel[:n] {
				p.count++
				p.sumQty += t.qty[r]
				p.sumPx += t.px[r]
			}
			return nil
		})
		if err != nil {
			return Result{}, err
		}
	}
	var count, sumQty int64
	var sumPx float64
	for _, p := range parts {
		count, sumQty, sumPx = count+p.count, sumQty+p.sumQty, sumPx+p.sumPx
	}
	if count == 0 {
		res.Rows = [][]any{{int64(0), nil, nil}}
	} else {
		res.Rows = [][]any{{count, sumQty, sumPx / float64(count)}}
	}
	return res, nil
}

// Q2 groups by sym: symbol ids are dense, so each worker's accumulators are
// vectors indexed by id, and grouping is an add at an index. A group's
// accumulators sit side by side, four to a 32-byte line (the data of a heap
// block is 32-byte aligned), so a row touches two lines, not six.
func (e *Engine) Q2(trades, _ value.V) (Result, error) {
	t, err := viewTrades(trades)
	if err != nil {
		return Result{}, err
	}
	nsym, err := symBound(t.sym)
	if err != nil {
		return Result{}, err
	}
	const (
		count, sumQty, pxCount = 0, 1, 2 // in ints
		sumPxQty, minPx, maxPx = 0, 1, 2 // in floats
		stride                 = 4
	)
	type part struct {
		ints   []int64   // per id: count(*), sum(qty), count(px)
		floats []float64 // per id: sum(px*qty), min(px), max(px)
		ids    []int64
	}
	parts := make([]part, e.workers())
	c := e.crew()
	defer c.release()
	alloc := func(p *part, s *scratch) (err error) {
		if p.ints, err = s.int64s(nsym * stride); err != nil {
			return err
		}
		if p.ids, err = s.int64s(e.morsel()); err != nil {
			return err
		}
		if p.floats, err = s.float64s(nsym * stride); err != nil {
			return err
		}
		for i := 0; i < len(p.floats); i += stride {
			p.floats[i+minPx], p.floats[i+maxPx] = math.Inf(1), math.Inf(-1)
		}
		return nil
	}
	err = e.forMorsels(t.n, func(w, lo, hi int) error {
		p := &parts[w]
		if p.ints == nil {
			if err := alloc(p, &c[w]); err != nil {
				return err
			}
		}
		ids := p.ids[:hi-lo]
		if _, err := vec.SymIDs(ids, t.sym, lo); err != nil {
			return err
		}
		ints, floats := p.ints, p.floats
		qty, px := t.qty[lo:hi], t.px[lo:hi]
		for j, id := range ids {
			a := ints[id*stride : id*stride+stride : id*stride+stride]
			q := qty[j]
			a[count]++
			a[sumQty] += q
			if nullAt(t.pxNulls, t.pxOff, lo+j) {
				continue
			}
			x := px[j]
			a[pxCount]++
			f := floats[id*stride : id*stride+stride : id*stride+stride]
			f[sumPxQty] += x * float64(q)
			f[minPx] = min(f[minPx], x)
			f[maxPx] = max(f[maxPx], x)
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	var total *part
	for i := range parts {
		p := &parts[i]
		if p.ints == nil {
			continue
		}
		if total == nil {
			total = p
			continue
		}
		for k := 0; k < len(p.ints); k += stride {
			total.ints[k+count] += p.ints[k+count]
			total.ints[k+sumQty] += p.ints[k+sumQty]
			total.ints[k+pxCount] += p.ints[k+pxCount]
			total.floats[k+sumPxQty] += p.floats[k+sumPxQty]
			total.floats[k+minPx] = min(total.floats[k+minPx], p.floats[k+minPx])
			total.floats[k+maxPx] = max(total.floats[k+maxPx], p.floats[k+maxPx])
		}
	}
	res := Result{Columns: []string{"sym", "count", "sum(px*qty)", "min(px)", "max(px)", "avg(qty)"}}
	if total == nil {
		return res, nil
	}
	counts := make([]int64, nsym) // control: which groups exist
	for id := range counts {
		counts[id] = total.ints[id*stride+count]
	}
	for _, id := range groupsByName(counts) {
		a, f := total.ints[id*stride:], total.floats[id*stride:]
		row := []any{symName(id), a[count], nil, nil, nil, float64(a[sumQty]) / float64(a[count])}
		if a[pxCount] > 0 {
			row[2], row[3], row[4] = f[sumPxQty], f[minPx], f[maxPx]
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// groupsByName returns the ids whose count is not 0, ordered by name.
func groupsByName(count []int64) []int64 {
	type group struct {
		id   int64
		name string
	}
	var groups []group
	for id, c := range count {
		if c != 0 {
			groups = append(groups, group{int64(id), symName(int64(id))})
		}
	}
	slices.SortFunc(groups, func(a, b group) int { return cmp.Compare(a.name, b.name) })
	ids := make([]int64, len(groups))
	for i, g := range groups {
		ids[i] = g.id
	}
	return ids
}

func symName(id int64) string {
	name, _ := value.SymName(id)
	return name
}

// Q3 joins trades to ref on sym through a hash index on ref.sym and groups
// the matches by ref's sector. The join key is a symbol, so the probe side
// has at most as many distinct keys as the symbol table: the index is
// probed once per symbol id (index.ProbeSyms), which gives each id its ref
// row, and the trades are aggregated by symbol id before the join. (When a
// key has more than one ref row, each trade probes instead.)
func (e *Engine) Q3(trades, ref value.V) (Result, error) {
	t, err := viewTrades(trades)
	if err != nil {
		return Result{}, err
	}
	refSym, err1 := column(ref, "sym")
	sector, err2 := column(ref, "sector")
	lot, err3 := column(ref, "lot")
	if err := firstErr(err1, err2, err3); err != nil {
		return Result{}, err
	}
	lots, err := vec.Elems[int64](lot)
	if err != nil {
		return Result{}, err
	}
	// The build side: ref.sym with a hash index (a private copy: the table's
	// column may be a mapped file), and ref's sector ids.
	build := cow.Retain(refSym)
	defer cow.Release(&build)
	if err := index.Attach(&build, index.Hash); err != nil {
		return Result{}, err
	}
	var s scratch
	defer s.release()
	sectorIDs, err := s.int64s(int(sector.Len()))
	if err != nil {
		return Result{}, err
	}
	if _, err := vec.SymIDs(sectorIDs, sector, 0); err != nil {
		return Result{}, err
	}
	nsym, err := symBound(t.sym, refSym, sector)
	if err != nil {
		return Result{}, err
	}
	// Probe every symbol id once: match[id] is its ref row + 1 (0: none).
	allIDs, err1 := s.int64s(nsym)
	match, err2 := s.int64s(nsym)
	if err := firstErr(err1, err2); err != nil {
		return Result{}, err
	}
	for id := range allIDs {
		allIDs[id] = int64(id)
	}
	unique := true
	err = index.ProbeSyms(build, allIDs, func(k int, rows []uint32) bool {
		match[k] = int64(rows[0]) + 1
		unique = unique && len(rows) == 1
		return true
	})
	if err != nil {
		return Result{}, err
	}
	// A worker's groups: by sector when a key has several ref rows (each
	// trade probes), else by symbol id, two accumulators side by side.
	type part struct {
		acc, ids []int64
	}
	parts := make([]part, e.workers())
	c := e.crew()
	defer c.release()
	err = e.forMorsels(t.n, func(w, lo, hi int) error {
		p := &parts[w]
		if p.acc == nil {
			var err error
			if p.acc, err = c[w].int64s(2 * nsym); err != nil {
				return err
			}
			if p.ids, err = c[w].int64s(e.morsel()); err != nil {
				return err
			}
		}
		ids := p.ids[:hi-lo]
		if _, err := vec.SymIDs(ids, t.sym, lo); err != nil {
			return err
		}
		acc := p.acc
		if !unique {
			return index.ProbeSyms(build, ids, func(k int, rows []uint32) bool {
				q := t.qty[lo+k]
				for _, r := range rows {
					sec := sectorIDs[r]
					acc[2*sec]++
					acc[2*sec+1] += q * lots[r]
				}
				return true
			})
		}
		// Each symbol has one ref row, so sum(qty*lot) over its trades
		// is lot*sum(qty): the scan aggregates by symbol (the GROUP BY
		// pushed below the join) and the join happens once per symbol,
		// below. Sectors are few, so adding into them row by row would
		// wait on the last add to the same sector; symbols are many.
		qty := t.qty[lo:hi]
		for j, id := range ids {
			a := acc[2*id : 2*id+2 : 2*id+2]
			a[0]++
			a[1] += qty[j]
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	count := make([]int64, nsym) // control: the merge of at most nsym groups
	sum := make([]int64, nsym)
	for _, p := range parts {
		if p.acc == nil {
			continue // a worker that got no morsel
		}
		for id := range nsym {
			n, x := p.acc[2*id], p.acc[2*id+1]
			switch {
			case n == 0:
			case !unique: // id is a sector
				count[id] += n
				sum[id] += x
			case match[id] != 0: // id is a symbol with its ref row
				r := match[id] - 1
				count[sectorIDs[r]] += n
				sum[sectorIDs[r]] += x * lots[r]
			}
		}
	}
	res := Result{Columns: []string{"sector", "count", "sum(qty*lot)"}}
	for _, id := range groupsByName(count) {
		res.Rows = append(res.Rows, []any{symName(id), count[id], sum[id]})
	}
	return res, nil
}

// topK is a worker's best rows so far for Q4, best first: px descending,
// then ts ascending. Ten rows of control, in Go memory.
type topK struct {
	k    int
	rows []topRow
}

type topRow struct {
	px  float64
	ts  int64
	row int
}

// bar is the px a row needs to be kept: the k-th best's, or -Inf while
// fewer than k are kept.
func (t *topK) bar() float64 {
	if len(t.rows) < t.k {
		return math.Inf(-1)
	}
	return t.rows[t.k-1].px
}

func better(a, b topRow) bool { return a.px > b.px || a.px == b.px && a.ts < b.ts }

// offer keeps r if it is among the k best.
func (t *topK) offer(r topRow) {
	if len(t.rows) == t.k && !better(r, t.rows[t.k-1]) {
		return
	}
	i, _ := slices.BinarySearchFunc(t.rows, r, func(x, y topRow) int {
		if better(x, y) {
			return -1
		}
		return 1
	})
	if len(t.rows) < t.k {
		t.rows = append(t.rows, topRow{})
	}
	copy(t.rows[i+1:], t.rows[i:])
	t.rows[i] = r
}

// Q4 keeps each worker's ten best rows, then merges them.
func (e *Engine) Q4(trades, _ value.V) (Result, error) {
	t, err := viewTrades(trades)
	if err != nil {
		return Result{}, err
	}
	const limit = 10
	parts := make([]topK, e.workers())
	for i := range parts {
		parts[i].k = limit
	}
	err = e.forMorsels(t.n, func(w, lo, hi int) error {
		top := &parts[w]
		px := t.px[lo:hi]
		// Almost every row is below the tenth best so far: four rows
		// take one predictable branch, and only a row at or above the
		// bar is looked at closer (a NaN is never below it).
		bar := top.bar()
		j := 0
		for ; j+4 <= len(px); j += 4 {
			if px[j] < bar && px[j+1] < bar && px[j+2] < bar && px[j+3] < bar {
				continue
			}
			for _, k := range [4]int{j, j + 1, j + 2, j + 3} {
				if !(px[k] < bar) && !nullAt(t.pxNulls, t.pxOff, lo+k) {
					top.offer(topRow{px[k], t.ts[lo+k], lo + k})
					bar = top.bar()
				}
			}
		}
		for ; j < len(px); j++ {
			if !(px[j] < bar) && !nullAt(t.pxNulls, t.pxOff, lo+j) {
				top.offer(topRow{px[j], t.ts[lo+j], lo + j})
				bar = top.bar()
			}
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	all := topK{k: limit}
	for _, p := range parts {
		for _, r := range p.rows {
			all.offer(r)
		}
	}
	res := Result{Columns: []string{"ts", "sym", "px"}}
	for _, r := range all.rows {
		name, err := vec.GetSym(t.sym, r.row)
		if err != nil {
			return Result{}, err
		}
		res.Rows = append(res.Rows, []any{Timestamp(r.ts), name, r.px})
	}
	return res, nil
}

// Q5 counts distinct syms per venue: a first pass finds the venues and
// gives each a slot; then each worker marks (venue slot, sym id) pairs in a
// byte vector of its own, and the marks are merged and counted.
func (e *Engine) Q5(trades, _ value.V) (Result, error) {
	t, err := viewTrades(trades)
	if err != nil {
		return Result{}, err
	}
	nsym, err := symBound(t.sym, t.venue)
	if err != nil {
		return Result{}, err
	}
	type part struct {
		seen []uint8
		ids  []int64
		vids []int64
	}
	parts := make([]part, e.workers())
	c := e.crew()
	defer c.release()
	var s scratch
	defer s.release()
	slot, err := s.int64s(nsym) // venue id -> slot + 1; 0: no venue yet
	if err != nil {
		return Result{}, err
	}
	// Pass 1: which venues occur (marked per worker, then merged).
	err = e.forMorsels(t.n, func(w, lo, hi int) error {
		p := &parts[w]
		if p.vids == nil {
			var err error
			if p.vids, err = c[w].int64s(e.morsel()); err != nil {
				return err
			}
			if p.seen, err = c[w].uint8s(nsym); err != nil {
				return err
			}
		}
		vids := p.vids[:hi-lo]
		if _, err := vec.SymIDs(vids, t.venue, lo); err != nil {
			return err
		}
		seen := p.seen
		for _, v := range vids {
			seen[v] = 1
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	var venueIDs []int64
	for id := range nsym {
		for _, p := range parts {
			if p.seen != nil && p.seen[id] != 0 {
				venueIDs = append(venueIDs, int64(id))
				slot[id] = int64(len(venueIDs))
				break
			}
		}
	}
	nv := len(venueIDs)
	// Pass 2: mark each (venue, sym) pair.
	for i := range parts {
		parts[i].seen = nil
	}
	err = e.forMorsels(t.n, func(w, lo, hi int) error {
		p := &parts[w]
		if p.seen == nil {
			var err error
			if p.seen, err = c[w].uint8s(nv * nsym); err != nil {
				return err
			}
			if p.ids, err = c[w].int64s(e.morsel()); err != nil {
				return err
			}
			if p.vids == nil {
				if p.vids, err = c[w].int64s(e.morsel()); err != nil {
					return err
				}
			}
		}
		ids, vids := p.ids[:hi-lo], p.vids[:hi-lo]
		if _, err := vec.SymIDs(ids, t.sym, lo); err != nil {
			return err
		}
		if _, err := vec.SymIDs(vids, t.venue, lo); err != nil {
			return err
		}
		seen := p.seen
		for j, id := range ids {
			seen[int(slot[vids[j]]-1)*nsym+int(id)] = 1
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	counts := make([]int64, nsym)
	for k, v := range venueIDs {
		for id := range nsym {
			for _, p := range parts {
				if p.seen != nil && p.seen[k*nsym+id] != 0 {
					counts[v]++
					break
				}
			}
		}
	}
	res := Result{Columns: []string{"venue", "count(DISTINCT sym)"}}
	for _, id := range groupsByName(counts) {
		res.Rows = append(res.Rows, []any{symName(id), counts[id]})
	}
	return res, nil
}
