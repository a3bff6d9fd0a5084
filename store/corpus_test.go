package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// TestWriteSeedCorpus regenerates the committed seed corpora under
// testdata/fuzz when RAYGO_WRITE_CORPUS=1 (after a format change).
func TestWriteSeedCorpus(t *testing.T) {
	if os.Getenv("RAYGO_WRITE_CORPUS") != "1" {
		t.Skip("set RAYGO_WRITE_CORPUS=1 to regenerate testdata/fuzz")
	}
	write := func(fuzz string, i int, b []byte) {
		dir := filepath.Join("testdata", "fuzz", fuzz)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vs := []value.V{must(vec.FromSlice(value.I64, []int64{1, 2})), must(vec.FromStrings([]string{"x", "a long string value here"})),
		must(vec.FromSyms([]string{"fz.a"})), must(vec.FromSlice(value.F64, []float64{1.5}))}
	if err := vec.SetNull(&vs[3], 0, true); err != nil {
		t.Fatal(err)
	}
	for i := range vs {
		parts, err := encodeColumn(vs[i])
		if err != nil {
			t.Fatal(err)
		}
		write("FuzzColumnFile", i, bytes.Join(parts, nil))
		cow.Release(&vs[i])
	}
	write("FuzzSymbolFile", 0, encodeSymbolsForTest([]string{"a", "bb", ""}))
	write("FuzzSchema", 0, []byte(`{"version":1,"columns":[{"name":"a","link":"t"},{"name":"b"}]}`))
}
