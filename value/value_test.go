package value_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

// must returns v, and panics (failing the test) on an error.
func must(v value.V, err error) value.V {
	if err != nil {
		panic(err)
	}
	return v
}

func TestTypeTagsAndClasses(t *testing.T) {
	tags := map[value.Type]int8{value.List: 0, value.Bool: 1, value.U8: 2, value.I16: 3, value.I32: 4, value.I64: 5,
		value.F32: 6, value.F64: 7, value.Date: 8, value.Time: 9, value.Timestamp: 10, value.GUID: 11, value.Sym: 12,
		value.Str: 13, value.Index: 97, value.Table: 98, value.Dict: 99, value.Null: 126, value.Error: 127}
	for typ, n := range tags {
		if int8(typ) != n {
			t.Errorf("%v = %d, want %d", typ, int8(typ), n)
		}
	}
	sizes := map[value.Type]int{value.List: 8, value.Bool: 1, value.U8: 1, value.I16: 2, value.I32: 4, value.I64: 8,
		value.F32: 4, value.F64: 8, value.Date: 4, value.Time: 4, value.Timestamp: 8, value.GUID: 16, value.Sym: 8, value.Str: 16,
		value.Dict: 0, value.Null: 0}
	for typ, n := range sizes {
		if typ.ElemSize() != n {
			t.Errorf("%v.ElemSize() = %d, want %d", typ, typ.ElemSize(), n)
		}
	}
	// attrs knows the tags by number: they must agree.
	for typ, class := range map[value.Type]attrbits.Class{value.I32: attrbits.LinkableVector, value.I64: attrbits.LinkableVector,
		value.Sym: attrbits.SymVector, -value.I64: attrbits.I64Atom, -value.Sym: attrbits.SymAtom, value.F64: attrbits.Vector,
		value.List: attrbits.Vector, value.Str: attrbits.Vector, value.Dict: attrbits.Other, -value.Str: attrbits.Other} {
		if got := attrbits.ClassOf(int8(typ)); got != class {
			t.Errorf("attrbits.ClassOf(%v) = %v, want %v", typ, got, class)
		}
	}
	if !value.Type(-5).IsAtom() || !value.Null.IsAtom() || !value.Error.IsAtom() || value.List.IsAtom() || value.Dict.IsAtom() {
		t.Error("IsAtom")
	}
	if a, ok := value.I64.Atom(); !ok || a != -value.I64 || a.Base() != value.I64 {
		t.Error("Atom/Base")
	}
}

func TestAtomsRoundTrip(t *testing.T) {
	heaptest.Check(t)
	check := func(v value.V, err error, typ value.Type, get func(value.V) (any, error), want any) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer cow.Release(&v)
		if v.Type() != typ || !v.IsAtom() || v.Len() != 1 || layout.RC(v) != 1 {
			t.Fatalf("%v: type %v len %d rc %d", want, v.Type(), v.Len(), layout.RC(v))
		}
		got, err := get(v)
		if err != nil || got != want {
			t.Fatalf("%v atom holds %v (%v), want %v", typ, got, err, want)
		}
		if value.IsNull(v) {
			t.Fatalf("%v atom is null", typ)
		}
	}
	for _, b := range []bool{false, true} {
		v, err := value.NewBool(b)
		check(v, err, -value.Bool, func(v value.V) (any, error) { return value.AsBool(v) }, b)
	}
	for _, x := range []uint8{0, 1, 255} {
		v, err := value.NewU8(x)
		check(v, err, -value.U8, func(v value.V) (any, error) { return value.AsU8(v) }, x)
	}
	for _, x := range []int16{math.MinInt16, -1, 0, math.MaxInt16} {
		v, err := value.NewI16(x)
		check(v, err, -value.I16, func(v value.V) (any, error) { return value.AsI16(v) }, x)
	}
	for _, x := range []int32{math.MinInt32, -1, 0, math.MaxInt32} {
		v, err := value.NewI32(x)
		check(v, err, -value.I32, func(v value.V) (any, error) { return value.AsI32(v) }, x)
		v, err = value.NewDate(x)
		check(v, err, -value.Date, func(v value.V) (any, error) { return value.AsDate(v) }, x)
	}
	for _, x := range []int64{math.MinInt64, -1, 0, math.MaxInt64} {
		v, err := value.NewI64(x)
		check(v, err, -value.I64, func(v value.V) (any, error) { return value.AsI64(v) }, x)
		v, err = value.NewTimestamp(x)
		check(v, err, -value.Timestamp, func(v value.V) (any, error) { return value.AsTimestamp(v) }, x)
	}
	for _, x := range []float32{0, float32(math.Copysign(0, -1)), 1.5, math.MaxFloat32, math.SmallestNonzeroFloat32, float32(math.Inf(-1))} {
		v, err := value.NewF32(x)
		check(v, err, -value.F32, func(v value.V) (any, error) {
			f, err := value.AsF32(v)
			return math.Float32bits(f), err
		}, math.Float32bits(x))
	}
	for _, x := range []float64{0, math.Copysign(0, -1), math.Pi, math.MaxFloat64, math.NaN(), math.Inf(1)} {
		v, err := value.NewF64(x)
		check(v, err, -value.F64, func(v value.V) (any, error) {
			f, err := value.AsF64(v)
			return math.Float64bits(f), err
		}, math.Float64bits(x))
	}
	for _, ms := range []int32{0, 1, value.MillisPerDay - 1} {
		v, err := value.NewTime(ms)
		check(v, err, -value.Time, func(v value.V) (any, error) { return value.AsTime(v) }, ms)
	}
	g := [16]byte{0: 1, 7: 0xff, 15: 9}
	v, err := value.NewGUID(g)
	check(v, err, -value.GUID, func(v value.V) (any, error) { return value.AsGUID(v) }, g)
	for _, s := range []string{"", "a", "seven77", "eight888", strings.Repeat("x", 32), strings.Repeat("y", 33), "nul\x00inside", "\xff\xfe bad utf8", strings.Repeat("long", 1000)} {
		v, err := value.NewStr(s)
		check(v, err, -value.Str, func(v value.V) (any, error) { return value.AsStr(v) }, s)
	}
	v, err = value.NewSym("quickstart.symbol")
	id, _ := value.SymID("quickstart.symbol")
	check(v, err, -value.Sym, func(v value.V) (any, error) { return value.AsSym(v) }, id)
}

