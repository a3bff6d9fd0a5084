package main

import "fmt"

// A goal is what a comparison must show to count as met: by default that
// raygo beats the rival; some benchmarks have absolute targets as well.
type goal struct {
	text string
	met  bool
}

// targets are the absolute goals, by benchmark and raygo implementation:
// raygo's median must be at most seconds per unit, and the ratio at least
// minRatio.
var targets = map[[2]string]struct {
	seconds  float64
	minRatio float64
}{
	{"AllocFree/size=64", "raygo"}: {7e-9, 1},
	{"Live1M", "raygo"}:            {6e-9, 2.5},
	{"RandomMix", "raygo"}:         {20e-9, 1},
	{"HandOff", "raygo"}:           {24e-9, 1},
	{"AppendI64", "raygo"}:         {2.5e-9, 1},
}

func goalFor(c comparison) goal {
	t, ok := targets[[2]string{c.bench, c.impl}]
	if !ok {
		return goal{text: "faster", met: c.ratio >= 1}
	}
	text := "≤ " + formatValue(t.seconds, c.unit)
	if t.minRatio > 1 {
		text += fmt.Sprintf(", ≥ %gx", t.minRatio)
	}
	return goal{text: text, met: c.ray.Center <= t.seconds && c.ratio >= t.minRatio}
}
