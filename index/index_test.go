package index

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
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

// collect gathers the rows of a lookup, and panics (failing the test) on
// its error.
func collect(seq iter.Seq[int], err error) []int {
	if err != nil {
		panic(err)
	}
	var out []int
	for r := range seq {
		out = append(out, r)
	}
	return out
}

// Attach then detach restores bytes 0..15 and the null
// attributes exactly, with no nulls, inline nulls and external nulls, for
// every kind; and nulls read through the index meanwhile.
func TestAttachDetachIsByteExact(t *testing.T) {
	heaptest.Check(t)
	for _, kind := range []Kind{Hash, Sort, Zone, Bloom} {
		for _, nulls := range [][]int{nil, {2, 100}, {2, 300}} {
			xs := make([]int64, 400)
			for i := range xs {
				xs[i] = int64(i % 37)
			}
			v := must(vec.FromSlice(value.I64, xs))
			for _, i := range nulls {
				if err := vec.SetNull(&v, i, true); err != nil {
					t.Fatal(err)
				}
			}
			before := *layout.Header(v)
			if err := Attach(&v, kind); err != nil {
				t.Fatal(err)
			}
			if !attrs.Indexed(v) || layout.HasNullmap(v) || layout.MayHaveNulls(v) != (len(nulls) > 0) {
				t.Errorf("%v %v: attrs while indexed %v", kind, nulls, attrs.Describe(v))
			}
			for _, i := range nulls {
				if null, _ := vec.IsNull(v, i); !null {
					t.Errorf("%v %v: row %d not null through the index", kind, nulls, i)
				}
			}
			if err := Detach(&v); err != nil {
				t.Fatal(err)
			}
			after := *layout.Header(v)
			if after.Aux != before.Aux || after.Attrs != before.Attrs {
				t.Errorf("%v %v: after detach %x/%#x, before %x/%#x", kind, nulls, after.Aux, after.Attrs, before.Aux, before.Attrs)
			}
			cow.Release(&v)
		}
	}
}

// ARCHITECTURE.md D21: checks before any copy.
func TestAttachChecksFirst(t *testing.T) {
	heaptest.Check(t)
	v := must(vec.FromSlice(value.I64, []int64{1, 2, 3}))
	defer cow.Release(&v)
	other := cow.Retain(v)
	defer cow.Release(&other)
	s := must(vec.Slice(v, 0, 2))
	defer cow.Release(&s)
	before := s
	if err := Attach(&s, Hash); !errors.Is(err, ray.ErrType) || s != before {
		t.Errorf("attaching to a slice: %v", err)
	}
	list := must(vec.ListOf())
	defer cow.Release(&list)
	if err := Attach(&list, Zone); err == nil {
		t.Errorf("a zone of a LIST was attached")
	}
	w := cow.Retain(v)
	if err := Attach(&w, Kind(9)); !errors.Is(err, ray.ErrDomain) || w != v {
		t.Errorf("a bad kind: %v (handle replaced %v)", err, w != v)
	}
	// Attaching twice replaces the first index.
	if err := Attach(&w, Hash); err != nil {
		t.Fatal(err)
	}
	if err := Attach(&w, Sort); err != nil {
		t.Fatal(err)
	}
	if info, _ := InfoOf(w); info.Kind != Sort {
		t.Errorf("second attach left a %v index", info.Kind)
	}
	if _, err := Lookup(w, int64(1)); !errors.Is(err, ray.ErrType) {
		t.Errorf("a hash lookup on a sort index: %v", err)
	}
	cow.Release(&w)
}

// Capacities, chains newest first, null rows excluded,
// -0.0 and +0.0 collide, NaN rows never equal.
func TestHashIndex(t *testing.T) {
	heaptest.Check(t)
	for _, tc := range []struct{ n, capacity int }{{0, 8}, {3, 8}, {6, 16}} {
		xs := make([]int64, tc.n)
		for i := range xs {
			xs[i] = int64(i) // distinct: the capacity follows the distinct keys
		}
		v := must(vec.FromSlice(value.I64, xs))
		if err := Attach(&v, Hash); err != nil {
			t.Fatal(err)
		}
		if info, _ := InfoOf(v); info.Capacity != tc.capacity {
			t.Errorf("n=%d: capacity %d, want %d", tc.n, info.Capacity, tc.capacity)
		}
		cow.Release(&v)
	}
	f := must(vec.FromSlice(value.F64, []float64{1, math.Copysign(0, -1), math.NaN(), 0, 1, math.NaN()}))
	defer cow.Release(&f)
	if err := vec.SetNull(&f, 4, true); err != nil {
		t.Fatal(err)
	}
	if err := Attach(&f, Hash); err != nil {
		t.Fatal(err)
	}
	if got := collect(Lookup(f, 0.0)); !slices.Equal(got, []int{3, 1}) {
		t.Errorf("rows of 0.0 = %v, want [3 1] (newest first, -0.0 included)", got)
	}
	if got := collect(Lookup(f, 1.0)); !slices.Equal(got, []int{0}) {
		t.Errorf("rows of 1.0 = %v, want [0] (row 4 is null)", got)
	}
	if got := collect(Lookup(f, math.NaN())); len(got) != 0 {
		t.Errorf("rows of NaN = %v", got)
	}
	if info, _ := InfoOf(f); info.Keys != 3 {
		t.Errorf("keys %d, want 3 (null and NaN rows excluded)", info.Keys)
	}
}