func TestStrAtomUsesOneBlock(t *testing.T) {
	heaptest.Check(t)
	before := heap.LiveBlocks()
	v := must(value.NewStr(strings.Repeat("z", 32)))
	if heap.LiveBlocks() != before+1 || heap.HeaderOf(layout.Block(v)).Order() != heap.MinOrder {
		t.Errorf("a 32-byte string took %d blocks, order %d", heap.LiveBlocks()-before, heap.HeaderOf(layout.Block(v)).Order())
	}
	b, _ := value.StrBytes(v)
	if len(b) != 32 || &b[0] != (*byte)(layout.BlockData(v)) {
		t.Error("StrBytes does not view the atom's own data")
	}
	cow.Release(&v)
}

func TestWrongTypeIsErrType(t *testing.T) {
	heaptest.Check(t)
	f := must(value.NewF64(1))
	defer cow.Release(&f)
	if _, err := value.AsI64(f); !errors.Is(err, ray.ErrType) || !strings.Contains(err.Error(), "-F64") {
		t.Errorf("AsI64 of an F64 atom: %v", err)
	}
	if _, err := value.AsStr(value.V{}); !errors.Is(err, ray.ErrType) {
		t.Errorf("AsStr of no value: %v", err)
	}
	if _, err := value.NewTime(-1); !errors.Is(err, ray.ErrDomain) {
		t.Errorf("NewTime(-1): %v", err)
	}
	if _, err := value.NewTime(value.MillisPerDay); !errors.Is(err, ray.ErrDomain) {
		t.Errorf("NewTime(86400000): %v", err)
	}
	if _, err := value.NewSymID(value.SymCount()); !errors.Is(err, ray.ErrRange) {
		t.Errorf("NewSymID(count): %v", err)
	}
}

func TestTypedNulls(t *testing.T) {
	heaptest.Check(t)
	for typ := value.Type(-1); typ >= -value.Str; typ-- {
		v, err := value.TypedNull(typ)
		if err != nil {
			t.Fatalf("TypedNull(%v): %v", typ, err)
		}
		if !value.IsNull(v) || v.Type() != typ || layout.Header(v).Word != 0 || layout.Header(v).Aux[0] != 1 {
			t.Errorf("TypedNull(%v): null %v type %v word %d byte0 %d", typ, value.IsNull(v), v.Type(), layout.Header(v).Word, layout.Header(v).Aux[0])
		}
		cow.Release(&v)
	}
	for _, typ := range []value.Type{value.I64, value.List, value.Dict, value.Null, -14, -100} {
		if _, err := value.TypedNull(typ); !errors.Is(err, ray.ErrType) {
			t.Errorf("TypedNull(%v) = %v, want ErrType", typ, err)
		}
	}
	n := value.NullValue()
	if !value.IsNull(n) || n.Type() != value.Null || !layout.IsArena(n) || n.String() != "null" {
		t.Errorf("NULL singleton: %v %v %v", value.IsNull(n), n.Type(), layout.IsArena(n))
	}
	rc := layout.RC(n)
	cow.Retain(n)
	m := n
	cow.Release(&m)
	cow.Release(&m)
	if layout.RC(n) != rc || m != (value.V{}) {
		t.Error("retain/release touched the NULL singleton")
	}
	if value.IsNull(value.V{}) {
		t.Error("no value is not null")
	}
}

