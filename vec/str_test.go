package vec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

func strs(t *testing.T, v value.V) []string {
	t.Helper()
	out := make([]string, v.Len())
	for i := range out {
		s, err := GetStr(v, i)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = s
	}
	return out
}

// A 12-byte string is inline; a 13-byte one is pooled with
// its first 4 bytes as prefix and the pool's previous length as offset.
func TestStrViewLayout(t *testing.T) {
	heaptest.Check(t)
	v := must(FromStrings([]string{"twelve bytes", "thirteen byte", "x"}))
	defer cow.Release(&v)
	e := func(i int) []byte { return (*[16]byte)(unsafeAdd(layout.BlockData(v), i*16))[:] }
	if n := binary.LittleEndian.Uint32(e(0)); n != 12 || string(e(0)[4:16]) != "twelve bytes" {
		t.Errorf("12-byte string not inline: %q", e(0))
	}
	el := e(1)
	if binary.LittleEndian.Uint32(el) != 13 || string(el[4:8]) != "thir" || binary.LittleEndian.Uint32(el[8:12]) != 0 || binary.LittleEndian.Uint32(el[12:16]) != 0 {
		t.Errorf("13-byte string view: %x", el)
	}
	if pool := layout.Pool(v); pool.IsZero() || pool.Len() != 13 {
		t.Errorf("pool length %d", pool.Len())
	}
	if got := strs(t, v); !slices.Equal(got, []string{"twelve bytes", "thirteen byte", "x"}) {
		t.Errorf("rows %q", got)
	}
	b, err := StrView(v, 1)
	if err != nil || string(b) != "thirteen byte" {
		t.Errorf("StrView = %q, %v", b, err)
	}
	if _, err := GetStr(v, 3); !errors.Is(err, ray.ErrRange) {
		t.Errorf("GetStr(3): %v", err)
	}
	i := must(FromSlice(value.I64, []int64{1}))
	if _, err := GetStr(i, 0); !errors.Is(err, ray.ErrType) {
		t.Errorf("GetStr of an I64 vector: %v", err)
	}
	cow.Release(&i)
}

// ARCHITECTURE.md D24: dead bytes, compaction, and a vector with
// only inline strings loses its pool.
func TestStrCompaction(t *testing.T) {
	heaptest.Check(t)
	long := strings.Repeat("L", 40)
	v := must(FromStrings([]string{long, "short", long + "2"}))
	defer cow.Release(&v)
	if err := SetStr(&v, 0, "now short"); err != nil {
		t.Fatal(err)
	}
	if st, _ := StrPool(v); st.Dead != 40 {
		t.Errorf("dead bytes %d after overwriting a 40-byte string", st.Dead)
	}
	if err := CompactStr(&v); err != nil {
		t.Fatal(err)
	}
	if st, _ := StrPool(v); st.Bytes != 41 || st.Dead != 0 || st.Pooled != 41 {
		t.Errorf("after compaction: %+v", st)
	}
	if got := strs(t, v); !slices.Equal(got, []string{"now short", "short", long + "2"}) {
		t.Errorf("rows after compaction %q", got)
	}
	if err := SetStr(&v, 2, "tiny"); err != nil {
		t.Fatal(err)
	}
	if err := CompactStr(&v); err != nil {
		t.Fatal(err)
	}
	if !layout.Pool(v).IsZero() {
		t.Error("a vector of inline strings kept its pool")
	}
	// A compaction whose pool cannot be allocated fails and changes nothing.
	// (20 MiB: more than a heap keeps in unspent budget credit.)
	huge := strings.Repeat("H", 20<<20)
	w := must(FromStrings([]string{huge, huge}))
	if err := SetStr(&w, 0, "x"); err != nil {
		t.Fatal(err)
	}
	old := heap.SetBudget(0)
	err := CompactStr(&w)
	heap.SetBudget(old)
	if st, _ := StrPool(w); !errors.Is(err, ray.ErrLimit) || st.Dead != 20<<20 {
		t.Errorf("compaction under an exhausted budget: %v, %+v", err, st)
	}
	if got := strs(t, w); !slices.Equal(got, []string{"x", huge}) {
		t.Errorf("rows after a failed compaction %q", got)
	}
	cow.Release(&w)
}

