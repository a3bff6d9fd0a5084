package rayarrow

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/decimal256"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// temporal builds a one-row array of a temporal type holding x.
func temporal(mem memory.Allocator, dt arrow.DataType, x int64) arrow.Array {
	switch dt := dt.(type) {
	case *arrow.Time32Type:
		b := array.NewTime32Builder(mem, dt)
		defer b.Release()
		b.Append(arrow.Time32(x))
		return b.NewArray()
	case *arrow.Time64Type:
		b := array.NewTime64Builder(mem, dt)
		defer b.Release()
		b.Append(arrow.Time64(x))
		return b.NewArray()
	case *arrow.Date64Type:
		b := array.NewDate64Builder(mem)
		defer b.Release()
		b.Append(arrow.Date64(x))
		return b.NewArray()
	}
	panic(fmt.Sprintf("no temporal builder for %v", dt))
}

func TestTemporalImportsRefuseOutOfRangeValues(t *testing.T) {
	heaptest.Check(t)
	mem := memory.NewGoAllocator()
	s, ms := arrow.FixedWidthTypes.Time32s, arrow.FixedWidthTypes.Time32ms
	us, ns := arrow.FixedWidthTypes.Time64us, arrow.FixedWidthTypes.Time64ns
	d64 := arrow.FixedWidthTypes.Date64
	for _, c := range []struct {
		dt   arrow.DataType
		x    int64
		want string // the row as raygo prints it, or "" for ErrRange
	}{
		{s, 3_000_000, ""}, {s, 86_400, ""}, {s, -1, ""}, {s, 86_399, "[23:59:59.000]"},
		{ms, -5, ""}, {ms, 86_400_000, ""}, {ms, 0, "[00:00:00.000]"},
		{ns, 1e18, ""}, {ns, 86_399_999_999_999, "[23:59:59.999]"},
		{us, -1, ""}, {us, 86_400_000_000, ""}, {us, 1_999, "[00:00:00.001]"},
		{d64, math.MaxInt64, ""}, {d64, math.MinInt64, ""},
		{d64, -86_400_001, "[1969-12-30]"}, // toward negative infinity
		{d64, 86_399_999, "[1970-01-01]"},
	} {
		a := temporal(mem, c.dt, c.x)
		v, err := Import(a)
		a.Release()
		switch {
		case c.want == "" && !errors.Is(err, ray.ErrRange):
			t.Errorf("%v %d: %v, want ErrRange", c.dt, c.x, err)
		case c.want != "" && err != nil:
			t.Errorf("%v %d: %v", c.dt, c.x, err)
		case c.want != "" && fmt.Sprint(rows(t, v)) != c.want:
			t.Errorf("%v %d imports as %v, want %s", c.dt, c.x, rows(t, v), c.want)
		}
		cow.Release(&v)
	}
	// A null row is not read, whatever it holds.
	b := array.NewTime32Builder(mem, s.(*arrow.Time32Type))
	b.AppendValues([]arrow.Time32{1, 999_999}, []bool{true, false})
	a := b.NewArray()
	b.Release()
	v, err := Import(a)
	a.Release()
	if err != nil || fmt.Sprint(rows(t, v)) != "[00:00:01.000 null]" {
		t.Errorf("a null row past a day: %v %v", rows(t, v), err)
	}
	cow.Release(&v)
}

func TestUnsupportedTypesAreNYIWhateverTheLength(t *testing.T) {
	heaptest.Check(t)
	mem := memory.NewGoAllocator()
	ids := array.NewInt8Builder(mem)
	ids.AppendValues([]int8{0, 1}, nil)
	typeIDs := ids.NewArray()
	ids.Release()
	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{1, 2}, nil)
	ints := ib.NewArray()
	ib.Release()
	fb := array.NewFloat64Builder(mem)
	fb.AppendValues([]float64{1.5, 2.5}, nil)
	floats := fb.NewArray()
	fb.Release()
	ob := array.NewInt32Builder(mem)
	ob.AppendValues([]int32{0, 0}, nil)
	offsets := ob.NewArray()
	ob.Release()
	defer typeIDs.Release()
	defer ints.Release()
	defer floats.Release()
	defer offsets.Release()

	sparse, err := array.NewSparseUnionFromArrays(typeIDs, []arrow.Array{ints, floats})
	if err != nil {
		t.Fatal(err)
	}
	defer sparse.Release()
	dense, err := array.NewDenseUnionFromArrays(typeIDs, offsets, []arrow.Array{ints, floats})
	if err != nil {
		t.Fatal(err)
	}
	defer dense.Release()
	arrays := []arrow.Array{sparse, dense}
	for _, elem := range []arrow.DataType{arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int64}), arrow.FixedWidthTypes.MonthInterval} {
		for _, n := range []int{0, 2} {
			lb := array.NewListBuilder(mem, elem)
			for range n {
				lb.AppendNull()
			}
			arrays = append(arrays, lb.NewArray())
			lb.Release()
		}
	}
	for _, a := range arrays {
		if v, err := Import(a); !errors.Is(err, ray.ErrNYI) {
			t.Errorf("%v of %d rows: %v, want ErrNYI", a.DataType(), a.Len(), err)
			cow.Release(&v)
		}
	}
	for _, a := range arrays[2:] {
		a.Release()
	}
}

