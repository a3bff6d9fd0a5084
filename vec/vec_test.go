package vec

import (
	"errors"
	"math"
	"slices"
	"testing"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

func must(v value.V, err error) value.V {
	if err != nil {
		panic(err)
	}
	return v
}

// checked fails t unless every value passes cow.Check; the randomized
// tests and fuzz targets call it beside heap.Verify.
func checked(t testing.TB, vs ...value.V) {
	t.Helper()
	for _, v := range vs {
		if err := cow.Check(v); err != nil {
			t.Error(err)
		}
	}
}

func elems[T Elem](t *testing.T, v value.V) []T {
	t.Helper()
	xs, err := Elems[T](v)
	if err != nil {
		t.Fatal(err)
	}
	return xs
}

func nullsOf(t *testing.T, v value.V) []bool {
	t.Helper()
	out := make([]bool, v.Len())
	for i := range out {
		n, err := IsNull(v, i)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = n
	}
	return out
}

func roundTrip[T Elem](t *testing.T, typ value.Type, xs []T) {
	t.Helper()
	v, err := FromSlice(typ, xs)
	if err != nil {
		t.Fatalf("FromSlice(%v): %v", typ, err)
	}
	defer cow.Release(&v)
	if v.Type() != typ || int(v.Len()) != len(xs) {
		t.Fatalf("%v: type %v len %d", typ, v.Type(), v.Len())
	}
	if got := elems[T](t, v); !slices.Equal(got, xs) {
		t.Fatalf("%v: Elems = %v, want %v", typ, got, xs)
	}
	for i, x := range xs {
		if g, err := Get[T](v, i); err != nil || g != x {
			t.Fatalf("%v: Get(%d) = %v, %v", typ, i, g, err)
		}
	}
}

func TestEveryTypeRoundTrips(t *testing.T) {
	heaptest.Check(t)
	roundTrip(t, value.Bool, []bool{true, false, true})
	roundTrip(t, value.U8, []uint8{0, 1, 255})
	roundTrip(t, value.I16, []int16{math.MinInt16, 0, math.MaxInt16})
	roundTrip(t, value.I32, []int32{math.MinInt32, -1, math.MaxInt32})
	roundTrip(t, value.Date, []int32{-25509, 0, 20784})
	roundTrip(t, value.Time, []int32{0, 45015250, value.MillisPerDay - 1})
	roundTrip(t, value.I64, []int64{math.MinInt64, 0, math.MaxInt64})
	roundTrip(t, value.Timestamp, []int64{-1, 0, 1 << 62})
	roundTrip(t, value.F32, []float32{-0, 1.5, math.MaxFloat32})
	roundTrip(t, value.F64, []float64{math.Inf(-1), math.Pi, math.MaxFloat64})
	roundTrip(t, value.GUID, [][16]byte{{1}, {15: 2}})
	roundTrip(t, value.I64, []int64{})
}

func TestTypeChecks(t *testing.T) {
	heaptest.Check(t)
	v := must(FromSlice(value.I64, []int64{1, 2, 3}))
	defer cow.Release(&v)
	if _, err := Elems[int32](v); !errors.Is(err, ray.ErrType) {
		t.Errorf("[]int32 over an I64 vector: %v", err)
	}
	if _, err := Elems[float64](v); !errors.Is(err, ray.ErrType) {
		t.Errorf("[]float64 over an I64 vector: %v", err)
	}
	if err := Append(&v, int32(4)); !errors.Is(err, ray.ErrType) || v.Len() != 3 {
		t.Errorf("appending an int32 to an I64 vector: %v", err)
	}
	if _, err := FromSlice(value.I64, []int32{1}); !errors.Is(err, ray.ErrType) {
		t.Errorf("FromSlice(I64, []int32): %v", err)
	}
	if _, err := Get[int64](v, 3); !errors.Is(err, ray.ErrRange) {
		t.Errorf("Get(3) of 3 rows: %v", err)
	}
	if err := Set(&v, -1, int64(0)); !errors.Is(err, ray.ErrRange) {
		t.Errorf("Set(-1): %v", err)
	}
	if _, err := New(value.Dict, 1); !errors.Is(err, ray.ErrType) {
		t.Errorf("New(DICT): %v", err)
	}
	if _, err := New(value.I64, -1); !errors.Is(err, ray.ErrRange) {
		t.Errorf("New(-1): %v", err)
	}
	if _, err := New(value.I64, math.MaxInt); !errors.Is(err, ray.ErrLimit) {
		t.Errorf("New(MaxInt): %v", err)
	}
	if _, err := Elems[int64](value.V{}); !errors.Is(err, ray.ErrType) {
		t.Errorf("Elems of no value: %v", err)
	}
}

// The C runtime's capacities across appends to ray_vec_new(I64, 0).
func TestCapacityGrowth(t *testing.T) {
	heaptest.Check(t)
	v := must(New(value.I64, 0))
	defer cow.Release(&v)
	var caps []int
	for i := range 125 {
		if c := Cap(v); len(caps) == 0 || caps[len(caps)-1] != c {
			caps = append(caps, c)
		}
		if err := Append(&v, int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	caps = append(caps, Cap(v))
	if want := []int{4, 12, 28, 60, 124, 252}; !slices.Equal(caps, want) {
		t.Errorf("capacities %v, want %v", caps, want)
	}
	xs := elems[int64](t, v)
	for i, x := range xs {
		if x != int64(i) {
			t.Fatalf("row %d = %d", i, x)
		}
	}
}

// Appending to a vector shared by two owners leaves the
// other owner's contents and length unchanged.
func TestAppendToSharedVector(t *testing.T) {
	heaptest.Check(t)
	v := must(FromSlice(value.I64, []int64{1, 2, 3}))
	w := cow.Retain(v)
	if err := Append(&w, int64(4)); err != nil {
		t.Fatal(err)
	}
	if v.Len() != 3 || w.Len() != 4 || v == w || layout.RC(v) != 1 {
		t.Errorf("after appending to a shared vector: lens %d %d, rc %d", v.Len(), w.Len(), layout.RC(v))
	}
	cow.Release(&v)
	cow.Release(&w)
}

// Slices, and ARCHITECTURE.md D2.
func TestSlices(t *testing.T) {
	heaptest.Check(t)
	v := must(FromSlice(value.I64, []int64{0, 10, 20, 30, 40, 50}))
	if err := SetNull(&v, 3, true); err != nil {
		t.Fatal(err)
	}
	if e, err := Slice(v, 6, 0); err != nil || e.Len() != 0 {
		t.Errorf("empty slice at the end: %v", err)
	} else {
		cow.Release(&e)
	}
	for _, bad := range [][2]int{{7, 0}, {-1, 1}, {2, -1}, {4, 3}} {
		if _, err := Slice(v, bad[0], bad[1]); !errors.Is(err, ray.ErrRange) {
			t.Errorf("Slice(%d, %d): %v", bad[0], bad[1], err)
		}
	}
	s := must(Slice(v, 1, 4))  // 10 20 30 40
	ss := must(Slice(s, 1, 2)) // 20 30
	if layout.Header(ss).Aux[0] != uint64(uintptr(layout.Block(v))) || layout.Header(ss).Aux[1] != 2 {
		t.Errorf("a slice of a slice points at %#x offset %d, not the root", layout.Header(ss).Aux[0], layout.Header(ss).Aux[1])
	}
	if got := elems[int64](t, ss); !slices.Equal(got, []int64{20, 30}) {
		t.Errorf("slice of slice = %v", got)
	}
	// Nulls read through the parent, though the slice has no HAS_NULLS.
	if got := nullsOf(t, ss); !slices.Equal(got, []bool{false, true}) || NullCount(ss) != 1 {
		t.Errorf("slice nulls = %v (count %d)", got, NullCount(ss))
	}
	// Releasing the parent first keeps the data alive.
	cow.Release(&v)
	cow.Release(&s)
	if got := elems[int64](t, ss); !slices.Equal(got, []int64{20, 30}) {
		t.Errorf("after releasing the parent: %v", got)
	}
	cow.Release(&ss)
}

func TestSliceWritesNeverReachTheParent(t *testing.T) {
	heaptest.Check(t)
	v := must(FromSlice(value.I64, []int64{0, 1, 2, 3, 4}))
	defer cow.Release(&v)
	s := must(Slice(v, 1, 2))
	if err := Set(&s, 0, int64(100)); err != nil {
		t.Fatal(err)
	}
	// ARCHITECTURE.md D2: appending to a slice overwrote the parent's next row.
	if err := Append(&s, int64(200)); err != nil {
		t.Fatal(err)
	}
	if err := SetNull(&s, 1, true); err != nil {
		t.Fatal(err)
	}
	if got := elems[int64](t, v); !slices.Equal(got, []int64{0, 1, 2, 3, 4}) || NullCount(v) != 0 {
		t.Errorf("parent after writing the slice: %v, %d nulls", got, NullCount(v))
	}
	if got := elems[int64](t, s); !slices.Equal(got, []int64{100, 2, 200}) || attrs.IsSlice(s) || !mustNull(t, s, 1) {
		t.Errorf("materialised slice: %v", got)
	}
	cow.Release(&s)
}

func mustNull(t *testing.T, v value.V, i int) bool {
	n, err := IsNull(v, i)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Null maps, and ARCHITECTURE.md D6.
func TestNullMaps(t *testing.T) {
	heaptest.Check(t)
	xs := make([]int64, 300)
	v := must(FromSlice(value.I64, xs))
	defer cow.Release(&v)
	for _, i := range []int{0, 5, 64, 127} {
		if err := SetNull(&v, i, true); err != nil {
			t.Fatal(err)
		}
	}
	if layout.HasNullmap(v) {
		t.Error("nulls below row 128 went external")
	}
	inline := layout.Header(v).Aux
	if err := SetNull(&v, 128, true); err != nil {
		t.Fatal(err)
	}
	if !layout.HasNullmap(v) {
		t.Fatal("a null at row 128 did not promote the map")
	}
	m := layout.FromPointer(ptrOf(layout.Header(v).Aux[0]))
	mb := elems[uint8](t, m)
	if len(mb) < 38 || mb[0] != byte(inline[0]) || mb[8] != byte(inline[1]) || mb[16] != 1 {
		t.Errorf("external map: %d bytes, first %x, want the inline bytes then row 128", len(mb), mb[:17])
	}
	if NullCount(v) != 5 {
		t.Errorf("NullCount = %d, want 5", NullCount(v))
	}
	// Rows past the map's bytes read as not null.
	for range 100 {
		if err := Append(&v, int64(1)); err != nil {
			t.Fatal(err)
		}
	}
	if mustNull(t, v, 399) {
		t.Error("a row past the external map reads as null")
	}
	// D6: the external map is copied on write.
	w := cow.Retain(v)
	if err := SetNull(&w, 200, true); err != nil {
		t.Fatal(err)
	}
	if mustNull(t, v, 200) || !mustNull(t, w, 200) {
		t.Error("setting a null in a copy changed the original")
	}
	cow.Release(&w)
	// As in the C runtime, clearing the last null leaves HAS_NULLS set.
	for _, i := range []int{0, 5, 64, 127, 128} {
		if err := SetNull(&v, i, false); err != nil {
			t.Fatal(err)
		}
	}
	if NullCount(v) != 0 || !layout.MayHaveNulls(v) {
		t.Errorf("after clearing every null: count %d, HAS_NULLS %v", NullCount(v), layout.MayHaveNulls(v))
	}
	if err := SetNull(&v, 1000, true); !errors.Is(err, ray.ErrRange) {
		t.Errorf("SetNull past the end: %v", err)
	}
}

func TestInsertAndConcatCarryNulls(t *testing.T) {
	heaptest.Check(t)
	v := must(FromSlice(value.F64, []float64{0, 1, 2, 3}))
	defer cow.Release(&v)
	if err := SetNull(&v, 2, true); err != nil {
		t.Fatal(err)
	}
	if err := Insert(&v, 1, 0.5); err != nil {
		t.Fatal(err)
	}
	if got := elems[float64](t, v); !slices.Equal(got, []float64{0, 0.5, 1, 2, 3}) {
		t.Errorf("after Insert: %v", got)
	}
	if got := nullsOf(t, v); !slices.Equal(got, []bool{false, false, false, true, false}) {
		t.Errorf("nulls after Insert: %v", got)
	}
	if err := Insert(&v, 6, 9.0); !errors.Is(err, ray.ErrRange) {
		t.Errorf("Insert past the end: %v", err)
	}
	w := must(FromSlice(value.F64, []float64{7, 8}))
	if err := SetNull(&w, 0, true); err != nil {
		t.Fatal(err)
	}
	c := must(Concat(v, w))
	if got := elems[float64](t, c); !slices.Equal(got, []float64{0, 0.5, 1, 2, 3, 7, 8}) {
		t.Errorf("Concat = %v", got)
	}
	if got := nullsOf(t, c); !slices.Equal(got, []bool{false, false, false, true, false, true, false}) {
		t.Errorf("Concat nulls = %v", got)
	}
	i := must(FromSlice(value.I64, []int64{1}))
	if _, err := Concat(v, i); !errors.Is(err, ray.ErrType) {
		t.Errorf("Concat(F64, I64): %v", err)
	}
	cow.Release(&i)
	cow.Release(&w)
	cow.Release(&c)
}

func TestIterators(t *testing.T) {
	heaptest.Check(t)
	v := must(FromSlice(value.I32, []int32{5, 6, 7}))
	defer cow.Release(&v)
	if err := SetNull(&v, 1, true); err != nil {
		t.Fatal(err)
	}
	seq, err := All[int32](v)
	if err != nil {
		t.Fatal(err)
	}
	var sum int32
	for i, x := range seq {
		sum += x * int32(i+1)
	}
	if sum != 5+12+21 {
		t.Errorf("All: sum %d", sum)
	}
	nseq, _ := AllNullable[int32](v)
	var valid []int32
	for _, x := range nseq {
		if !x.Null {
			valid = append(valid, x.Value)
		}
	}
	if !slices.Equal(valid, []int32{5, 7}) {
		t.Errorf("AllNullable valid rows = %v", valid)
	}
	if _, err := All[int64](v); !errors.Is(err, ray.ErrType) {
		t.Errorf("All[int64] over I32: %v", err)
	}
}

func TestMutableCopiesShared(t *testing.T) {
	heaptest.Check(t)
	v := must(FromSlice(value.U8, []uint8{1, 2, 3}))
	w := cow.Retain(v)
	xs, err := Mutable[uint8](&w)
	if err != nil {
		t.Fatal(err)
	}
	xs[0] = 9
	if elems[uint8](t, v)[0] != 1 || elems[uint8](t, w)[0] != 9 {
		t.Error("Mutable wrote into a shared vector")
	}
	cow.Release(&v)
	cow.Release(&w)
}

func TestGrowthInPlace(t *testing.T) {
	heaptest.Check(t)
	v := must(New(value.I64, 0))
	defer cow.Release(&v)
	for i := range 100000 {
		if err := Append(&v, int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := AppendSlice(&v, []int64{-1, -2}); err != nil {
		t.Fatal(err)
	}
	xs := elems[int64](t, v)
	if len(xs) != 100002 || xs[99999] != 99999 || xs[100001] != -2 {
		t.Errorf("after 100002 appends: len %d", len(xs))
	}
	if heap.HeaderOf(layout.Block(v)).Order() < 20 {
		t.Errorf("order %d for 800 KB", heap.HeaderOf(layout.Block(v)).Order())
	}
}

func TestAppender(t *testing.T) {
	heaptest.Check(t)
	v := must(FromSlice(value.I64, []int64{-1}))
	other := cow.Retain(v) // shared: the Appender must copy first
	a, err := NewAppender[int64](&v)
	if err != nil {
		t.Fatal(err)
	}
	for i := range int64(5000) {
		if err := a.Append(i); err != nil {
			t.Fatal(err)
		}
		if i == 10 && v.Len() != 12 {
			t.Fatalf("length not kept up to date: %d", v.Len())
		}
	}
	xs := elems[int64](t, v)
	if len(xs) != 5001 || xs[0] != -1 || xs[5000] != 4999 || a.Len() != 5001 || other.Len() != 1 {
		t.Errorf("after 5000 appends: len %d, other %d", len(xs), other.Len())
	}
	if _, err := NewAppender[float64](&v); !errors.Is(err, ray.ErrType) {
		t.Errorf("an F64 appender on an I64 vector: %v", err)
	}
	cow.Release(&other)
	cow.Release(&v)
}

func unsafeAdd(p unsafe.Pointer, n int) unsafe.Pointer { return unsafe.Add(p, n) }

// ARCHITECTURE.md D3: the C runtime's copy of a slice read len × size bytes
// from the slice's header-only block. A copy of a slice is a slice of the
// same parent, which it retains.
func TestCopyOfASliceHoldsItsRows(t *testing.T) {
	heaptest.Check(t)
	v := must(FromSlice(value.I64, []int64{1, 2, 3, 4}))
	s := must(Slice(v, 1, 2))
	c, err := cow.Copy(s)
	if err != nil {
		t.Fatal(err)
	}
	if !attrs.IsSlice(c) || layout.RC(v) != 3 || heap.Cap(layout.Block(c)) > 32 {
		t.Errorf("copy of a slice: slice %v, parent rc %d", attrs.IsSlice(c), layout.RC(v))
	}
	if got := elems[int64](t, c); !slices.Equal(got, []int64{2, 3}) {
		t.Errorf("copy of a slice reads %v", got)
	}
	for _, x := range []*value.V{&c, &s, &v} {
		cow.Release(x)
	}
}
