package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// A mode is how much the report runs: each benchmark's input size, how long
// and how often.
type mode struct {
	short     bool          // the benchmarks' -short inputs
	benchtime string        // "" for go test's default
	count     int           // runs of each benchmark
	perBench  time.Duration // the longest one run of a top-level benchmark may take, for the timeout
}

// groups returns the benchmarks to run, by area in areaOrder, each group a
// list of top-level benchmark names (without "Benchmark"). Benchmarks that
// share process state (the symbol table, the heap's pools, the engine's
// data) distort each other, so each group runs in a process of its own.
func groups(names []string) [][]string {
	by := map[string][]string{}
	for _, n := range names {
		by[areaOf(n)] = append(by[areaOf(n)], n)
	}
	var out [][]string
	for _, a := range areaOrder {
		if len(by[a]) > 0 {
			out = append(out, by[a])
		}
	}
	return out
}

// runBenchmarks builds the benchmarks' test binary once and runs each
// top-level benchmark selected by the pattern sel in a process of its own,
// area by area, in the benchmarks' directory, returning the output of all
// of them. Benchmarks that share process state (the symbol table, the
// heap's pools and budget, the Go heap a GC benchmark leaves, the engine's
// data) distort each other when they share a process: alone, each reports
// what it reports when run by itself. Progress goes to standard error: one
// line per result on a terminal, a dot otherwise.
func runBenchmarks(m mode, sel *regexp.Regexp, tmp string) ([]byte, error) {
	bin := filepath.Join(tmp, "benchmarks.test")
	build := exec.Command("go", "test", "-c", "-o", bin, "./benchmarks")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("building the benchmarks: %w", err)
	}
	list, err := exec.Command(bin, "-test.list", "^Benchmark").Output()
	if err != nil {
		return nil, fmt.Errorf("listing the benchmarks: %w", err)
	}
	var names []string
	for _, line := range strings.Fields(string(list)) {
		if n, ok := strings.CutPrefix(line, "Benchmark"); ok && sel.MatchString(n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no benchmark matches -bench %q", sel)
	}
	var order []string
	for _, g := range groups(names) {
		order = append(order, g...)
	}
	var all bytes.Buffer
	for i, name := range order {
		// go test stops a binary after 10 minutes by default: give each
		// benchmark what its runs may take, with room to spare.
		timeout := time.Duration(m.count)*m.perBench + 10*time.Minute
		args := []string{"-test.run", "^$", "-test.bench", "^Benchmark" + name + "$",
			"-test.benchmem", "-test.count", fmt.Sprint(m.count), "-test.timeout", timeout.String()}
		if m.short {
			args = append(args, "-test.short")
		}
		if m.benchtime != "" {
			args = append(args, "-test.benchtime", m.benchtime)
		}
		fmt.Fprintf(os.Stderr, "[%d/%d] %s: %s\n", i+1, len(order), areaOf(name), name)
		cmd := exec.Command(bin, args...)
		cmd.Dir = "benchmarks"
		var out bytes.Buffer
		cmd.Stdout = io.MultiWriter(&out, newProgress(os.Stderr))
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("benchmark %s failed: %w\n%s", name, err, lastLines(out.Bytes(), 20))
		}
		if i > 0 {
			out = *bytes.NewBuffer(dropHeader(out.Bytes()))
		}
		all.Write(out.Bytes())
	}
	return all.Bytes(), nil
}

// dropHeader removes the goos/goarch/pkg/cpu lines a later group repeats.
func dropHeader(b []byte) []byte {
	var out bytes.Buffer
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if k, _, ok := bytes.Cut(line, []byte(": ")); ok && slices.Contains([]string{"goos", "goarch", "pkg", "cpu"}, string(k)) {
			continue
		}
		out.Write(line)
	}
	return out.Bytes()
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// progress passes each benchmark result line to w as it arrives when w is
// a terminal (elsewhere the line naming each benchmark is progress enough).
type progress struct {
	w    io.Writer
	tty  bool
	line []byte
}

func newProgress(f *os.File) *progress {
	st, err := f.Stat()
	return &progress{w: f, tty: err == nil && st.Mode()&os.ModeCharDevice != 0}
}

func (p *progress) Write(b []byte) (int, error) {
	p.line = append(p.line, b...)
	for {
		i := bytes.IndexByte(p.line, '\n')
		if i < 0 {
			break
		}
		line := p.line[:i]
		if p.tty && bytes.HasPrefix(line, []byte("Benchmark")) {
			fmt.Fprintf(p.w, "  %s\n", bytes.Join(bytes.Fields(line), []byte(" ")))
		}
		p.line = p.line[i+1:]
	}
	return len(b), nil
}

// duckdbResult is what the engine example's DuckDB comparison wrote
// (interop/engine.mjs's duckdb.json): every run's time of each query, in
// milliseconds, for each way of loading the tables.
type duckdbResult struct {
	Rows    int                             `json:"rows"`
	Samples map[string]map[string][]float64 `json:"samples"` // by load (enum, varchar), then query
}

// runDuckDB runs the engine example's queries in DuckDB, on the data
// BenchmarkEngine uses, and returns its times as benchmark output lines
// (impl=duckdbenum and impl=duckdbvarchar), so that the engine's rows
// compare raygo with DuckDB as well as with plain Go. It returns a reason
// instead when DuckDB cannot run here (no Node.js).
func runDuckDB(m mode, tmp string) (lines []byte, skipped string, err error) {
	if _, err := exec.LookPath("node"); err != nil {
		return nil, "DuckDB was not run: Node.js is not installed (node on the PATH)", nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return nil, "DuckDB was not run: npm is not installed", nil
	}
	dir := filepath.Join(tmp, "engine")
	args := []string{"run", "./examples/engine", "-duckdb", "-dir", dir, "-runs", fmt.Sprint(max(m.count, 1))}
	if m.short {
		args = append(args, "-rows", "1e6") // BenchmarkEngine's -short size
	}
	fmt.Fprintf(os.Stderr, "DuckDB: go %s\n", strings.Join(args, " "))
	cmd := exec.Command("go", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, "", fmt.Errorf("the engine beside DuckDB failed: %w\n%s", err, lastLines(out.Bytes(), 20))
	}
	b, err := os.ReadFile(filepath.Join(dir, "duckdb.json"))
	if err != nil {
		return nil, "", err
	}
	var r duckdbResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, "", fmt.Errorf("duckdb.json: %w", err)
	}
	return duckdbLines(r), "", nil
}

// duckdbLines renders DuckDB's samples as benchmark result lines.
func duckdbLines(r duckdbResult) []byte {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	for _, load := range []string{"enum", "varchar"} {
		qs := r.Samples[load]
		names := make([]string, 0, len(qs))
		for q := range qs {
			names = append(names, q)
		}
		slices.Sort(names)
		for _, q := range names {
			for _, ms := range qs[q] {
				fmt.Fprintf(w, "BenchmarkEngine/%s/impl=duckdb%s\t1\t%.0f ns/op\n", q, load, ms*1e6)
			}
		}
	}
	w.Flush()
	return buf.Bytes()
}