func TestUnknownCompressionIsRefused(t *testing.T) {
	heaptest.Check(t)
	tbl := must(vec.NewTable())
	defer cow.Release(&tbl)
	col := must(vec.FromSlice(value.I64, []int64{1}))
	defer cow.Release(&col)
	if err := vec.AddColumn(&tbl, "x", col); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteIPCStream(&buf, Compression(99), tbl); !errors.Is(err, ray.ErrDomain) || buf.Len() != 0 {
		t.Errorf("WriteIPCStream with compression 99: %v, %d bytes written", err, buf.Len())
	}
	path := filepath.Join(t.TempDir(), "x.arrow")
	if err := WriteIPCFile(path, Compression(-1), tbl); !errors.Is(err, ray.ErrDomain) {
		t.Errorf("WriteIPCFile with compression -1: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a refused WriteIPCFile left a file: %v", err)
	}
}

// The types other tools write (DuckDB's TINYINT, USMALLINT, UINTEGER,
// UBIGINT and DECIMAL, apache-arrow's int8) widen to the next raygo type
// that holds every value; what does not fit is ErrRange naming the row.
func TestImportWidensNarrowAndUnsignedTypes(t *testing.T) {
	heaptest.Check(t)
	mem := memory.NewGoAllocator()
	check := func(a arrow.Array, want value.Type, rowsWant string) {
		t.Helper()
		defer a.Release()
		v, err := Import(a)
		if err != nil {
			t.Errorf("%v: %v", a.DataType(), err)
			return
		}
		defer cow.Release(&v)
		if v.Type() != want || fmt.Sprint(rows(t, v)) != rowsWant {
			t.Errorf("%v imports as %v %v, want %v %s", a.DataType(), v.Type(), rows(t, v), want, rowsWant)
		}
	}
	i8 := array.NewInt8Builder(mem)
	i8.AppendValues([]int8{-128, 0, 127, 5}, []bool{true, true, true, false})
	check(i8.NewArray(), value.I16, "[-128 0 127 null]")
	i8.Release()
	u16 := array.NewUint16Builder(mem)
	u16.AppendValues([]uint16{0, 65535}, nil)
	check(u16.NewArray(), value.I32, "[0 65535]")
	u16.Release()
	u32 := array.NewUint32Builder(mem)
	u32.AppendValues([]uint32{0, 4294967295}, nil)
	check(u32.NewArray(), value.I64, "[0 4294967295]")
	u32.Release()
	u64 := array.NewUint64Builder(mem)
	u64.AppendValues([]uint64{0, math.MaxInt64, math.MaxUint64}, []bool{true, true, false})
	check(u64.NewArray(), value.I64, "[0 9223372036854775807 null]") // a null row is not read
	u64.Release()
	u64 = array.NewUint64Builder(mem)
	u64.AppendValues([]uint64{1, math.MaxInt64 + 1}, nil)
	big := u64.NewArray()
	u64.Release()
	if _, err := Import(big); !errors.Is(err, ray.ErrRange) || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("uint64 past int64: %v, want ErrRange naming row 1", err)
	}
	big.Release()

	// Decimals read as the float64 nearest their value.
	d18 := &arrow.Decimal128Type{Precision: 18, Scale: 4}
	db := array.NewDecimal128Builder(mem, d18)
	for _, x := range []int64{12345, -1, 999999999999999999, 0} {
		db.Append(decimal128.FromI64(x))
	}
	db.AppendNull()
	check(db.NewArray(), value.F64, "[1.2345 -0.0001 1e+14 0 null]")
	db.Release()
	d38 := &arrow.Decimal128Type{Precision: 38, Scale: 10}
	db = array.NewDecimal128Builder(mem, d38)
	n, _ := decimal128.FromString("12345678901234567890.0123456789", 38, 10)
	db.Append(n)
	db.Append(decimal128.FromI64(-25))
	check(db.NewArray(), value.F64, "[1.2345678901234567e+19 -2.5e-09]")
	db.Release()
	d256 := &arrow.Decimal256Type{Precision: 76, Scale: 2}
	b256 := array.NewDecimal256Builder(mem, d256)
	b256.Append(decimal256.FromI64(-150))
	check(b256.NewArray(), value.F64, "[-1.5]")
	b256.Release()
	for _, c := range []struct {
		v     int64
		scale int32
		want  float64
	}{{1, 1, 0.1}, {3, 1, 0.3}, {7, 22, 7e-22}, {123, -3, 123000}, {1 << 60, 3, 1152921504606846.976}, {-(1 << 60), 30, -1.152921504606846976e-12}} {
		if got := decimalFloat(c.v, c.scale, nil); got != c.want {
			t.Errorf("decimalFloat(%d, %d) = %v, want %v", c.v, c.scale, got, c.want)
		}
	}
}
