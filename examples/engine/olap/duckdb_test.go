package olap

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/rayarrow"
)

// Anyone's Parquet: the engine's tables written by raygo, rewritten by
// DuckDB's own writer (interop/rewrite.mjs: VARCHAR strings, snappy, its
// row groups and encodings), read back by rayarrow.ReadParquet and made
// queryable by Adopt; every query's answer matches plain Go's. It needs
// node and `npm ci` in interop/, and is skipped without them unless
// RAYGO_INTEROP=1.
func TestAdoptDuckDBFiles(t *testing.T) {
	heaptest.Check(t)
	node, err := exec.LookPath("node")
	interop := filepath.Join("..", "..", "..", "interop")
	if _, serr := os.Stat(filepath.Join(interop, "node_modules", "@duckdb")); err != nil || serr != nil {
		if os.Getenv("RAYGO_INTEROP") == "1" {
			t.Fatalf("RAYGO_INTEROP=1 but node (%v) or the interop packages (%v) are missing", err, serr)
		}
		t.Skip("node or interop/node_modules missing: run `npm ci` in interop/")
	}
	tb, err := Generate(Config{Rows: 300_000, Seed: 11}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Release()
	from, to := t.TempDir(), t.TempDir()
	if err := rayarrow.WriteParquet(filepath.Join(from, "trades.parquet"), tb.Trades); err != nil {
		t.Fatal(err)
	}
	if err := rayarrow.WriteParquet(filepath.Join(from, "ref.parquet"), tb.Ref); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, filepath.Join(interop, "rewrite.mjs"), from, to).CombinedOutput()
	if err != nil {
		t.Fatalf("interop/rewrite.mjs: %v\n%s", err, out)
	}
	trades, err := rayarrow.ReadParquet(filepath.Join(to, "trades.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&trades)
	ref, err := rayarrow.ReadParquet(filepath.Join(to, "ref.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&ref)
	at, ar, err := Adopt(trades, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&at)
	defer cow.Release(&ar)
	runAll(t, &Engine{}, at, ar, tb)
}
