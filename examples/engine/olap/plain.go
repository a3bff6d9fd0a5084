package olap

import (
	"math"
	"slices"
	"sort"
)

// The plain Go reference: the five queries as the straightforward,
// single-threaded loops a competent Go programmer writes first, over Go
// slices, with maps keyed by the symbols' strings. Every engine result is
// checked against these, and the engine is timed beside them.

// PlainQ1 is query 1 over Go slices.
func PlainQ1(p *Plain, _ *PlainRef) Result {
	var count, sumQty int64
	var sumPx float64
	for i, px := range p.Px {
		if p.PxValid[i] && px >= 100 && px <= 200 && p.Venue[i] == "V3" {
			count++
			sumQty += p.Qty[i]
			sumPx += px
		}
	}
	res := Result{Columns: []string{"count", "sum(qty)", "avg(px)"}}
	if count == 0 {
		res.Rows = [][]any{{int64(0), nil, nil}}
	} else {
		res.Rows = [][]any{{count, sumQty, sumPx / float64(count)}}
	}
	return res
}

// PlainQ2 is query 2 over Go slices and a map.
func PlainQ2(p *Plain, _ *PlainRef) Result {
	type group struct {
		count, sumQty, pxCount int64
		sumPxQty, minPx, maxPx float64
	}
	groups := map[string]*group{}
	for i, s := range p.Sym {
		g := groups[s]
		if g == nil {
			g = &group{minPx: math.Inf(1), maxPx: math.Inf(-1)}
			groups[s] = g
		}
		g.count++
		g.sumQty += p.Qty[i]
		if p.PxValid[i] {
			px := p.Px[i]
			g.pxCount++
			g.sumPxQty += px * float64(p.Qty[i])
			g.minPx = min(g.minPx, px)
			g.maxPx = max(g.maxPx, px)
		}
	}
	res := Result{Columns: []string{"sym", "count", "sum(px*qty)", "min(px)", "max(px)", "avg(qty)"}}
	for _, s := range sortedKeys(groups) {
		g := groups[s]
		row := []any{s, g.count, nil, nil, nil, float64(g.sumQty) / float64(g.count)}
		if g.pxCount > 0 {
			row[2], row[3], row[4] = g.sumPxQty, g.minPx, g.maxPx
		}
		res.Rows = append(res.Rows, row)
	}
	return res
}

// PlainQ3 is query 3: a map from ref's sym to its rows, then a loop over
// trades.
func PlainQ3(p *Plain, r *PlainRef) Result {
	bySym := map[string][]int{}
	for i, s := range r.Sym {
		bySym[s] = append(bySym[s], i)
	}
	count, sum := map[string]int64{}, map[string]int64{}
	for i, s := range p.Sym {
		for _, j := range bySym[s] {
			sec := r.Sector[j]
			count[sec]++
			sum[sec] += p.Qty[i] * r.Lot[j]
		}
	}
	res := Result{Columns: []string{"sector", "count", "sum(qty*lot)"}}
	for _, sec := range sortedKeys(count) {
		res.Rows = append(res.Rows, []any{sec, count[sec], sum[sec]})
	}
	return res
}

// PlainQ4 is query 4: one pass keeping the ten best rows in a sorted
// slice.
func PlainQ4(p *Plain, _ *PlainRef) Result {
	first := func(x, y int) bool { // does row x sort before row y?
		return p.Px[x] > p.Px[y] || p.Px[x] == p.Px[y] && p.TS[x] < p.TS[y]
	}
	var best []int
	for i, ok := range p.PxValid {
		if !ok || len(best) == 10 && !first(i, best[9]) {
			continue
		}
		j := sort.Search(len(best), func(k int) bool { return first(i, best[k]) })
		if len(best) < 10 {
			best = append(best, 0)
		}
		copy(best[j+1:], best[j:])
		best[j] = i
	}
	res := Result{Columns: []string{"ts", "sym", "px"}}
	for _, i := range best {
		res.Rows = append(res.Rows, []any{Timestamp(p.TS[i]), p.Sym[i], p.Px[i]})
	}
	return res
}

// PlainQ5 is query 5: a set of syms per venue.
func PlainQ5(p *Plain, _ *PlainRef) Result {
	sets := map[string]map[string]bool{}
	for i, v := range p.Venue {
		if sets[v] == nil {
			sets[v] = map[string]bool{}
		}
		sets[v][p.Sym[i]] = true
	}
	res := Result{Columns: []string{"venue", "count(DISTINCT sym)"}}
	for _, v := range sortedKeys(sets) {
		res.Rows = append(res.Rows, []any{v, int64(len(sets[v]))})
	}
	return res
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
