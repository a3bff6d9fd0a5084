package store

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// overwriteInPlace writes b over the file at path from offset off, as a
// program that ignores raygo's rename-on-save would.
func overwriteInPlace(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func repeated(n int, b byte) []byte { return bytes.Repeat([]byte{b}, n) }

func TestMappedStrColumnIgnoresInPlaceRewrites(t *testing.T) {
	heaptest.Check(t)
	path := filepath.Join(t.TempDir(), "s.col")
	want := []string{"short", "a string long enough for the pool", "another long string in the pool"}
	v := must(vec.FromStrings(want))
	defer cow.Release(&v)
	if err := SaveColumn(path, v); err != nil {
		t.Fatal(err)
	}
	m := must(MapColumn(path))
	defer cow.Release(&m)
	// Views of 2^31 bytes at offset 2^31: outside any pool.
	overwriteInPlace(t, path, dataOffset, repeated(48, 0x7F))
	for i, s := range want {
		if got, err := vec.GetStr(m, i); err != nil || got != s {
			t.Errorf("row %d after the file was rewritten: %q, %v; want %q", i, got, err, s)
		}
	}
}

func TestMappedSymColumnRewrittenInPlaceStaysInTheTable(t *testing.T) {
	heaptest.Check(t)
	path := filepath.Join(t.TempDir(), "y.col")
	v := must(vec.FromSyms([]string{"store.rewrite.a", "store.rewrite.b"}))
	defer cow.Release(&v)
	if err := SaveColumn(path, v); err != nil {
		t.Fatal(err)
	}
	m := must(MapColumn(path))
	defer cow.Release(&m)
	if w := layout.ElemSize(m); w != 1 || value.SymCount() > 0xFF {
		t.Skipf("ids of %d bytes with %d symbols: 0xFF bytes would name a symbol", w, value.SymCount())
	}
	overwriteInPlace(t, path, dataOffset, repeated(int(m.Len()), 0xFF))
	for i := range int(m.Len()) {
		id, _ := vec.GetSymID(m, i)
		name, err := vec.GetSym(m, i)
		if !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("row %d holds id %d, outside the table: GetSym = %q, %v; want ErrCorrupt", i, id, name, err)
		}
	}
}

func TestTruncatedMappedFileFaultsRecoverably(t *testing.T) {
	heaptest.Check(t)
	path := filepath.Join(t.TempDir(), "t.col")
	v := must(vec.FromSlice(value.I64, make([]int64, 1<<16)))
	defer cow.Release(&v)
	if err := SaveColumn(path, v); err != nil {
		t.Fatal(err)
	}
	m := must(MapColumn(path))
	defer cow.Release(&m)
	if err := os.Truncate(path, dataOffset); err != nil {
		t.Fatal(err)
	}
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	var fault any
	func() {
		defer func() { fault = recover() }()
		_, _ = vec.Get[int64](m, 1<<16-1) // SIGBUS: the page is gone
	}()
	if _, ok := fault.(runtime.Error); !ok {
		t.Fatalf("reading a truncated mapping: recovered %v, want a runtime.Error", fault)
	}
	if addr, ok := fault.(interface{ Addr() uintptr }); !ok || addr.Addr() == 0 {
		t.Errorf("the fault does not carry its address: %v", fault)
	}
}

// rewriteChecksums makes the file at path consistent again after a test
// changed its sections, so that only the change itself can be refused.
func rewriteChecksums(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := readHeader(bytesReaderAt(b), int64(len(b)))
	if err != nil && !strings.Contains(err.Error(), "checksum") {
		t.Fatal(err)
	}
	h.DataCRC = crc32.Checksum(b[dataOffset:], castagnoli)
	encodeHeader(b, &h)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBoolFileWithOtherBytesIsCorrupt(t *testing.T) {
	heaptest.Check(t)
	path := filepath.Join(t.TempDir(), "b.col")
	v := must(vec.FromSlice(value.Bool, make([]bool, 100)))
	defer cow.Release(&v)
	if err := SaveColumn(path, v); err != nil {
		t.Fatal(err)
	}
	overwriteInPlace(t, path, dataOffset+97, []byte{2})
	rewriteChecksums(t, path)
	if _, err := LoadColumn(path); !errors.Is(err, ray.ErrCorrupt) || !strings.Contains(err.Error(), "row 97") {
		t.Errorf("LoadColumn of a BOOL byte 2: %v, want ErrCorrupt naming row 97", err)
	}
	for _, verify := range []bool{false, true} {
		if m, err := MapColumn(path, checks(verify)...); !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("MapColumn(verify %v) of a BOOL byte 2: %v, want ErrCorrupt", verify, err)
			cow.Release(&m)
		}
	}
}

