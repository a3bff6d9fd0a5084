// Command report runs raygo's side-by-side benchmarks and writes how raygo
// compares with each rival: report.md, a table per area (heap, values,
// vectors, memops, index, store, Arrow, engine) of medians with their
// confidence intervals, the ratio and whether the goal is met, and
// report.svg, a chart of the ratios on a log scale. Both name the machine
// they ran on.
//
// Usage, from the module root:
//
//	go run ./benchmarks/cmd/report            # the full suite, 6 runs of each (about 20 minutes on 2 cores)
//	go run ./benchmarks/cmd/report -short     # a quick look: smaller inputs, one short run (two minutes or so)
//	go run ./benchmarks/cmd/report -in bench.txt   # report on a saved run
//
// The benchmark output is parsed with golang.org/x/perf/benchfmt and
// summarised with benchmath, as benchstat does; the raw output is kept in
// bench.txt beside the report.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

func main() {
	short := flag.Bool("short", false, "a quick look: the benchmarks' -short inputs, one 300 ms run each")
	tiny := flag.Bool("tiny", false, "one iteration of each benchmark: only checks that the report works (CI)")
	count := flag.Int("count", 6, "runs of each benchmark (the full mode)")
	bench := flag.String("bench", ".", "which benchmarks to run (a -bench pattern)")
	in := flag.String("in", "", "read this saved benchmark output instead of running the benchmarks")
	out := flag.String("out", ".", "the directory to write report.md, report.svg and bench.txt to")
	as := flag.String("as", "", "with -in: the command that produced the saved run, named in the report")
	flag.Parse()

	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	var raw []byte
	command := "go run ./benchmarks/cmd/report"
	if *in != "" {
		b, err := os.ReadFile(*in)
		if err != nil {
			log.Fatal(err)
		}
		raw = b
		command += " -in " + *in
		if *as != "" {
			command = *as
		}
	} else {
		args := []string{"test", "./benchmarks", "-run", "^$", "-bench", *bench, "-benchmem"}
		switch {
		case *tiny:
			args = append(args, "-short", "-benchtime", "1x", "-count", "1")
			command += " -tiny"
		case *short:
			args = append(args, "-short", "-benchtime", "300ms", "-count", "1")
			command += " -short"
		default:
			args = append(args, "-count", fmt.Sprint(*count))
			if *count != 6 {
				command += fmt.Sprintf(" -count %d", *count)
			}
		}
		log.Printf("go %v", args)
		cmd := exec.Command("go", args...)
		var buf bytes.Buffer
		cmd.Stdout = io.MultiWriter(&buf, progress{})
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			log.Fatalf("the benchmarks failed: %v", err)
		}
		raw = buf.Bytes()
		if err := os.WriteFile(filepath.Join(*out, "bench.txt"), raw, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if err := report(raw, *out, command, thisMachine(time.Now())); err != nil {
		log.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(*out, "report.md"))
	os.Stdout.Write(md)
}

// report writes report.md and report.svg for the benchmark output raw.
func report(raw []byte, dir, command string, m machine) error {
	all, err := parse(bytes.NewReader(raw), "bench.txt")
	if err != nil {
		return err
	}
	cs := compare(all)
	if len(cs) == 0 {
		return fmt.Errorf("no benchmark with both raygo and a rival in the output")
	}
	var md, svg bytes.Buffer
	if err := writeMarkdown(&md, m, cs, command); err != nil {
		return err
	}
	if err := writeSVG(&svg, m, cs); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "report.md"), md.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "report.svg"), svg.Bytes(), 0o644)
}

// progress shows one dot per benchmark result on standard error.
type progress struct{}

func (progress) Write(p []byte) (int, error) {
	for _, line := range bytes.Split(p, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("Benchmark")) {
			os.Stderr.WriteString(".")
		}
	}
	return len(p), nil
}
