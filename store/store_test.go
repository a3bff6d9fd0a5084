package store

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func must(v value.V, err error) value.V {
	if err != nil {
		panic(err)
	}
	return v
}

// rows renders a vector's rows, nulls included.
func rows(t *testing.T, v value.V) string {
	t.Helper()
	var sb strings.Builder
	for i := range int(v.Len()) {
		if null, _ := vec.IsNull(v, i); null {
			sb.WriteString("null ")
			continue
		}
		a, err := vec.RowAtom(v, i)
		if err != nil {
			t.Fatal(err)
		}
		sb.WriteString(a.String() + " ")
		cow.Release(&a)
	}
	return sb.String()
}

func sample(t *testing.T) []value.V {
	t.Helper()
	n := 300
	is := make([]int64, n)
	fs := make([]float32, n)
	strs := make([]string, n)
	syms := make([]string, n)
	for i := range n {
		is[i], fs[i] = int64(i*7-100), float32(i)/4
		strs[i] = fmt.Sprintf("s%d%s", i, strings.Repeat("x", i%20))
		syms[i] = fmt.Sprintf("store.sym.%d", i%5)
	}
	vs := []value.V{
		must(vec.FromSlice(value.I64, is)), must(vec.FromSlice(value.F32, fs)),
		must(vec.FromSlice(value.Bool, []bool{true, false, true})), must(vec.FromSlice(value.U8, []uint8{1, 2})),
		must(vec.FromSlice(value.I16, []int16{-1, 2})), must(vec.FromSlice(value.I32, []int32{-1, 2})),
		must(vec.FromSlice(value.F64, []float64{1.5, -2})), must(vec.FromSlice(value.Date, []int32{20784, -1})),
		must(vec.FromSlice(value.Time, []int32{0, 1000})), must(vec.FromSlice(value.Timestamp, []int64{1, 2})),
		must(vec.FromSlice(value.GUID, [][16]byte{{1}, {2}})), must(vec.FromStrings(strs)), must(vec.FromSyms(syms)),
		must(vec.FromSlice(value.I64, []int64{})),
	}
	for i := range vs {
		if vs[i].Len() > 1 {
			if err := vec.SetNull(&vs[i], 1, true); err != nil {
				t.Fatal(err)
			}
		}
		if vs[i].Len() > 200 {
			if err := vec.SetNull(&vs[i], 200, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	return vs
}

// TestRoundTrip saves every type (whole and as a slice), loads and maps it
// back, and compares every row and null.
func TestRoundTrip(t *testing.T) {
	heaptest.Check(t)
	dir := t.TempDir()
	vs := sample(t)
	defer func() {
		for i := range vs {
			cow.Release(&vs[i])
		}
	}()
	for i, v := range vs {
		for _, view := range []struct{ off, n int }{{0, int(v.Len())}, {min(1, int(v.Len())), max(int(v.Len())-1, 0)}} {
			s := must(vec.Slice(v, view.off, view.n))
			path := filepath.Join(dir, fmt.Sprintf("c%d.col", i))
			if err := SaveColumn(path, s); err != nil {
				t.Fatalf("%v: %v", v.Type(), err)
			}
			want := rows(t, s)
			loaded, err := LoadColumn(path)
			if err != nil {
				t.Fatalf("%v: load: %v", v.Type(), err)
			}
			if got := rows(t, loaded); got != want || loaded.Type() != v.Type() {
				t.Errorf("%v loaded: %.80s, want %.80s", v.Type(), got, want)
			}
			for _, verify := range []bool{false, true} {
				m, err := MapColumn(path, checks(verify)...)
				if err != nil {
					t.Fatalf("%v: map: %v", v.Type(), err)
				}
				if wantMmod := mappedMmod(v.Type()); layout.Header(m).Mmod() != wantMmod {
					t.Errorf("%v: mapped column has mmod %d, want %d", v.Type(), layout.Header(m).Mmod(), wantMmod)
				}
				if got := rows(t, m); got != want {
					t.Errorf("%v mapped: %.80s, want %.80s", v.Type(), got, want)
				}
				cow.Release(&m)
			}
			cow.Release(&loaded)
			cow.Release(&s)
		}
	}
	if files, _ := heap.MappedFiles(); files != 0 {
		t.Errorf("%d files still mapped", files)
	}
}

// ARCHITECTURE.md D12: writing to a mapped column copies it to the heap and
// never touches the file.
func TestMappedColumnsAreCopiedOnWrite(t *testing.T) {
	heaptest.Check(t)
	path := filepath.Join(t.TempDir(), "m.col")
	v := must(vec.FromSlice(value.I64, []int64{1, 2, 3}))
	if err := SaveColumn(path, v); err != nil {
		t.Fatal(err)
	}
	cow.Release(&v)
	before, _ := os.ReadFile(path)
	m := must(MapColumn(path, VerifyChecksum()))
	if err := vec.Append(&m, int64(4)); err != nil {
		t.Fatal(err)
	}
	if err := vec.Set(&m, 0, int64(100)); err != nil {
		t.Fatal(err)
	}
	if layout.Header(m).Mmod() != heap.MmodHeap || rows(t, m) != "100 2 3 4 " {
		t.Errorf("after writing a mapped column: mmod %d, rows %s", layout.Header(m).Mmod(), rows(t, m))
	}
	cow.Release(&m)
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("writing a mapped column changed its file")
	}
	if files, _ := heap.MappedFiles(); files != 0 {
		t.Errorf("%d files still mapped after the copy was released", files)
	}
}

// A mapped file is not charged to the budget.
func TestMappingIgnoresTheBudget(t *testing.T) {
	heaptest.Check(t)
	path := filepath.Join(t.TempDir(), "big.col")
	v := must(vec.New(value.I64, 0))
	if err := vec.AppendSlice(&v, make([]int64, 8<<20)); err != nil { // 64 MiB
		t.Fatal(err)
	}
	if err := SaveColumn(path, v); err != nil {
		t.Fatal(err)
	}
	cow.Release(&v)
	_, reserved := heap.Budget()
	old := heap.SetBudget(reserved + 1<<20)
	defer heap.SetBudget(old)
	m, err := MapColumn(path)
	if err != nil {
		t.Fatalf("mapping 64 MiB under a budget with 1 MiB to spare: %v", err)
	}
	xs, _ := vec.Elems[int64](m)
	if len(xs) != 8<<20 || xs[len(xs)-1] != 0 {
		t.Error("mapped rows")
	}
	cow.Release(&m)
}

// A mapped column's header is not file memory: rewriting the file in place
// while it is mapped (Linux then drops even private copies of its pages)
// cannot change the column's reference count or owned pointers, and
// releasing it unmaps it cleanly. Saving over it by rename keeps the
// mapping's rows.
func TestMappedHeaderSurvivesRewrite(t *testing.T) {
	heaptest.Check(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.col")
	v := must(vec.FromSlice(value.I64, []int64{1, 2, 3}))
	defer cow.Release(&v)
	if err := SaveColumn(path, v); err != nil {
		t.Fatal(err)
	}
	m := must(MapColumn(path, VerifyChecksum()))
	// Saved again (renamed over): the mapping still reads the old file.
	w := must(vec.FromSlice(value.I64, []int64{7, 8, 9}))
	defer cow.Release(&w)
	if err := SaveColumn(path, w); err != nil {
		t.Fatal(err)
	}
	if xs, _ := vec.Elems[int64](m); xs[2] != 3 {
		t.Fatalf("a mapped column changed when its file was replaced: %v", xs)
	}
	// Rewritten in place with bytes that would be a header of 0 refs
	// and wild pointers. (The rows are not read: those pages are gone.)
	m2 := must(MapColumn(path, VerifyChecksum()))
	junk := make([]byte, 8192)
	for i := range junk {
		junk[i] = 0xA5
	}
	if err := os.WriteFile(path, junk, 0o644); err != nil {
		t.Fatal(err)
	}
	if layout.RC(m2) != 1 || m2.Len() != 3 || m2.Type() != value.I64 {
		t.Fatalf("the mapped header changed with its file: rc %d, len %d, %v", layout.RC(m2), m2.Len(), m2.Type())
	}
	cow.Release(&m2)
	cow.Release(&m)
	if files, _ := heap.MappedFiles(); files != 0 {
		t.Fatalf("%d files still mapped", files)
	}
}

func TestCorruptFiles(t *testing.T) {
	heaptest.Check(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "c.col")
	v := must(vec.FromStrings([]string{"a", "a string longer than twelve"}))
	if err := SaveColumn(path, v); err != nil {
		t.Fatal(err)
	}
	cow.Release(&v)
	good, _ := os.ReadFile(path)
	cases := map[string]func([]byte) []byte{
		"truncated":     func(b []byte) []byte { return b[:len(b)-1] },
		"one more byte": func(b []byte) []byte { return append(b, 0) },
		"bad magic":     func(b []byte) []byte { b[0] = 'X'; return b },
		"header bit":    func(b []byte) []byte { b[40] ^= 1; return b },
		"data bit":      func(b []byte) []byte { b[dataOffset+5] ^= 1; return b },
		"empty":         func(b []byte) []byte { return nil },
	}
	for name, mangle := range cases {
		b := mangle(append([]byte(nil), good...))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadColumn(path); !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("%s: LoadColumn = %v, want ErrCorrupt", name, err)
		}
		if m, err := MapColumn(path, VerifyChecksum()); !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("%s: MapColumn = %v, want ErrCorrupt", name, err)
			cow.Release(&m)
		}
	}
	// A newer version is ErrNYI, not corruption.
	b := append([]byte(nil), good...)
	b[8] = 2
	h, _ := readHeader(bytesReaderAt(good), int64(len(good)))
	h.Version = 2
	encodeHeader(b, &h)
	if _, err := decodeColumn(b); !errors.Is(err, ray.ErrNYI) {
		t.Errorf("version 2: %v, want ErrNYI", err)
	}
}

// FuzzColumnFile feeds arbitrary bytes to the column decoder: it may
// refuse them, but never crash or leak.
func FuzzColumnFile(f *testing.F) {
	for _, v := range []value.V{must(vec.FromSlice(value.I64, []int64{1, 2})), must(vec.FromStrings([]string{"x", "a long string value here"})), must(vec.FromSyms([]string{"fz.a"}))} {
		parts, err := encodeColumn(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.Join(parts, nil))
		cow.Release(&v)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeColumn(b)
		if err == nil {
			_ = rows(t, v)
			if err := cow.Check(v); err != nil {
				t.Error(err)
			}
			cow.Release(&v)
		} else if !errors.Is(err, ray.ErrCorrupt) && !errors.Is(err, ray.ErrNYI) {
			t.Fatalf("decode error %v is neither ErrCorrupt nor ErrNYI", err)
		}
	})
}