func TestRejectedSymbolFileInternsNothing(t *testing.T) {
	heaptest.Check(t)
	path := filepath.Join(t.TempDir(), "sym")
	var names []string
	for id := range value.SymCount() {
		name, _ := value.SymName(id)
		names = append(names, name)
	}
	names = append(names, "store.rejected.first", "store.rejected.second", "store.rejected.first")
	if err := os.WriteFile(path, encodeSymbolsForTest(names), 0o644); err != nil {
		t.Fatal(err)
	}
	before := value.SymCount()
	if err := LoadSymbols(path); !errors.Is(err, ray.ErrCorrupt) {
		t.Fatalf("a file naming a symbol twice: %v, want ErrCorrupt", err)
	}
	if _, ok := value.SymID("store.rejected.first"); ok || value.SymCount() != before {
		t.Errorf("a rejected file interned %d symbols", value.SymCount()-before)
	}
}

// checkSymIDs finds an id past the symbol count at every width, names its
// row, and passes columns whose ids are all below it, including a width
// every value of which is below it.
func TestCheckSymIDs(t *testing.T) {
	for w := uint8(0); w < 4; w++ {
		size := 1 << w
		for _, rows := range []int{1, 7, 1000} {
			data := make([]byte, rows*size)
			for i := range rows {
				data[i*size] = byte(i % 100)
			}
			h := &fileHeader{Type: int8(value.Sym), Width: w, Rows: uint64(rows), SymCount: 100}
			if err := checkSymIDs(h, data); err != nil {
				t.Errorf("width %d, %d rows: %v", size, rows, err)
			}
			bad := rows * 2 / 3
			data[bad*size+size-1] |= 0x80 // the id's top byte
			if size == 1 {
				data[bad] = 100
			}
			err := checkSymIDs(h, data)
			if !errors.Is(err, ray.ErrCorrupt) || !strings.Contains(err.Error(), fmt.Sprintf("row %d:", bad)) {
				t.Errorf("width %d, %d rows, bad row %d: %v", size, rows, bad, err)
			}
			if size < 8 {
				h.SymCount = 1 << (8 * size)
				if err := checkSymIDs(h, data); err != nil {
					t.Errorf("width %d with every id a symbol: %v", size, err)
				}
			}
		}
	}
}

// failingReaderAt fails every read that reaches past at.
type failingReaderAt struct {
	b  []byte
	at int64
}

func (r failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.at {
		return 0, errors.New("injected read failure")
	}
	return copy(p, r.b[off:]), nil
}

// A STR column whose views, nulls or pool cannot be read is ErrIO, not a
// checksum mismatch, and leaves nothing allocated.
func TestLoadStrReadFailureIsErrIO(t *testing.T) {
	heaptest.Check(t)
	v := must(vec.FromStrings([]string{"a", strings.Repeat("pooled", 10), "b"}))
	if err := vec.SetNull(&v, 2, true); err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&v)
	parts, err := encodeColumn(v)
	if err != nil {
		t.Fatal(err)
	}
	b := bytes.Join(parts, nil)
	for _, at := range []int64{dataOffset + 8, dataOffset + 3*16 + 1, int64(len(b)) - 1} {
		_, err := loadColumn(failingReaderAt{b, at}, int64(len(b)))
		if !errors.Is(err, ray.ErrIO) {
			t.Errorf("a read failing past byte %d: %v, want ErrIO", at, err)
		}
	}
	got, err := loadColumn(failingReaderAt{b, int64(len(b))}, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	cow.Release(&got)
}