func TestTimeConversions(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		days int32
		ms   int32
	}{
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 0, 0},
		{time.Date(2000, 1, 1, 12, 30, 15, 250e6, time.UTC), 10957, 45015250},
		{time.Date(1969, 12, 31, 23, 59, 59, 999e6, time.UTC), -1, value.MillisPerDay - 1},
		{time.Date(1900, 3, 1, 0, 0, 0, 0, time.FixedZone("x", 3600)), -25509, 82800000}, // 1900-02-28 23:00 UTC,
	} {
		d, err := value.DateOf(tc.t)
		if err != nil || d != tc.days {
			t.Errorf("DateOf(%v) = %d, %v; want %d", tc.t, d, err, tc.days)
		}
		if ms := value.TimeOf(tc.t); ms != tc.ms {
			t.Errorf("TimeOf(%v) = %d, want %d", tc.t, ms, tc.ms)
		}
		u := tc.t.UTC()
		if back := value.DateTime(d); !back.Equal(time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)) {
			t.Errorf("DateTime(%d) = %v", d, back)
		}
		ns, err := value.TimestampOf(tc.t)
		if err != nil || !value.TimestampTime(ns).Equal(tc.t) {
			t.Errorf("TimestampOf(%v) = %d, %v", tc.t, ns, err)
		}
	}
	if value.TimeDuration(1500) != 1500*time.Millisecond {
		t.Error("TimeDuration")
	}
	for _, far := range []time.Time{time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if _, err := value.TimestampOf(far); !errors.Is(err, ray.ErrRange) {
			t.Errorf("TimestampOf(%v) = %v, want ErrRange", far, err)
		}
	}
	if _, err := value.DateOf(time.Date(9999999, 1, 1, 0, 0, 0, 0, time.UTC)); !errors.Is(err, ray.ErrRange) {
		t.Errorf("DateOf(year 9999999) = %v, want ErrRange", err)
	}
}

func TestErrorValues(t *testing.T) {
	heaptest.Check(t)
	v := must(value.NewError(ray.ErrCorrupt, "column x: checksum mismatch"))
	defer cow.Release(&v)
	if v.Type() != value.Error || !v.IsAtom() {
		t.Fatalf("type %v", v.Type())
	}
	err, ok := value.AsError(v)
	if !ok || !errors.Is(err, ray.ErrCorrupt) || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("AsError = %v, %v", err, ok)
	}
	w := must(value.ErrorOf(ray.Errorf(ray.ErrLimit, "op", "too big")))
	defer cow.Release(&w)
	if err, _ := value.AsError(w); !errors.Is(err, ray.ErrLimit) {
		t.Errorf("ErrorOf kept kind? %v", err)
	}
	if err, ok := value.AsError(value.NullValue()); ok || err != nil {
		t.Errorf("AsError(NULL) = %v, %v", err, ok)
	}
	if ray.ErrCorrupt.String() != "corrupt" {
		t.Error("kind code")
	}
}

func TestFormat(t *testing.T) {
	heaptest.Check(t)
	for _, tc := range []struct {
		v    func() (value.V, error)
		want string
	}{
		{func() (value.V, error) { return value.NewI64(-42) }, "-42"},
		{func() (value.V, error) { return value.NewF64(2.5) }, "2.5"},
		{func() (value.V, error) { return value.NewStr("hi") }, `"hi"`},
		{func() (value.V, error) { return value.NewDate(10957) }, "2000-01-01"},
		{func() (value.V, error) { return value.NewTime(45015250) }, "12:30:15.250"},
		{func() (value.V, error) { return value.NewSym("fmt.sym") }, "`fmt.sym"},
		{func() (value.V, error) { return value.TypedNull(-value.F64) }, "null(-F64)"},
	} {
		v := must(tc.v())
		if got := v.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
		cow.Release(&v)
	}
}

// TestHeaderOffsets writes each header field through raw bytes at the C
// runtime's offsets and reads it back through V.
func TestHeaderOffsets(t *testing.T) {
	heaptest.Check(t)
	v := must(value.NewI64(0))
	raw := unsafe.Slice((*byte)(layout.Block(v)), heap.HeaderSize)
	raw[18] = byte(value.Sym) // type
	raw[19] = 0x02 | 0x40     // attrs: W32, HAS_NULLS
	raw[24], raw[25] = 0x34, 0x12
	if v.Type() != value.Sym || v.Len() != 0x1234 || layout.ElemSize(v) != 4 || !layout.MayHaveNulls(v) {
		t.Errorf("read back: type %v len %#x elem %d attrs %v", v.Type(), v.Len(), layout.ElemSize(v), attrs.Describe(v))
	}
	if raw[17] != heap.MinOrder || raw[16] != 0 || raw[20] != 1 || layout.RC(v) != 1 {
		t.Errorf("order byte %d, mmod %d, rc byte %d", raw[17], raw[16], raw[20])
	}
	if uintptr(layout.BlockData(v))-uintptr(layout.Block(v)) != 32 {
		t.Error("data does not start at byte 32")
	}
	raw[18], raw[19] = byte(0xFB), 0 // back to -I64 so that release sees an atom
	cow.Release(&v)
}
