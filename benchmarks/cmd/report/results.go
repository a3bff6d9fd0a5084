package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// A comparison is one row of the report: a raygo implementation of a
// benchmark beside one rival, each summarised as benchstat does (median
// and its confidence interval, no assumption about the distribution).
type comparison struct {
	area  string // heap, values, ...
	bench string // the benchmark's name without its impl part, e.g. "AllocFree/size=64"
	impl  string // raygo's implementation (raygo, raygoappend, memops)
	rival string // the rival's (gomake, arrow, ...)
	unit  string // the unit compared, e.g. "sec/op" or "sec/block-op"
	ray   benchmath.Summary
	riv   benchmath.Summary
	nRay  int // runs behind each summary
	nRiv  int
	// ratio is how many times better raygo is: the rival's time over
	// raygo's (or raygo's rate over the rival's, for a rate unit).
	ratio float64
	goal  goal
}

// raygoImpls are the implementations that are raygo's; every other impl
// of the same benchmark is a rival, except the ones in references.
var raygoImpls = []string{"raygo", "raygosym", "raygoappend", "memops"}

// references are measurements that are not rivals: the engine's "read" is
// the bandwidth floor of its queries, Flight's "raygofetch" includes
// importing into the heap, which no rival does, and Parquet's
// "parquetgo-decode" decodes pages without building a table.
var references = []string{"read", "raygofetch", "parquetgo-decode"}

// areas names the area of each benchmark by its base name.
var areas = map[string]string{
	"AllocFree": "heap", "AllocFreeParallel": "heap", "HandOff": "heap", "Live1M": "heap", "RandomMix": "heap",
	"Atom": "values", "RetainRelease": "values", "Intern": "values",
	"AppendI64": "vectors", "FromSlice": "vectors", "GCLive": "vectors", "AppendStr": "vectors", "SymVec": "vectors", "ConcatAll": "vectors",
	"Copy": "memops", "Fill": "memops",
	"HashBuild": "index", "HashLookup": "index", "HashBuildStr": "index", "SortIndex": "index", "SortIndexStr": "index", "ZonePrune": "index",
	"SaveI64": "store", "MapI64": "store", "LoadI64": "store", "SaveTable": "store", "MapTable": "store",
	"ExportI64": "Arrow", "ExportWithNulls": "Arrow", "ExportStr": "Arrow", "ImportI64": "Arrow", "ImportWithNulls": "Arrow", "ArrowAllocator": "Arrow",
	"Engine":      "engine",
	"Flight":      "Flight",
	"ReadParquet": "Parquet", "WriteParquet": "Parquet",
}

var areaOrder = []string{"heap", "values", "vectors", "memops", "index", "store", "Arrow", "Parquet", "Flight", "engine", "other"}

// preferredUnits are the per-item metrics some benchmarks report, compared
// in place of sec/op when present.
var preferredUnits = []string{"sec/block-op", "sec/intern", "sec/elem", "sec/gc"}

// series is the samples of one benchmark and implementation.
type series struct {
	bench, impl string
	values      map[string][]float64 // by unit
}

// parse reads benchmark output and returns each benchmark's samples by
// implementation, in the order they first appear.
func parse(r io.Reader, name string) ([]*series, error) {
	rd := benchfmt.NewReader(r, name)
	var out []*series
	index := map[[2]string]*series{}
	for rd.Scan() {
		res, ok := rd.Result().(*benchfmt.Result)
		if !ok {
			continue // a syntax error or unit metadata: benchfmt reports errors through Err
		}
		bench, impl := splitImpl(res.Name)
		key := [2]string{bench, impl}
		s := index[key]
		if s == nil {
			s = &series{bench: bench, impl: impl, values: map[string][]float64{}}
			index[key] = s
			out = append(out, s)
		}
		for _, v := range res.Values {
			s.values[v.Unit] = append(s.values[v.Unit], v.Value)
		}
	}
	return out, rd.Err()
}

// splitImpl returns a benchmark's name without its "impl=" part (and
// without the GOMAXPROCS suffix), and the impl.
func splitImpl(n benchfmt.Name) (bench, impl string) {
	base, parts := n.Parts()
	var keep []string
	for _, p := range parts {
		p = bytes.TrimPrefix(p, []byte("/"))
		if v, ok := bytes.CutPrefix(p, []byte("impl=")); ok {
			impl = string(v)
			continue
		}
		if bytes.HasPrefix(p, []byte("-")) { // the GOMAXPROCS suffix
			continue
		}
		keep = append(keep, string(p))
	}
	return strings.Join(append([]string{string(base)}, keep...), "/"), impl
}

// compare pairs every raygo implementation of a benchmark with each of
// its rivals.
func compare(all []*series) []comparison {
	var out []comparison
	for _, ray := range all {
		if !slices.Contains(raygoImpls, ray.impl) {
			continue
		}
		for _, riv := range all {
			if riv.bench != ray.bench || riv.impl == "" || slices.Contains(raygoImpls, riv.impl) || slices.Contains(references, riv.impl) {
				continue
			}
			unit := commonUnit(ray, riv)
			if unit == "" {
				continue
			}
			c := comparison{
				area:  areaOf(ray.bench),
				bench: ray.bench,
				impl:  ray.impl,
				rival: riv.impl,
				unit:  unit,
				ray:   summarize(ray.values[unit]),
				riv:   summarize(riv.values[unit]),
				nRay:  len(ray.values[unit]),
				nRiv:  len(riv.values[unit]),
			}
			if strings.HasPrefix(unit, "sec/") {
				c.ratio = c.riv.Center / c.ray.Center
			} else {
				c.ratio = c.ray.Center / c.riv.Center
			}
			c.goal = goalFor(c)
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b comparison) int {
		return slices.Index(areaOrder, a.area) - slices.Index(areaOrder, b.area)
	})
	return out
}

func areaOf(bench string) string {
	base, _, _ := strings.Cut(bench, "/")
	if a, ok := areas[base]; ok {
		return a
	}
	return "other"
}

// commonUnit is the unit the two series are compared in: a per-item time
// both report, else sec/op.
func commonUnit(a, b *series) string {
	for _, u := range append(slices.Clone(preferredUnits), "sec/op") {
		if len(a.values[u]) > 0 && len(b.values[u]) > 0 {
			return u
		}
	}
	return ""
}

func summarize(xs []float64) benchmath.Summary {
	s := benchmath.NewSample(xs, &benchmath.DefaultThresholds)
	return benchmath.AssumeNothing.Summary(s, 0.95)
}

// formatValue renders a value of unit for the table: times scaled to ns,
// µs, ms or s.
func formatValue(x float64, unit string) string {
	per := strings.TrimPrefix(unit, "sec")
	if per == unit { // not a time
		return fmt.Sprintf("%.3g %s", x, unit)
	}
	switch ax := math.Abs(x); {
	case ax >= 1:
		return fmt.Sprintf("%.3g s%s", x, per)
	case ax >= 1e-3:
		return fmt.Sprintf("%.3g ms%s", x*1e3, per)
	case ax >= 1e-6:
		return fmt.Sprintf("%.3g µs%s", x*1e6, per)
	default:
		return fmt.Sprintf("%.3g ns%s", x*1e9, per)
	}
}
