package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/raygo/ray/examples/engine/engine"
)

// The script compares cells by the kind results.json gives each column,
// so integers must arrive exactly (as strings), floats as numbers and
// NULL as null, whatever row a column's first value is in.
func TestResultsFileKeepsEveryCellExact(t *testing.T) {
	r := engine.Result{
		Columns: []string{"ts", "sym", "n", "avg"},
		Rows: [][]any{
			{engine.Timestamp(1767225651016825000), "T0001", int64(1<<62 + 1), nil},
			{engine.Timestamp(-5), "T0002", int64(-3), 0.1},
		},
	}
	path := filepath.Join(t.TempDir(), "results.json")
	if err := writeResults(path, 2, 5, 1500*time.Microsecond, []string{"q"}, []string{"SELECT 1"}, []time.Duration{2500 * time.Microsecond}, []engine.Result{r}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got resultsFile
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	q := got.Queries[0]
	if got.Rows != 2 || got.Runs != 5 || got.Tolerance != engine.Tolerance || got.LoadMS != 1.5 || q.Name != "q" || q.SQL != "SELECT 1" || q.MS != 2.5 {
		t.Errorf("header: %+v", got)
	}
	if want := []string{"timestamp", "string", "int", "float"}; !reflect.DeepEqual(q.Types, want) {
		t.Errorf("types %v, want %v", q.Types, want)
	}
	want := [][]any{
		{"1767225651016825000", "T0001", "4611686018427387905", nil},
		{"-5", "T0002", "-3", 0.1},
	}
	if !reflect.DeepEqual(q.Rows, want) {
		t.Errorf("rows %v, want %v", q.Rows, want)
	}
}
