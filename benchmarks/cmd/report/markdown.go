package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/klauspost/cpuid/v2"
	"golang.org/x/perf/benchmath"
)

// machine describes where the benchmarks ran.
type machine struct {
	CPU        string
	Cores      string
	Caches     string
	Go         string
	GOMAXPROCS int
	Date       string
}

func thisMachine(now time.Time) machine {
	kib := func(n int) string {
		if n <= 0 {
			return "?"
		}
		if n >= 1<<20 {
			return fmt.Sprintf("%d MiB", n>>20)
		}
		return fmt.Sprintf("%d KiB", n>>10)
	}
	c := cpuid.CPU
	return machine{
		CPU:        c.BrandName,
		Cores:      fmt.Sprintf("%d physical, %d logical", c.PhysicalCores, c.LogicalCores),
		Caches:     fmt.Sprintf("L1d %s, L2 %s, L3 %s", kib(c.Cache.L1D), kib(c.Cache.L2), kib(c.Cache.L3)),
		Go:         fmt.Sprintf("%s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Date:       now.Format("2006-01-02"),
	}
}

func (m machine) line() string {
	return fmt.Sprintf("%s (%s; %s), %s, GOMAXPROCS %d, %s", m.CPU, m.Cores, m.Caches, m.Go, m.GOMAXPROCS, m.Date)
}

// writeMarkdown writes the report: the machine, then one table per area.
func writeMarkdown(w io.Writer, m machine, cs []comparison, command, note string) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "# raygo beside its rivals\n\n")
	fmt.Fprintf(&sb, "%s\n\n", m.line())
	fmt.Fprintf(&sb, "Medians with their 95%% confidence intervals (as benchstat computes them); the ratio is how many times faster raygo is than the rival (above 1: raygo wins). Reproduce with `%s`.\n", command)
	area := ""
	for _, c := range cs {
		if c.area != area {
			area = c.area
			fmt.Fprintf(&sb, "\n## %s\n\n", area)
			sb.WriteString("| benchmark | raygo | rival | ratio | goal | met |\n|---|---|---|---|---|---|\n")
		}
		name := c.bench
		if c.impl != "raygo" {
			name += " (" + c.impl + ")"
		}
		met := "yes"
		if !c.goal.met {
			met = "**no**"
		}
		fmt.Fprintf(&sb, "| %s | %s | %s: %s | %s | %s | %s |\n", name, withCI(c.ray, c.unit, c.nRay), c.rival, withCI(c.riv, c.unit, c.nRiv), ratioText(c.ratio), c.goal.text, met)
	}
	if note != "" {
		fmt.Fprintf(&sb, "\n%s.\n", note)
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// withCI renders a median with its confidence interval; with too few runs
// for one (benchmath needs six at 95%), with the number of runs instead.
func withCI(s benchmath.Summary, unit string, n int) string {
	if math.IsInf(s.Lo, 0) || math.IsInf(s.Hi, 0) {
		return fmt.Sprintf("%s (n=%d)", formatValue(s.Center, unit), n)
	}
	return formatValue(s.Center, unit) + " ± " + s.PctRangeString()
}