func TestSymbolFile(t *testing.T) {
	heaptest.Check(t)
	path := filepath.Join(t.TempDir(), "sym")
	if _, err := value.Intern("store.symfile.a"); err != nil {
		t.Fatal(err)
	}
	if err := SaveSymbols(path); err != nil {
		t.Fatal(err)
	}
	// As in the C runtime, loading into the same table is a no-op; a table
	// that already disagrees is corrupt.
	if err := LoadSymbols(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	names, err := decodeSymbols(b)
	if err != nil || int64(len(names)) != value.SymCount() {
		t.Fatalf("decoded %d names (%v), have %d", len(names), err, value.SymCount())
	}
	names[0] = names[0] + "-different"
	if err := os.WriteFile(path, encodeSymbolsForTest(names), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := LoadSymbols(path); !errors.Is(err, ray.ErrCorrupt) {
		t.Errorf("a file that disagrees with memory: %v", err)
	}
	for _, bad := range [][]byte{nil, []byte("RAYGOSYM"), append(b[:len(b)-1:len(b)-1], b[len(b)-1]^1)} {
		if _, err := decodeSymbols(bad); !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("decoding %d bad bytes: %v", len(bad), err)
		}
	}
}

// encodeSymbolsForTest builds a symbol file of names, as SaveSymbols does.
func encodeSymbolsForTest(names []string) []byte {
	var buf bytes.Buffer
	buf.WriteString(symMagic)
	buf.Write([]byte{1, 0, 0, 0})
	var n [8]byte
	for i := range 8 {
		n[i] = byte(uint64(len(names)) >> (8 * i))
	}
	buf.Write(n[:])
	for _, s := range names {
		l := len(s)
		buf.Write([]byte{byte(l), byte(l >> 8), byte(l >> 16), byte(l >> 24)})
		buf.WriteString(s)
	}
	sum := crc32Sum(buf.Bytes())
	buf.Write([]byte{byte(sum), byte(sum >> 8), byte(sum >> 16), byte(sum >> 24)})
	return buf.Bytes()
}

func FuzzSymbolFile(f *testing.F) {
	f.Add(encodeSymbolsForTest([]string{"a", "bb", ""}))
	f.Add([]byte("RAYGOSYM"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := decodeSymbols(b); err != nil && !errors.Is(err, ray.ErrCorrupt) && !errors.Is(err, ray.ErrNYI) {
			t.Fatalf("decode error %v", err)
		}
	})
}

func crc32Sum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

func TestTableDirectory(t *testing.T) {
	heaptest.Check(t)
	dir := filepath.Join(t.TempDir(), "trades")
	target := must(vec.NewTable())
	names := must(vec.FromStrings([]string{"zero", "one"}))
	if err := vec.AddColumn(&target, "name", names); err != nil {
		t.Fatal(err)
	}
	cow.Release(&names)
	if err := vec.Bind("store.test.instruments", target); err != nil {
		t.Fatal(err)
	}
	cow.Release(&target)
	defer vec.Unbind("store.test.instruments")

	tb := must(vec.NewTable())
	defer cow.Release(&tb)
	inst := must(vec.FromSlice(value.I64, []int64{1, 0, 1}))
	if err := vec.Link(&inst, "store.test.instruments"); err != nil {
		t.Fatal(err)
	}
	px := must(vec.FromSlice(value.F64, []float64{1.5, 2.5, 3.5}))
	for _, c := range []struct {
		n string
		v value.V
	}{{"inst", inst}, {"px", px}} {
		if err := vec.AddColumn(&tb, c.n, c.v); err != nil {
			t.Fatal(err)
		}
		cow.Release(&c.v)
	}
	if err := SaveTable(dir, tb); err != nil {
		t.Fatal(err)
	}
	for _, mapped := range []bool{false, true} {
		back, err := readTableBack(dir, mapped)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(vec.Schema(back)) != fmt.Sprint(vec.Schema(tb)) {
			t.Errorf("schema %v", vec.Schema(back))
		}
		_, ic, _ := vec.ColumnByName(back, "inst")
		who := must(vec.Deref(ic, "name"))
		if rows(t, who) != `"one" "zero" "one" ` {
			t.Errorf("the link after loading: %s", rows(t, who))
		}
		cow.Release(&who)
		cow.Release(&back)
	}
	for _, bad := range []string{`{`, `{"version":1,"columns":[{"name":""}]}`, `{"version":1,"columns":[{"name":"a"},{"name":"a"}]}`} {
		if _, err := decodeSchema([]byte(bad)); !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("schema %s: %v", bad, err)
		}
	}
	if _, err := decodeSchema([]byte(`{"version":2}`)); !errors.Is(err, ray.ErrNYI) {
		t.Errorf("schema version 2: %v", err)
	}
}