// Concatenation shifts b's pooled offsets by a's pool.
func TestStrConcat(t *testing.T) {
	heaptest.Check(t)
	a := must(FromStrings([]string{"aaaaaaaaaaaaaaaa", "b"}))
	b := must(FromStrings([]string{"cccccccccccccccccc", "dd"}))
	if err := SetNull(&b, 1, true); err != nil {
		t.Fatal(err)
	}
	c := must(Concat(a, b))
	if got := strs(t, c); !slices.Equal(got, []string{"aaaaaaaaaaaaaaaa", "b", "cccccccccccccccccc", "dd"}) {
		t.Errorf("Concat rows %q", got)
	}
	if layout.Pool(c).Len() != layout.Pool(a).Len()+layout.Pool(b).Len() || !mustNull(t, c, 3) || mustNull(t, c, 2) {
		t.Errorf("Concat pool %d, nulls %v", layout.Pool(c).Len(), nullsOf(t, c))
	}
	cow.Release(&a)
	cow.Release(&b)
	cow.Release(&c)
}

// ARCHITECTURE.md D7: STR nulls are always external, leave the pool
// alone, and a null set after a cleared one is visible.
func TestStrNulls(t *testing.T) {
	heaptest.Check(t)
	v := must(FromStrings([]string{"a", strings.Repeat("p", 20), "c"}))
	defer cow.Release(&v)
	pool := layout.Header(v).Aux[1]
	if err := SetNull(&v, 0, true); err != nil {
		t.Fatal(err)
	}
	if !layout.HasNullmap(v) || layout.Header(v).Aux[1] != pool {
		t.Errorf("first STR null: ext %v, pool moved %v", layout.HasNullmap(v), layout.Header(v).Aux[1] != pool)
	}
	if err := SetNull(&v, 0, false); err != nil {
		t.Fatal(err)
	}
	if err := SetNull(&v, 2, true); err != nil {
		t.Fatal(err)
	}
	if !mustNull(t, v, 2) || mustNull(t, v, 0) || !layout.MayHaveNulls(v) {
		t.Errorf("after clear then set: nulls %v", nullsOf(t, v))
	}
	if s, _ := GetStr(v, 1); s != strings.Repeat("p", 20) {
		t.Error("nulls disturbed the pooled string")
	}
}

// TestStrModel mirrors random STR operations, slices and sharing included,
// on []string.
func TestStrModel(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(4, 2))
	type m struct {
		v  value.V
		xs []string
	}
	var ms []*m
	rs := func() string { return strings.Repeat(string(rune('a'+r.IntN(26))), r.IntN(30)) }
	for step := range 3000 {
		if len(ms) == 0 || r.IntN(15) == 0 {
			ms = append(ms, &m{must(New(value.Str, 0)), nil})
			continue
		}
		x := ms[r.IntN(len(ms))]
		switch r.IntN(7) {
		case 0, 1:
			s := rs()
			if err := AppendStr(&x.v, s); err != nil {
				t.Fatal(err)
			}
			x.xs = append(x.xs, s)
		case 2:
			if len(x.xs) > 0 {
				i, s := r.IntN(len(x.xs)), rs()
				if err := SetStr(&x.v, i, s); err != nil {
					t.Fatal(err)
				}
				x.xs[i] = s
			}
		case 3:
			off := r.IntN(len(x.xs) + 1)
			ms = append(ms, &m{must(Slice(x.v, off, len(x.xs)-off)), slices.Clone(x.xs[off:])})
		case 4:
			ms = append(ms, &m{cow.Retain(x.v), slices.Clone(x.xs)})
		case 5:
			if err := CompactStr(&x.v); err != nil {
				t.Fatal(err)
			}
		case 6: // two to four at once: the pools join and offsets shift
			parts := []*m{x}
			for range 1 + r.IntN(3) {
				parts = append(parts, ms[r.IntN(len(ms))])
			}
			var vs []value.V
			var xs []string
			for _, p := range parts {
				vs, xs = append(vs, p.v), append(xs, p.xs...)
			}
			if len(xs) <= 2000 { // joins of joins would grow without bound
				ms = append(ms, &m{must(ConcatAll(vs...)), xs})
			}
		}
		if got := strs(t, x.v); !slices.Equal(got, x.xs) {
			t.Fatalf("step %d: %q, model %q", step, got, x.xs)
		}
	}
	for _, x := range ms {
		if got := strs(t, x.v); !slices.Equal(got, x.xs) {
			t.Fatalf("final: %q, model %q", got, x.xs)
		}
		cow.Release(&x.v)
	}
}

