package main

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// writeSVG draws the ratios on a log scale: one horizontal bar per
// comparison, from the 1x line to the ratio (right and green where raygo
// is faster, left and red where it is slower), grouped by area, each
// labelled with the benchmark and the rival. The chart has its own white
// background, so it reads the same on a white page and in a dark theme,
// and uses only the viewer's sans-serif font: no external fonts or
// scripts.
func writeSVG(w io.Writer, m machine, cs []comparison) error {
	const (
		width     = 980
		labelW    = 330 // the benchmark labels
		plotX     = labelW + 20
		plotW     = width - plotX - 70 // room for the value past the longest bar
		rowH      = 18
		barH      = 12
		headH     = 64
		areaGap   = 26
		footH     = 44
		fontSize  = 11.5
		fasterCol = "#2f855a"
		slowerCol = "#c53030"
		text      = "#1a202c"
		muted     = "#4a5568"
		grid      = "#e2e8f0"
	)
	// The scale: whole decades around every ratio and 1x.
	lo, hi := 1.0, 1.0
	for _, c := range cs {
		if c.ratio > 0 && !math.IsInf(c.ratio, 0) {
			lo, hi = math.Min(lo, c.ratio), math.Max(hi, c.ratio)
		}
	}
	dlo, dhi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if dhi == dlo {
		dhi++
	}
	x := func(r float64) float64 {
		r = math.Min(math.Max(r, math.Pow(10, dlo)), math.Pow(10, dhi))
		return plotX + (math.Log10(r)-dlo)/(dhi-dlo)*plotW
	}
	areasSeen := 0
	prev := ""
	for _, c := range cs {
		if c.area != prev {
			areasSeen++
			prev = c.area
		}
	}
	height := headH + areasSeen*areaGap + len(cs)*rowH + footH

	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="%g">`+"\n", width, height, width, height, fontSize)
	fmt.Fprintf(&sb, `<rect width="%d" height="%d" rx="8" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(&sb, `<text x="16" y="24" font-size="16" font-weight="600" fill="%s">raygo beside its rivals: how many times faster (log scale)</text>`+"\n", text)
	fmt.Fprintf(&sb, `<text x="16" y="42" fill="%s">%s</text>`+"\n", muted, html.EscapeString(m.line()))

	top, bottom := float64(headH), float64(height-footH)
	for d := dlo; d <= dhi; d++ {
		gx := x(math.Pow(10, d))
		col, sw := grid, 1.0
		if d == 0 {
			col, sw = muted, 1.5
		}
		fmt.Fprintf(&sb, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%g"/>`+"\n", gx, top, gx, bottom, col, sw)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="%s">%sx</text>`+"\n", gx, bottom+16, muted, decade(d))
	}

	y := float64(headH)
	prev = ""
	for _, c := range cs {
		if c.area != prev {
			prev = c.area
			y += areaGap
			fmt.Fprintf(&sb, `<text x="16" y="%.1f" font-weight="600" font-size="13" fill="%s">%s</text>`+"\n", y-8, text, html.EscapeString(c.area))
		}
		label := c.bench
		if c.impl != "raygo" {
			label += " (" + c.impl + ")"
		}
		label += " vs " + c.rival
		fmt.Fprintf(&sb, `<text x="%d" y="%.1f" text-anchor="end" fill="%s">%s</text>`+"\n", labelW, y+barH-2, text, html.EscapeString(label))
		x0, x1 := x(1), x(c.ratio)
		col := fasterCol
		if c.ratio < 1 {
			col = slowerCol
			x0, x1 = x1, x0
		}
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" rx="2" fill="%s"/>`+"\n", x0, y+1, math.Max(x1-x0, 1), barH, col)
		vx, anchor := x(c.ratio)+4, "start"
		if c.ratio < 1 {
			vx, anchor = x(1)+4, "start"
		}
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" text-anchor="%s" fill="%s">%s</text>`+"\n", vx, y+barH-2, anchor, muted, ratioText(c.ratio))
		y += rowH
	}
	fmt.Fprintf(&sb, `<text x="16" y="%d" fill="%s">Green: raygo is faster than the rival by that factor; red: slower. Medians of each benchmark's runs.</text>`+"\n", height-8, muted)
	sb.WriteString("</svg>\n")
	_, err := io.WriteString(w, sb.String())
	return err
}

func decade(d float64) string {
	v := math.Pow(10, d)
	if v >= 1 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%g", v)
}

func ratioText(r float64) string {
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0fx", r)
	case r >= 10:
		return fmt.Sprintf("%.1fx", r)
	default:
		return fmt.Sprintf("%.2fx", r)
	}
}