func FuzzSchema(f *testing.F) {
	f.Add([]byte(`{"version":1,"columns":[{"name":"a","link":"t"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := decodeSchema(b); err != nil && !errors.Is(err, ray.ErrCorrupt) && !errors.Is(err, ray.ErrNYI) {
			t.Fatalf("decode error %v", err)
		}
	})
}

// mappedMmod is where MapColumn puts a column of type t: in the file, but
// for STR, whose views are loaded onto the heap.
func mappedMmod(t value.Type) uint8 {
	if t == value.Str {
		return heap.MmodHeap
	}
	return heap.MmodFile
}

// checks returns MapColumn's options for a test that runs with and without
// the checksum.
func checks(verify bool) []MapOption {
	if verify {
		return []MapOption{VerifyChecksum()}
	}
	return nil
}

// readTableBack reads a table directory loaded or mapped.
func readTableBack(dir string, mapped bool) (value.V, error) {
	if mapped {
		return MapTable(dir)
	}
	return LoadTable(dir)
}

// Saving over a table replaces it whole: the next generation's files, then
// the schema, then the old files go. A schema without a generation, as
// earlier versions wrote, still names c0.col, c1.col, ...
func TestSavingOverATableReplacesItWhole(t *testing.T) {
	heaptest.Check(t)
	dir := t.TempDir()
	table := func(cols ...string) value.V {
		tb := must(vec.NewTable())
		for i, name := range cols {
			c := must(vec.FromSlice(value.I64, []int64{int64(i), int64(i) * 10}))
			if err := vec.AddColumn(&tb, name, c); err != nil {
				t.Fatal(err)
			}
			cow.Release(&c)
		}
		return tb
	}
	a, b := table("x", "y", "z"), table("p", "q")
	defer cow.Release(&a)
	defer cow.Release(&b)
	for _, tb := range []value.V{a, b} {
		if err := SaveTable(dir, tb); err != nil {
			t.Fatal(err)
		}
	}
	back := must(LoadTable(dir))
	defer cow.Release(&back)
	var names []string
	for i := range vec.NumCols(back) {
		name, _, _ := vec.ColumnAt(back, i)
		names = append(names, name)
	}
	if fmt.Sprint(names) != "[p q]" {
		t.Errorf("after saving over it the table has columns %v", names)
	}
	var files []string
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		files = append(files, e.Name())
	}
	if fmt.Sprint(files) != "[c0.g2.col c1.g2.col schema.json]" {
		t.Errorf("the directory holds %v", files)
	}
	// The layout before generations.
	for i := range 2 {
		if err := os.Rename(filepath.Join(dir, columnFile(i, 2)), filepath.Join(dir, columnFile(i, 0))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, schemaFile), []byte(`{"version":1,"columns":[{"name":"p"},{"name":"q"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	old := must(LoadTable(dir))
	cow.Release(&old)
}