func TestSymVectorsWidenAndSliceAtWidth(t *testing.T) {
	heaptest.Check(t)
	v := must(FromSyms([]string{"vec.sym.a", "vec.sym.b", "vec.sym.a"}))
	defer cow.Release(&v)
	if w := widthOf(v); value.SymCount() <= 256 && w != attrbits.W8 {
		t.Errorf("width %v for small ids", w)
	}
	a, _ := GetSym(v, 0)
	c, _ := GetSym(v, 2)
	if a != "vec.sym.a" || c != a {
		t.Errorf("rows %q %q", a, c)
	}
	// ARCHITECTURE.md D15 (the C runtime stores 300 as 44):
	// an id that does not fit widens the vector.
	for value.SymCount() <= 70000 {
		if _, err := value.Intern(fmt.Sprintf("vec.sym.widen.%d", value.SymCount())); err != nil {
			t.Fatal(err)
		}
	}
	big := value.SymCount() - 1
	before, _ := GetSymID(v, 1)
	if err := AppendSymID(&v, big); err != nil {
		t.Fatal(err)
	}
	if got, _ := GetSymID(v, 3); got != big || widthOf(v) != attrbits.W32 {
		t.Errorf("after appending id %d: read %d at width %v", big, got, widthOf(v))
	}
	if got, _ := GetSymID(v, 1); got != before {
		t.Errorf("widening changed row 1: %d, was %d", got, before)
	}
	if err := AppendSymID(&v, value.SymCount()); !errors.Is(err, ray.ErrRange) {
		t.Errorf("appending an id never interned: %v", err)
	}
	// ARCHITECTURE.md D14: a slice of a narrow vector reads at its width.
	s := must(Slice(v, 1, 3))
	for i := range 3 {
		want, _ := GetSymID(v, i+1)
		if got, _ := GetSymID(s, i); got != want {
			t.Errorf("slice row %d = %d, want %d", i, got, want)
		}
	}
	cow.Release(&s)
	// As in the C runtime, W8 ++ W32 is W32, ids preserved.
	n := must(FromSyms([]string{"vec.sym.b"}))
	cc := must(Concat(n, v))
	if widthOf(cc) != attrbits.W32 || cc.Len() != 5 {
		t.Errorf("concat width %v len %d", widthOf(cc), cc.Len())
	}
	if got, _ := GetSymID(cc, 4); got != big {
		t.Errorf("concat row 4 = %d", got)
	}
	if err := SetSym(&n, 0, "vec.sym.set"); err != nil {
		t.Fatal(err)
	}
	if got, _ := GetSym(n, 0); got != "vec.sym.set" {
		t.Errorf("SetSym: %q", got)
	}
	cow.Release(&n)
	cow.Release(&cc)
}

// FromStringsFunc builds what appending each string builds, with the pool
// allocated once at its size; an at that changes its answers, a panic in
// at, and a negative count leave nothing behind.
func TestFromStringsFunc(t *testing.T) {
	heaptest.Check(t)
	xs := []string{"", "short", "exactly12byt", "thirteen byte", strings.Repeat("long ", 40), "x"}
	v := must(FromStringsFunc(len(xs), func(i int) string { return xs[i] }))
	defer cow.Release(&v)
	if got := strs(t, v); !slices.Equal(got, xs) {
		t.Errorf("rows %q, want %q", got, xs)
	}
	if pooled := len("thirteen byte") + 200; layout.Pool(v).Len() != int64(pooled) || layout.Header(layout.Pool(v)).Word != uint64(pooled) {
		t.Errorf("pool of %d bytes holding %d, want %d", layout.Pool(v).Len(), layout.Header(layout.Pool(v)).Word, pooled)
	}
	sl := must(Slice(v, 3, 1))
	ss, _ := StrPool(sl)
	vs, _ := StrPool(v)
	if ss.Pooled != len("thirteen byte") || vs.Pooled != len("thirteen byte")+200 || ss.Bytes != vs.Bytes {
		t.Errorf("pools: slice %+v, vector %+v", ss, vs)
	}
	if _, err := StrPool(value.NullValue()); !errors.Is(err, ray.ErrType) {
		t.Errorf("StrPool of NULL: %v", err)
	}
	cow.Release(&sl)
	if err := AppendStr(&v, "appended after a bulk build"); err != nil || strs(t, v)[len(xs)] != "appended after a bulk build" {
		t.Errorf("append after: %v", err)
	}
	calls := 0
	growing := func(i int) string { calls++; return strings.Repeat("y", 13+calls) }
	if _, err := FromStringsFunc(3, growing); !errors.Is(err, ray.ErrLength) {
		t.Errorf("an at whose strings grow: %v, want ErrLength", err)
	}
	calls = 0 // the panic comes in the second pass, with the vector built halfway
	func() {
		defer func() { recover() }()
		FromStringsFunc(5, func(i int) string {
			if calls++; i == 3 && calls > 5 {
				panic("at fails")
			}
			return "a string in the pool"
		})
		t.Error("the panic did not reach the caller")
	}()
	if _, err := FromStringsFunc(-1, nil); !errors.Is(err, ray.ErrLength) {
		t.Errorf("-1 rows: %v", err)
	}
	empty := must(FromStringsFunc(0, nil))
	cow.Release(&empty)
}
