package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/raygo/ray/examples/engine/olap"
)

// The comparison with DuckDB runs in Node (interop/engine.mjs, with the
// @duckdb/node-api package): the engine writes its answers to
// results.json beside the Parquet files, the script loads those files into
// DuckDB, runs the same SQL, checks every cell against the engine's and
// writes its times to duckdb.json.

// resultsFile is results.json: what the script needs to run and check.
type resultsFile struct {
	Rows      int     `json:"rows"`
	Runs      int     `json:"runs"`
	Tolerance float64 `json:"tolerance"`
	// LoadMS is the time to read the tables (with -in: the Parquet files),
	// in milliseconds; 0 when they were generated.
	LoadMS  float64       `json:"load_ms"`
	Queries []queryResult `json:"queries"`
}

type queryResult struct {
	Name    string   `json:"name"`
	SQL     string   `json:"sql"`
	MS      float64  `json:"ms"` // the best run's time
	Columns []string `json:"columns"`
	// Types name each column's cells: int, float, string or timestamp.
	Types []string `json:"types"`
	// Rows hold integers and timestamps (nanoseconds) as decimal strings,
	// which JSON numbers cannot carry exactly, floats as numbers, NULL as
	// null.
	Rows [][]any `json:"rows"`
}

// writeResults writes results.json (or -json's file): the answers, the
// load time and each query's best time.
func writeResults(path string, rows, runs int, load time.Duration, names, sqls []string, times []time.Duration, results []olap.Result) error {
	f := resultsFile{Rows: rows, Runs: runs, Tolerance: olap.Tolerance, LoadMS: ms(load)}
	for i, r := range results {
		q := queryResult{Name: names[i], SQL: sqls[i], MS: ms(times[i]), Columns: r.Columns, Types: make([]string, len(r.Columns))}
		for _, row := range r.Rows {
			out := make([]any, len(row))
			for j, c := range row {
				kind, cell := jsonCell(c)
				if kind != "" {
					q.Types[j] = kind
				}
				out[j] = cell
			}
			q.Rows = append(q.Rows, out)
		}
		f.Queries = append(f.Queries, q)
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func jsonCell(c any) (kind string, cell any) {
	switch c := c.(type) {
	case nil:
		return "", nil
	case int64:
		return "int", strconv.FormatInt(c, 10)
	case olap.Timestamp:
		return "timestamp", strconv.FormatInt(int64(c), 10)
	case float64:
		return "float", c
	case string:
		return "string", c
	}
	panic(fmt.Sprintf("engine: a result cell of type %T", c))
}

// duckdbTimes is duckdb.json: the best time of each query in each load,
// in milliseconds, keyed by query name (and load_ms for the load).
type duckdbTimes struct {
	Enum    map[string]float64 `json:"enum"`
	Varchar map[string]float64 `json:"varchar"`
}

// runDuckDB runs interop/engine.mjs over the Parquet files in dir, with
// results.json and duckdb.json in out, and returns its times. It installs
// the script's packages first if they are missing.
func runDuckDB(dir, out string) (*duckdbTimes, error) {
	interop, err := findInterop()
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("node"); err != nil {
		return nil, errors.New("-duckdb needs Node.js (node and npm on the PATH)")
	}
	if _, err := os.Stat(filepath.Join(interop, "node_modules", "@duckdb", "node-api")); err != nil {
		fmt.Println("installing DuckDB for Node in interop/ (npm ci, once)")
		if err := command(interop, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"); err != nil {
			return nil, err
		}
	}
	if err := command(interop, "node", "engine.mjs", dir, out); err != nil {
		return nil, fmt.Errorf("DuckDB's answers differ from the engine's, or it failed: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(out, "duckdb.json"))
	if err != nil {
		return nil, err
	}
	var t duckdbTimes
	return &t, json.Unmarshal(b, &t)
}

// command runs name in dir, passing its error output on.
func command(dir, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = os.Stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return nil
}

// findInterop finds the repository's interop directory from the working
// directory up.
func findInterop() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "interop")
		if _, err := os.Stat(filepath.Join(p, "engine.mjs")); err == nil {
			return p, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("-duckdb: run it inside the raygo repository (interop/engine.mjs not found)")
		}
		dir = up
	}
}

func msOf(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
