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
