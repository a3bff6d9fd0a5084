package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
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
	noDuckDB := flag.Bool("noduckdb", false, "do not run the engine's queries in DuckDB beside it")
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
		m := mode{count: *count, perBench: 3 * time.Minute}
		switch {
		case *tiny:
			m = mode{short: true, benchtime: "1x", count: 1, perBench: time.Minute}
			command += " -tiny"
		case *short:
			m = mode{short: true, benchtime: "300ms", count: 1, perBench: time.Minute}
			command += " -short"
		case *count != 6:
			command += fmt.Sprintf(" -count %d", *count)
		}
		if *bench != "." {
			command += fmt.Sprintf(" -bench '%s'", *bench)
		}
		sel, err := regexp.Compile(*bench)
		if err != nil {
			log.Fatalf("-bench: %v", err)
		}
		tmp, err := os.MkdirTemp("", "raygo-report-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(tmp)
		raw, err = runBenchmarks(m, sel, tmp)
		if err != nil {
			log.Fatal(err)
		}
		if sel.MatchString("Engine") && !*noDuckDB {
			lines, skipped, err := runDuckDB(m, tmp)
			if err != nil {
				log.Fatal(err)
			}
			raw = append(raw, lines...)
			duckdbNote = skipped
		}
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

// duckdbNote, when set, says why the engine was not compared with DuckDB.
var duckdbNote string

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
	if err := writeMarkdown(&md, m, cs, command, duckdbNote); err != nil {
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
