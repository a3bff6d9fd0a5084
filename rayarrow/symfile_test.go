package rayarrow

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// Tables whose SYM columns hold different symbols write to one IPC stream
// or file over one shared dictionary per column, and read back.
func TestSymTablesInOneFile(t *testing.T) {
	heaptest.Check(t)
	c1 := must(vec.FromSyms([]string{"rayarrow.f.a", "rayarrow.f.b"}))
	defer cow.Release(&c1)
	c2 := must(vec.FromSyms([]string{"rayarrow.f.c", "rayarrow.f.a", "rayarrow.f.d"}))
	defer cow.Release(&c2)
	t1 := tableOf(t, column{"s", cow.Retain(c1)})
	defer cow.Release(&t1)
	t2 := tableOf(t, column{"s", cow.Retain(c2)})
	defer cow.Release(&t2)
	check := func(how string, back []value.V, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer releaseAll(back)
		for i, tb := range back {
			_, col, _ := vec.ColumnByName(tb, "s")
			want := []value.V{c1, c2}[i]
			for r := range int(col.Len()) {
				a, _ := vec.GetSym(col, r)
				b, _ := vec.GetSym(want, r)
				if a != b {
					t.Errorf("%s table %d row %d: %q, want %q", how, i, r, a, b)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := WriteIPCStream(&buf, Uncompressed, t1, t2); err != nil {
		t.Fatal(err)
	}
	back, err := ReadIPC(&buf)
	check("stream", back, err)
	path := filepath.Join(t.TempDir(), "s.arrow")
	if err := WriteIPCFile(path, Uncompressed, t1, t2); err != nil {
		t.Fatal(err)
	}
	back, err = ReadIPCFile(path)
	check("file", back, err)
}
