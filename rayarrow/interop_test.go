package rayarrow

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// TestInterop writes an Arrow IPC file and a Parquet file and has readers
// nobody here wrote check them: interop/check.mjs reads the first with
// apache-arrow and the second with DuckDB, and compares every value, null
// and type with expected.json. It needs node and `npm ci` in interop/; it
// is skipped without them, unless RAYGO_INTEROP=1 (as .ci/run sets when
// node is present), which makes their absence a failure.
func TestInterop(t *testing.T) {
	heaptest.Check(t)
	node := interopNode(t)
	tb := must(vec.NewTable())
	defer cow.Release(&tb)
	type column struct {
		Name       string    `json:"name"`
		Kind       string    `json:"kind"`
		ArrowType  string    `json:"arrowType"`
		DuckDBType string    `json:"duckdbType"`
		Values     []*string `json:"values"`
	}
	var cols []column
	add := func(name, kind, arrowType, duckType string, v value.V, render func(i int) string) {
		if err := vec.SetNull(&v, 1, true); err != nil {
			t.Fatal(err)
		}
		c := column{Name: name, Kind: kind, ArrowType: arrowType, DuckDBType: duckType}
		for i := range int(v.Len()) {
			if null, _ := vec.IsNull(v, i); null {
				c.Values = append(c.Values, nil)
				continue
			}
			s := render(i)
			c.Values = append(c.Values, &s)
		}
		if err := vec.AddColumn(&tb, name, v); err != nil {
			t.Fatal(err)
		}
		cow.Release(&v)
		cols = append(cols, c)
	}
	ids := []int64{-9007199254740993, 0, 42, 1 << 62}
	add("id", "int", "Int64", "BIGINT", must(vec.FromSlice(value.I64, ids)), func(i int) string { return strconv.FormatInt(ids[i], 10) })
	pxs := []float64{1.5, 0, -2.25, 1e300}
	add("px", "float", "Float64", "DOUBLE", must(vec.FromSlice(value.F64, pxs)), func(i int) string { return jsNumber(pxs[i]) })
	oks := []bool{true, false, false, true}
	add("ok", "bool", "Bool", "BOOLEAN", must(vec.FromSlice(value.Bool, oks)), func(i int) string { return strconv.FormatBool(oks[i]) })
	days := []int32{20784, 0, -1, 0}
	add("day", "date", "Date32<DAY>", "DATE", must(vec.FromSlice(value.Date, days)), func(i int) string { return value.DateTime(days[i]).Format("2006-01-02") })
	ats := []int64{1_700_000_000_123_000_000, 0, -86_400_000_000_000, 5_000_000}
	add("at", "timestamp", "Timestamp<NANOSECOND, UTC>", "TIMESTAMP WITH TIME ZONE", must(vec.FromSlice(value.Timestamp, ats)), func(i int) string { return strconv.FormatInt(ats[i], 10) })
	names := []string{"short", "", "a string longer than twelve bytes", "ünïcödé ✓"}
	add("name", "string", "Utf8View", "VARCHAR", must(vec.FromStrings(names)), func(i int) string { return names[i] })
	syms := []string{"interop.AAPL", "interop.MSFT", "interop.AAPL", "interop.NVDA"}
	sv := must(vec.FromSyms(syms))
	// Files give each SYM column a dictionary of its own symbols.
	add("sym", "string", "Dictionary<Int32, Utf8>", "VARCHAR", sv, func(i int) string { return syms[i] })

	dir := t.TempDir()
	if err := WriteIPCFile(filepath.Join(dir, "t.arrow"), Uncompressed, tb); err != nil {
		t.Fatal(err)
	}
	if err := WriteParquet(filepath.Join(dir, "t.parquet"), tb); err != nil {
		t.Fatal(err)
	}
	exp, _ := json.Marshal(map[string]any{"rows": vec.NumRows(tb), "columns": cols})
	if err := os.WriteFile(filepath.Join(dir, "expected.json"), exp, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, filepath.Join("..", "interop", "check.mjs"), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("interop/check.mjs: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(string(out)))
}

// TestInteropReadsApacheArrow has apache-arrow write IPC files and streams
// (interop/write.mjs; its file writer puts the schema only in the footer)
// and reads them as the fixtures in testdata/ipc are read.
func TestInteropReadsApacheArrow(t *testing.T) {
	heaptest.Check(t)
	node := interopNode(t)
	dir := t.TempDir()
	out, err := exec.Command(node, filepath.Join("..", "interop", "write.mjs"), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("interop/write.mjs: %v\n%s", err, out)
	}
	readApacheArrowFiles(t, dir)
	t.Log(strings.TrimSpace(string(out)) + ", read by raygo")
}

// interopNode returns the node binary, or skips t when node or the
// interop packages are missing (fails it under RAYGO_INTEROP=1).
func interopNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	modules := filepath.Join("..", "interop", "node_modules")
	if _, serr := os.Stat(modules); err != nil || serr != nil {
		if os.Getenv("RAYGO_INTEROP") == "1" {
			t.Fatalf("RAYGO_INTEROP=1 but node (%v) or %s (%v) is missing", err, modules, serr)
		}
		t.Skip("node or interop/node_modules missing: run `npm ci` in interop/")
	}
	return node
}

// jsNumber formats f as JavaScript's String(number) does for these values.
func jsNumber(f float64) string {
	if f == 1e300 {
		return "1e+300"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// TestInteropDuckDBTypes reads the types DuckDB writes (interop/types.mjs:
// a file a type, nulls in every one, row groups of 1000 rows) with the
// native reader and through Arrow Go: both give the same table, of the
// raygo type each maps to, or both refuse with the same kind of error,
// naming the column (and the row, for a value out of range).
func TestInteropDuckDBTypes(t *testing.T) {
	heaptest.Check(t)
	node := interopNode(t)
	dir := t.TempDir()
	cmd := exec.Command(node, "types.mjs", dir)
	cmd.Dir = filepath.Join("..", "interop")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("types.mjs: %v\n%s", err, out)
	} else {
		t.Log(strings.TrimSpace(string(out)))
	}
	want := map[string]any{
		"tinyint": value.I16, "utinyint": value.U8, "smallint": value.I16, "usmallint": value.I32,
		"integer": value.I32, "uinteger": value.I64, "bigint": value.I64, "ubigint": value.I64,
		"ubigint_big": ray.ErrRange, "float": value.F32, "double": value.F64,
		"decimal_4_2": value.F64, "decimal_9_3": value.F64, "decimal_18_4": value.F64, "decimal_38_10": value.F64,
		"date": value.Date, "time": value.Time, "timestamp": value.Timestamp, "timestamp_ms": value.Timestamp,
		"timestamp_ns": value.Timestamp, "timestamp_s": value.Timestamp, "timestamptz": value.Timestamp,
		"timestamp_far": ray.ErrRange, "varchar": value.Str, "varchar_unique": value.Str, "blob": value.Str,
		"boolean": value.Bool, "uuid": value.GUID, "interval": ray.ErrNYI, "list": ray.ErrNYI,
		"struct": ray.ErrNYI, "map": ray.ErrNYI, "enum": value.Str, "mixed": nil,
	}
	for name, w := range want {
		b, err := os.ReadFile(filepath.Join(dir, name+".parquet"))
		if err != nil {
			t.Fatal(err)
		}
		native, viaArrow, errN, errA := readBoth(b)
		if errors.Is(errN, errNotNative) { // a column only Arrow Go reads: read it natively unforced
			native, errN = ReadParquetFrom(bytes.NewReader(b), int64(len(b)))
		}
		switch w := w.(type) {
		case error:
			for _, err := range []error{errN, errA} {
				if !errors.Is(err, w) || !strings.Contains(err.Error(), `"v"`) {
					t.Errorf("%s: %v, want %v naming column v", name, err, w)
				}
			}
			if w == ray.ErrRange && (!strings.Contains(errN.Error(), "row ") || !strings.Contains(errA.Error(), "row ")) {
				t.Errorf("%s: no row named: native %v, Arrow %v", name, errN, errA)
			}
		default:
			if errN != nil || errA != nil {
				t.Errorf("%s: native %v, Arrow %v", name, errN, errA)
				break
			}
			if d := tableDiff(native, viaArrow); d != "" {
				t.Errorf("%s: %s", name, d)
			}
			if typ, ok := w.(value.Type); ok {
				if _, col, _ := vec.ColumnAt(native, 0); col.Type() != typ || col.Len() != 3000 || vec.NullCount(col) != 429 {
					t.Errorf("%s: %v[%d] with %d nulls, want %v[3000] with 429", name, col.Type(), col.Len(), vec.NullCount(col), typ)
				}
			}
			checked(t, native, viaArrow)
		}
		cow.Release(&native)
		cow.Release(&viaArrow)
	}
	// On request: decimals as their unscaled I64, uint64 as F64.
	for _, c := range []struct {
		name string
		opt  ReadOption
		typ  value.Type
		row  string
	}{
		{"decimal_18_4", DecimalsAsI64(), value.I64, "-185185183684500"},
		{"decimal_38_10", DecimalsAsI64(), value.Null, ""},
		{"ubigint_big", Uint64AsF64(), value.F64, "1.8446744073709552e+19"},
	} {
		b, err := os.ReadFile(filepath.Join(dir, c.name+".parquet"))
		if err != nil {
			t.Fatal(err)
		}
		native, viaArrow, errN, errA := readBoth(b, c.opt)
		if c.typ == value.Null {
			if !errors.Is(errN, ray.ErrRange) || !errors.Is(errA, ray.ErrRange) {
				t.Errorf("%s: native %v, Arrow %v, want ErrRange", c.name, errN, errA)
			}
			continue
		}
		if errN != nil || errA != nil {
			t.Fatalf("%s: native %v, Arrow %v", c.name, errN, errA)
		}
		if d := tableDiff(native, viaArrow); d != "" {
			t.Errorf("%s: %s", c.name, d)
		}
		if _, col, _ := vec.ColumnAt(native, 0); col.Type() != c.typ || cell(col, 0) != c.row {
			t.Errorf("%s: %v, row 0 %s, want %v %s", c.name, col.Type(), cell(col, 0), c.typ, c.row)
		}
		cow.Release(&native)
		cow.Release(&viaArrow)
	}
}

// TestInteropParquetDifferential has DuckDB read what the native writer
// writes (interop/pqdiff.mjs), for a table of every type the writer takes,
// with nulls in every column and a sliced column, empty and of one and of
// 1000 rows, every way the writer can write it (codecs, row groups of 7 and
// 300 rows, small pages, dictionaries off), and checks each of DuckDB's
// cells against raygo's own: integers, booleans, dates and strings as
// text, floats as the same double, times and timestamps as numbers (a
// timestamp to DuckDB's microsecond), GUIDs as hex.
func TestInteropParquetDifferential(t *testing.T) {
	heaptest.Check(t)
	node := interopNode(t)
	dir := t.TempDir()
	tables := map[string]value.V{}
	defer func() {
		for _, tb := range tables {
			cow.Release(&tb)
		}
	}()
	optionSets := [][]WriteOption{
		nil,
		{WithParquetCodec(ParquetSnappy, 0), RowGroupRows(300), PageBytes(500)},
		{WithParquetCodec(ParquetUncompressed, 0), RowGroupRows(7)},
		{ColumnDictionary(false)},
	}
	for _, n := range []int{0, 1, 1000} {
		for k, opts := range optionSets {
			name := fmt.Sprintf("t%d-%d.parquet", n, k)
			tb := writeTable(t, n)
			tables[name] = tb
			if err := WriteParquet(filepath.Join(dir, name), tb, opts...); err != nil {
				t.Fatal(err)
			}
		}
	}
	out, err := exec.Command(node, filepath.Join("..", "interop", "pqdiff.mjs"), dir).Output()
	if err != nil {
		t.Fatalf("interop/pqdiff.mjs: %v\n%s", err, out)
	}
	var got map[string]struct {
		Types   [][2]string `json:"types"`
		Columns [][]any     `json:"columns"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	cells := 0
	for name, tb := range tables {
		g, ok := got[name]
		if !ok {
			t.Fatalf("DuckDB did not read %s", name)
		}
		if len(g.Columns) != vec.NumCols(tb) {
			t.Fatalf("%s: DuckDB read %d columns, want %d", name, len(g.Columns), vec.NumCols(tb))
		}
		for c := range vec.NumCols(tb) {
			colName, col, _ := vec.ColumnAt(tb, c)
			if g.Types[c][0] != colName || len(g.Columns[c]) != int(col.Len()) {
				t.Fatalf("%s: DuckDB's column %d is %s (%s) of %d rows, want %s of %d", name, c, g.Types[c][0], g.Types[c][1], len(g.Columns[c]), colName, col.Len())
			}
			for i, cellGot := range g.Columns[c] {
				cells++
				if want, ok := duckCell(t, col, i); !ok {
					if cellGot != nil {
						t.Errorf("%s: %s row %d: DuckDB read %v, want NULL", name, colName, i, cellGot)
					}
				} else if !sameCell(cellGot, want) {
					t.Errorf("%s: %s (%s) row %d: DuckDB read %v, want %v", name, colName, g.Types[c][1], i, cellGot, want)
				}
			}
		}
	}
	t.Logf("interop: %d cells of %d files read by DuckDB as raygo wrote them", cells, len(tables))
}

// duckCell is row i of col as pqdiff.mjs prints DuckDB's value: a float64
// for floats, a string for the rest; ok is false for a null.
func duckCell(t *testing.T, col value.V, i int) (any, bool) {
	if null, _ := vec.IsNull(col, i); null {
		return nil, false
	}
	switch col.Type() {
	case value.Bool:
		xs, _ := vec.Elems[bool](col)
		return strconv.FormatBool(xs[i]), true
	case value.U8:
		xs, _ := vec.Elems[uint8](col)
		return strconv.Itoa(int(xs[i])), true
	case value.I16:
		xs, _ := vec.Elems[int16](col)
		return strconv.Itoa(int(xs[i])), true
	case value.I32:
		xs, _ := vec.Elems[int32](col)
		return strconv.Itoa(int(xs[i])), true
	case value.I64:
		xs, _ := vec.Elems[int64](col)
		return strconv.FormatInt(xs[i], 10), true
	case value.Timestamp:
		// DuckDB reads a UTC timestamp as TIMESTAMP WITH TIME ZONE, whose
		// unit is the microsecond: it drops the nanoseconds.
		xs, _ := vec.Elems[int64](col)
		return strconv.FormatInt(floorDiv(xs[i], 1000)*1000, 10), true
	case value.Time:
		xs, _ := vec.Elems[int32](col)
		return strconv.Itoa(int(xs[i])), true
	case value.F32:
		xs, _ := vec.Elems[float32](col)
		return float64(xs[i]), true
	case value.F64:
		xs, _ := vec.Elems[float64](col)
		return xs[i], true
	case value.Date:
		xs, _ := vec.Elems[int32](col)
		return value.DateTime(xs[i]).Format("2006-01-02"), true
	case value.GUID:
		xs, _ := vec.Elems[[16]byte](col)
		return strings.ToUpper(hex.EncodeToString(xs[i][:])), true
	case value.Str:
		s, _ := vec.GetStr(col, i)
		return s, true
	case value.Sym:
		s, _ := vec.GetSym(col, i)
		return s, true
	}
	t.Fatalf("no DuckDB rendering of %v", col.Type())
	return nil, false
}

// sameCell compares a cell of pqdiff.mjs's JSON with duckCell's: floats by
// value (NaN as its name), the rest as text.
func sameCell(got, want any) bool {
	if w, ok := want.(float64); ok {
		switch g := got.(type) {
		case float64:
			return g == w
		case string:
			return g == "NaN" && math.IsNaN(w)
		}
		return false
	}
	return got == want
}