// ARCHITECTURE.md D1: TIME is 4 bytes wide.
func TestTimeIndexReadsFourBytes(t *testing.T) {
	heaptest.Check(t)
	v := must(vec.FromSlice(value.Time, []int32{1000, 2000, 1000, 86399999}))
	defer cow.Release(&v)
	if err := Attach(&v, Hash); err != nil {
		t.Fatal(err)
	}
	if got := collect(Lookup(v, int32(1000))); !slices.Equal(got, []int{2, 0}) {
		t.Errorf("TIME rows of 1000 = %v", got)
	}
	if err := Attach(&v, Zone); err != nil {
		t.Fatal(err)
	}
	if z, _ := ZoneOf(v); z.MinI != 1000 || z.MaxI != 86399999 {
		t.Errorf("TIME zone %+v", z)
	}
}

// TestAgainstBruteForce checks every lookup against a scan on random data
// with duplicates, nulls, NaNs and signed zeros, for several types.
func TestAgainstBruteForce(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(3, 3))
	const n = 3000
	fs := make([]float64, n)
	is := make([]int32, n)
	for i := range n {
		fs[i] = []float64{float64(r.IntN(50)), math.NaN(), math.Copysign(0, -1), 0}[min(r.IntN(20), 3)]
		is[i] = int32(r.IntN(300)) - 150
	}
	fv := must(vec.FromSlice(value.F64, fs))
	iv := must(vec.FromSlice(value.I32, is))
	defer cow.Release(&fv)
	defer cow.Release(&iv)
	nulls := map[int]bool{}
	for range 200 {
		i := r.IntN(n)
		nulls[i] = true
		if err := vec.SetNull(&fv, i, true); err != nil {
			t.Fatal(err)
		}
		if err := vec.SetNull(&iv, i, true); err != nil {
			t.Fatal(err)
		}
	}
	// Hash
	if err := Attach(&iv, Hash); err != nil {
		t.Fatal(err)
	}
	for key := int32(-160); key < 160; key++ {
		var want []int
		for i := n - 1; i >= 0; i-- {
			if !nulls[i] && is[i] == key {
				want = append(want, i)
			}
		}
		if got := collect(Lookup(iv, key)); !slices.Equal(got, want) {
			t.Fatalf("I32 rows of %d: %v, want %v", key, got, want)
		}
	}
	var pairs int
	if err := Probe(iv, []int32{0, 7, 7}, func(k int, rows []uint32) bool {
		for _, row := range rows {
			if is[row] != []int32{0, 7, 7}[k] {
				t.Fatalf("Probe matched row %d (%d) to key %d", row, is[row], k)
			}
			pairs++
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	// Sort + Range
	if err := Attach(&fv, Sort); err != nil {
		t.Fatal(err)
	}
	order, err := Order(fv)
	if err != nil || len(order) != n {
		t.Fatal(err)
	}
	var wantOrder []int
	for i := range n {
		wantOrder = append(wantOrder, i)
	}
	rank := func(i int) (int, float64) {
		switch {
		case nulls[i]:
			return 2, 0
		case fs[i] != fs[i]:
			return 1, 0
		}
		return 0, fs[i]
	}
	sort.SliceStable(wantOrder, func(a, b int) bool {
		ra, fa := rank(wantOrder[a])
		rb, fb := rank(wantOrder[b])
		if ra != rb {
			return ra < rb
		}
		return fa < fb
	})
	for i, r := range order {
		if int(r) != wantOrder[i] {
			t.Fatalf("sort position %d: row %d, want %d", i, r, wantOrder[i])
		}
	}
	got := collect(Range(fv, 10.0, 20.0))
	var want []int
	for _, i := range wantOrder {
		if !nulls[i] && fs[i] >= 10 && fs[i] <= 20 {
			want = append(want, i)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Range [10, 20]: %d rows, want %d", len(got), len(want))
	}
	// Zone
	if err := Attach(&fv, Zone); err != nil {
		t.Fatal(err)
	}
	z, _ := ZoneOf(fv)
	if z.Nulls != len(nulls) || z.Min != 0 || z.Max > 49 {
		t.Errorf("zone %+v", z)
	}
	for _, c := range []struct {
		lo, hi float64
		want   bool
	}{{-10, -1, false}, {-1, 0, true}, {48, 100, z.Max >= 48}, {60, 70, false}} {
		if got, _ := MayOverlap(fv, c.lo, c.hi); got != c.want {
			t.Errorf("MayOverlap(%v, %v) = %v", c.lo, c.hi, got)
		}
	}
	// Bloom: no false negatives.
	if err := Attach(&iv, Bloom); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if ok, _ := MayContain(iv, is[i]); !nulls[i] && !ok {
			t.Fatalf("bloom lost key %d", is[i])
		}
	}
	if info, _ := InfoOf(iv); info.Capacity < 8*info.Keys {
		t.Errorf("bloom of %d keys has %d bits", info.Keys, info.Capacity)
	}
}

// Bloom sizes, as the C runtime chooses them.
func TestBloomSizes(t *testing.T) {
	heaptest.Check(t)
	for _, tc := range []struct{ n, bits int }{{5, 64}, {9, 128}} {
		xs := make([]int64, tc.n)
		for i := range xs {
			xs[i] = int64(i)
		}
		v := must(vec.FromSlice(value.I64, xs))
		if err := Attach(&v, Bloom); err != nil {
			t.Fatal(err)
		}
		if info, _ := InfoOf(v); info.Capacity != tc.bits {
			t.Errorf("%d keys: %d bits, want %d", tc.n, info.Capacity, tc.bits)
		}
		cow.Release(&v)
	}
}

func TestStringAndSymbolKeys(t *testing.T) {
	heaptest.Check(t)
	s := must(vec.FromStrings([]string{"apple", "a much longer string", "apple", "pear"}))
	defer cow.Release(&s)
	if err := Attach(&s, Hash); err != nil {
		t.Fatal(err)
	}
	if got := collect(LookupBytes(s, []byte("apple"))); !slices.Equal(got, []int{2, 0}) {
		t.Errorf("STR rows of apple = %v", got)
	}
	if got := collect(LookupBytes(s, []byte("a much longer string"))); !slices.Equal(got, []int{1}) {
		t.Errorf("STR rows of the long string = %v", got)
	}
	sy := must(vec.FromSyms([]string{"ix.b", "ix.a", "ix.b"}))
	defer cow.Release(&sy)
	if err := Attach(&sy, Hash); err != nil {
		t.Fatal(err)
	}
	if got := collect(LookupSym(sy, "ix.b")); !slices.Equal(got, []int{2, 0}) {
		t.Errorf("SYM rows of ix.b = %v", got)
	}
	if err := Attach(&sy, Sort); err != nil {
		t.Fatal(err)
	}
	if order, _ := Order(sy); fmt.Sprint(order) != "[1 0 2]" {
		t.Errorf("SYM order %v, want by name", order)
	}
}

// Every write drops the index, so no lookup can see stale data; a COW
// copy shares the index and both keep reading nulls.
func TestWritesDropTheIndex(t *testing.T) {
	heaptest.Check(t)
	v := must(vec.FromSlice(value.I64, []int64{5, 6, 7}))
	defer cow.Release(&v)
	if err := vec.SetNull(&v, 0, true); err != nil {
		t.Fatal(err)
	}
	if err := Attach(&v, Hash); err != nil {
		t.Fatal(err)
	}
	w := cow.Retain(v)
	if err := vec.Append(&w, int64(8)); err != nil {
		t.Fatal(err)
	}
	if attrs.Indexed(w) || !attrs.Indexed(v) {
		t.Errorf("after appending to a copy: copy indexed %v, original %v", attrs.Indexed(w), attrs.Indexed(v))
	}
	for _, x := range []value.V{v, w} {
		if null, _ := vec.IsNull(x, 0); !null {
			t.Error("row 0 lost its null")
		}
	}
	cow.Release(&w)
	if err := vec.Set(&v, 1, int64(60)); err != nil {
		t.Fatal(err)
	}
	if _, err := Lookup(v, int64(60)); !errors.Is(err, ray.ErrType) {
		t.Errorf("a lookup after a write: %v (the index must be gone)", err)
	}
}

// columns returns one vector of every indexable type, 300 rows, with nulls
// at rows 5 and 200 (inline and external).
func columns(t *testing.T) []value.V {
	t.Helper()
	n := 300
	is := make([]int64, n)
	for i := range is {
		is[i] = int64(i % 17)
	}
	i32 := make([]int32, n)
	i16 := make([]int16, n)
	u8 := make([]uint8, n)
	bs := make([]bool, n)
	fs := make([]float64, n)
	f32 := make([]float32, n)
	gs := make([][16]byte, n)
	strs := make([]string, n)
	syms := make([]string, n)
	for i := range n {
		i32[i], i16[i], u8[i], bs[i] = int32(i%13), int16(i%11), uint8(i%7), i%3 == 0
		fs[i], f32[i] = float64(i%5)/2, float32(i%5)/2
		gs[i] = [16]byte{byte(i % 9)}
		strs[i] = fmt.Sprintf("value-%d-with-a-long-tail", i%19)
		syms[i] = fmt.Sprintf("ix.col.%d", i%23)
	}
	vs := []value.V{
		must(vec.FromSlice(value.I64, is)), must(vec.FromSlice(value.Timestamp, is)),
		must(vec.FromSlice(value.I32, i32)), must(vec.FromSlice(value.Date, i32)), must(vec.FromSlice(value.Time, i32)),
		must(vec.FromSlice(value.I16, i16)), must(vec.FromSlice(value.U8, u8)), must(vec.FromSlice(value.Bool, bs)),
		must(vec.FromSlice(value.F64, fs)), must(vec.FromSlice(value.F32, f32)), must(vec.FromSlice(value.GUID, gs)),
		must(vec.FromStrings(strs)), must(vec.FromSyms(syms)),
	}
	for i := range vs {
		for _, r := range []int{5, 200} {
			if err := vec.SetNull(&vs[i], r, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	return vs
}

// TestEveryTypeEveryKind attaches every kind to every type and detaches it
// byte-exactly, checking nulls through the index on the way.
func TestEveryTypeEveryKind(t *testing.T) {
	heaptest.Check(t)
	vs := columns(t)
	defer func() {
		for i := range vs {
			cow.Release(&vs[i])
		}
	}()
	for i := range vs {
		for _, kind := range []Kind{Hash, Sort, Zone, Bloom} {
			typ := vs[i].Type()
			before := *layout.Header(vs[i])
			if err := Attach(&vs[i], kind); err != nil {
				t.Fatalf("%v %v: %v", kind, typ, err)
			}
			if info, ok := InfoOf(vs[i]); !ok || info.Kind != kind || info.Rows != 300 {
				t.Errorf("%v %v: info %+v", kind, typ, info)
			}
			for _, r := range []int{5, 200} {
				if null, _ := vec.IsNull(vs[i], r); !null {
					t.Errorf("%v %v: row %d not null through the index", kind, typ, r)
				}
			}
			if err := Detach(&vs[i]); err != nil {
				t.Fatal(err)
			}
			if after := *layout.Header(vs[i]); after.Aux != before.Aux || after.Attrs != before.Attrs {
				t.Errorf("%v %v: detach is not byte-exact", kind, typ)
			}
		}
	}
}

// TestNoStaleIndex runs random writes and lookups on an indexed vector and
// its copies: every lookup either fails (the write dropped the index) or
// agrees with a scan of the current rows.
func TestNoStaleIndex(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(21, 21))
	v := must(vec.FromSlice(value.I64, make([]int64, 50)))
	defer cow.Release(&v)
	var copies []value.V
	defer func() {
		for i := range copies {
			cow.Release(&copies[i])
		}
	}()
	for step := range 3000 {
		switch r.IntN(6) {
		case 0:
			if err := Attach(&v, Hash); err != nil {
				t.Fatal(err)
			}
		case 1:
			if err := vec.Set(&v, r.IntN(int(v.Len())), int64(r.IntN(10))); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := vec.Append(&v, int64(r.IntN(10))); err != nil {
				t.Fatal(err)
			}
		case 3:
			if err := vec.SetNull(&v, r.IntN(int(v.Len())), r.IntN(2) == 0); err != nil {
				t.Fatal(err)
			}
		case 4:
			copies = append(copies, cow.Retain(v))
		case 5:
			key := int64(r.IntN(10))
			seq, err := Lookup(v, key)
			if err != nil {
				continue // no index: the last write dropped it
			}
			got := collect(seq, nil)
			xs, _ := vec.Elems[int64](v)
			var want []int
			for i := len(xs) - 1; i >= 0; i-- {
				if null, _ := vec.IsNull(v, i); !null && xs[i] == key {
					want = append(want, i)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("step %d: rows of %d = %v, a scan says %v", step, key, got, want)
			}
		}
	}
}
