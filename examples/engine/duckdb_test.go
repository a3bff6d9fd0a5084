package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/raygo/ray/examples/engine/olap"
)

// The script compares cells by the kind results.json gives each column,
// so integers must arrive exactly (as strings), floats as numbers and
// NULL as null, whatever row a column's first value is in.
func TestResultsFileKeepsEveryCellExact(t *testing.T) {
	r := olap.Result{
		Columns: []string{"ts", "sym", "n", "avg"},
		Rows: [][]any{
			{olap.Timestamp(1767225651016825000), "T0001", int64(1<<62 + 1), nil},
			{olap.Timestamp(-5), "T0002", int64(-3), 0.1},
		},
	}
	path := filepath.Join(t.TempDir(), "results.json")
	if err := writeResults(path, 2, 5, 1500*time.Microsecond, []string{"q"}, []string{"SELECT 1"}, []time.Duration{2500 * time.Microsecond}, []olap.Result{r}); err != nil {
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
	if got.Rows != 2 || got.Runs != 5 || got.Tolerance != olap.Tolerance || got.LoadMS != 1.5 || q.Name != "q" || q.SQL != "SELECT 1" || q.MS != 2.5 {
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
