package main

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The report of a recorded run (testdata/bench.txt: six runs of the heap,
// value, vector and index benchmarks on an AMD EPYC) has a row per raygo
// implementation and rival with the medians benchstat gives, and a chart
// with a bar per row that parses as XML.
func TestReportOfARecordedRun(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "bench.txt"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m := machine{CPU: "AMD EPYC", Cores: "1 physical, 2 logical", Caches: "L1d 48 KiB", Go: "go1.26", GOMAXPROCS: 2, Date: "2026-11-30"}
	if err := report(raw, dir, "go run ./benchmarks/cmd/report -in testdata/bench.txt", m); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, want := range []string{
		"AMD EPYC",
		"## heap",
		// benchstat on the same file: raygo 17.50n, gomake 28.43n.
		"| AllocFree/size=64 | 17.5 ns/op ± ",
		"| gomake: 28.4 ns/op ± ",
		"| 1.62x | ≤ 7 ns/op | **no** |",
		// Live1M compares ns per block operation: 14.90n and 15.44n.
		"| Live1M | 14.9 ns/block-op ± ",
		"| AppendI64 (raygoappend) | ",
		"## index",
		"| HashBuild | ",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(string(md), "impl=read") || strings.Contains(string(md), "vs read") {
		t.Error("a reference measurement is reported as a rival")
	}
	rows := strings.Count(string(md), "\n| ") - strings.Count(string(md), "\n| benchmark |")
	svg, _ := os.ReadFile(filepath.Join(dir, "report.svg"))
	d := xml.NewDecoder(strings.NewReader(string(svg)))
	bars := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("report.svg is not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" && slices.ContainsFunc(se.Attr, func(a xml.Attr) bool { return a.Name.Local == "height" && a.Value == "12" }) {
			bars++
		}
	}
	if bars != rows || rows < 25 {
		t.Errorf("%d bars in the chart for %d rows in the table", bars, rows)
	}
}

func TestSplitImpl(t *testing.T) {
	all, err := parse(strings.NewReader("BenchmarkAllocFree/impl=raygo/size=64-2 \t 100 \t 17.5 ns/op\nBenchmarkEngine/q1/impl=read-2 \t 10 \t 5 ns/op\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].bench != "AllocFree/size=64" || all[0].impl != "raygo" || all[1].bench != "Engine/q1" || all[1].impl != "read" {
		t.Errorf("parsed %+v %+v", *all[0], *all[1])
	}
}

// DuckDB's times, as interop/engine.mjs writes them, become rivals of the
// engine's raygo rows; a report without them says why.
func TestDuckDBRowsInTheEngineArea(t *testing.T) {
	raw := []byte("BenchmarkEngine/q1/impl=raygo-2 \t 100 \t 10000000 ns/op\nBenchmarkEngine/q1/impl=plaingo-2 \t 10 \t 50000000 ns/op\n")
	raw = append(raw, duckdbLines(duckdbResult{Rows: 10, Samples: map[string]map[string][]float64{
		"enum":    {"q1": {40, 42}},
		"varchar": {"q1": {80}},
	}})...)
	dir := t.TempDir()
	m := machine{CPU: "AMD EPYC", Date: "2026-12-05"}
	if err := report(raw, dir, "test", m); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, want := range []string{"| duckdbenum: 41 ms/op (n=2) | 4.10x |", "| duckdbvarchar: 80 ms/op (n=1) | 8.00x |", "| plaingo: 50 ms/op (n=1) | 5.00x |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md)
		}
	}
	duckdbNote = "DuckDB was not run: Node.js is not installed (node on the PATH)"
	defer func() { duckdbNote = "" }()
	if err := report(raw, dir, "test", m); err != nil {
		t.Fatal(err)
	}
	md, _ = os.ReadFile(filepath.Join(dir, "report.md"))
	if !strings.Contains(string(md), "DuckDB was not run") {
		t.Errorf("report.md does not say DuckDB was not run:\n%s", md)
	}
}

// The benchmarks run area by area, in the report's order; benchmarks of no
// known area run last.
func TestGroups(t *testing.T) {
	got := groups([]string{"Engine", "AllocFree", "Copy", "Live1M", "Mystery", "FromSlice", "SymVec"})
	want := [][]string{{"AllocFree", "Live1M"}, {"FromSlice", "SymVec"}, {"Copy"}, {"Engine"}, {"Mystery"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("groups: %q, want %q", got, want)
	}
}
