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
