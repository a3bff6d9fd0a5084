package attrs_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/index"
	iheap "github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// mustFor returns a function that fails t on an error and passes the
// value through otherwise.
func mustFor(t *testing.T) func(value.V, error) value.V {
	return func(v value.V, err error) value.V {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func rowsOf(t *testing.T, v value.V) []int64 {
	t.Helper()
	xs, err := vec.Elems[int64](v)
	if err != nil {
		t.Fatal(err)
	}
	return xs
}

func check(t *testing.T, v value.V) {
	t.Helper()
	if err := cow.Check(v); err != nil {
		t.Fatal(err)
	}
}

// Each question answers for what the value is, and false for anything that
// is not a vector.
func TestQuestions(t *testing.T) {
	heaptest.Check(t)
	must := mustFor(t)
	v := must(vec.FromSlice(value.I64, []int64{3, 1, 2}))
	defer cow.Release(&v)
	if attrs.Sorted(v) || attrs.Unique(v) || attrs.Indexed(v) || attrs.IsSlice(v) || attrs.MayHaveNulls(v) || attrs.Linked(v) {
		t.Errorf("a fresh vector answers %q", attrs.Describe(v))
	}
	s := must(vec.Slice(v, 1, 2))
	defer cow.Release(&s)
	if !attrs.IsSlice(s) || attrs.IsSlice(v) {
		t.Error("IsSlice does not tell the slice from its parent")
	}
	if err := vec.SetNull(&v, 0, true); err != nil {
		t.Fatal(err)
	}
	if !attrs.MayHaveNulls(v) || attrs.MayHaveNulls(s) {
		t.Errorf("after a null: vector %v, the slice taken before %v", attrs.MayHaveNulls(v), attrs.MayHaveNulls(s))
	}
	if err := index.Attach(&v, index.Hash); err != nil {
		t.Fatal(err)
	}
	if !attrs.Indexed(v) || !attrs.MayHaveNulls(v) {
		t.Errorf("indexed: %q", attrs.Describe(v))
	}
	for _, tc := range []struct {
		maxID int64
		width int
	}{{0, 1}, {255, 1}, {256, 2}, {70000, 4}, {1 << 40, 8}} {
		if got := vec.SymWidthFor(tc.maxID); got != tc.width {
			t.Errorf("SymWidthFor(%d) = %d, want %d", tc.maxID, got, tc.width)
		}
	}
	sym := must(vec.FromSyms([]string{"attrs.a", "attrs.b"}))
	defer cow.Release(&sym)
	if w, ok := attrs.SymWidth(sym); !ok || w != vec.SymWidthFor(value.SymCount()-1) {
		t.Errorf("SymWidth of a SYM vector = %d, %v", w, ok)
	}
	if _, ok := attrs.SymWidth(v); ok {
		t.Error("an I64 vector reports a SYM width")
	}
	atom := must(value.NewI64(7))
	defer cow.Release(&atom)
	for _, x := range []value.V{{}, atom} {
		if attrs.Sorted(x) || attrs.Unique(x) || attrs.Indexed(x) || attrs.IsSlice(x) || attrs.MayHaveNulls(x) || attrs.Linked(x) {
			t.Errorf("%v answers yes", x.TypeName())
		}
	}
	check(t, v)
}

// A claim travels with the rows (copies, slices) and any write takes it
// off; asserting it on a shared vector copies the vector first, as a write
// would, so the other owner's vector makes no claim.
func TestClaimsTravelWithTheRows(t *testing.T) {
	heaptest.Check(t)
	must := mustFor(t)
	v := must(vec.FromSlice(value.I64, []int64{1, 2, 3, 5, 8}))
	defer cow.Release(&v)
	shared := cow.Retain(v)
	defer cow.Release(&shared)
	if err := attrs.SetSorted(&v); err != nil {
		t.Fatal(err)
	}
	if err := attrs.SetUnique(&v); err != nil {
		t.Fatal(err)
	}
	if v.Same(shared) || attrs.Sorted(shared) || !attrs.Sorted(v) || !attrs.Unique(v) {
		t.Fatalf("asserting on a shared vector: copied %v, other owner sorted %v, mine %q", !v.Same(shared), attrs.Sorted(shared), attrs.Describe(v))
	}
	s := must(vec.Slice(v, 1, 3))
	defer cow.Release(&s)
	c := must(cow.Copy(v))
	defer cow.Release(&c)
	if !attrs.Sorted(s) || !attrs.Unique(s) || !attrs.Sorted(c) || !attrs.Unique(c) {
		t.Errorf("slice %q, copy %q", attrs.Describe(s), attrs.Describe(c))
	}
	check(t, v)
	check(t, s)
	// Every kind of write takes the claims off.
	writes := map[string]func(vp *value.V) error{
		"Append":      func(vp *value.V) error { return vec.Append(vp, int64(100)) },
		"Set":         func(vp *value.V) error { return vec.Set(vp, 0, int64(0)) },
		"Insert":      func(vp *value.V) error { return vec.Insert(vp, 0, int64(0)) },
		"AppendSlice": func(vp *value.V) error { return vec.AppendSlice(vp, []int64{9, 10}) },
		"SetNull":     func(vp *value.V) error { return vec.SetNull(vp, 0, true) },
		"Mutable":     func(vp *value.V) error { _, err := vec.Mutable[int64](vp); return err },
		"Appender": func(vp *value.V) error {
			a, err := vec.NewAppender[int64](vp)
			if err != nil {
				return err
			}
			return a.Append(200)
		},
	}
	for name, write := range writes {
		for _, w := range []value.V{c, s} { // a private vector, a slice
			x := must(cow.Copy(w))
			if err := write(&x); err != nil {
				t.Fatal(name, err)
			}
			if attrs.Sorted(x) || attrs.Unique(x) {
				t.Errorf("%s on a %s left %q", name, map[bool]string{true: "slice", false: "vector"}[attrs.IsSlice(w)], attrs.Describe(x))
			}
			check(t, x)
			cow.Release(&x)
		}
	}
	if !attrs.Sorted(c) || !attrs.Sorted(s) {
		t.Error("writing copies took the claim off the originals")
	}
}

// The setters refuse what cannot be sorted or unique; under the raydebug
// build tag they refuse a false claim, without it cow.Check reports one.
func TestSetters(t *testing.T) {
	heaptest.Check(t)
	must := mustFor(t)
	list := must(vec.NewList(0))
	defer cow.Release(&list)
	sym := must(vec.FromSyms([]string{"attrs.x", "attrs.y"}))
	defer cow.Release(&sym)
	atom := must(value.NewF64(1))
	defer cow.Release(&atom)
	for _, x := range []value.V{{}, list, sym, atom} {
		y := x
		if err := attrs.SetSorted(&y); !errors.Is(err, ray.ErrType) || !y.Same(x) {
			t.Errorf("SetSorted of a %v: %v", x.TypeName(), err)
		}
	}
	for _, x := range []value.V{{}, list, atom} {
		y := x
		if err := attrs.SetUnique(&y); !errors.Is(err, ray.ErrType) || !y.Same(x) {
			t.Errorf("SetUnique of a %v: %v", x.TypeName(), err)
		}
	}
	if err := attrs.SetUnique(&sym); err != nil || !attrs.Unique(sym) || attrs.Sorted(sym) {
		t.Errorf("SetUnique of distinct symbols: %v, %q", err, attrs.Describe(sym))
	}
	check(t, sym)

	for name, build := range map[string]func() (value.V, error){
		"unsorted I64":   func() (value.V, error) { return vec.FromSlice(value.I64, []int64{1, 3, 2}) },
		"F64 with a NaN": func() (value.V, error) { return vec.FromSlice(value.F64, []float64{1, math.NaN(), 2}) },
		"STR out of order": func() (value.V, error) {
			return vec.FromStrings([]string{"b", "a long string past twelve bytes", "c"})
		},
	} {
		v := must(build())
		err := attrs.SetSorted(&v)
		if iheap.Debug {
			if !errors.Is(err, ray.ErrDomain) || attrs.Sorted(v) {
				t.Errorf("%s: SetSorted = %v under raydebug, want ErrDomain", name, err)
			}
		} else if err != nil || !errors.Is(cow.Check(v), ray.ErrCorrupt) {
			t.Errorf("%s: SetSorted = %v, and cow.Check does not report the false claim", name, err)
		}
		cow.Release(&v)
	}
	dup := must(vec.FromSlice(value.I32, []int32{4, 1, 4}))
	defer cow.Release(&dup)
	err := attrs.SetUnique(&dup)
	if iheap.Debug && !errors.Is(err, ray.ErrDomain) || !iheap.Debug && !errors.Is(cow.Check(dup), ray.ErrCorrupt) {
		t.Errorf("a false UNIQUE claim: SetUnique %v, Check %v", err, cow.Check(dup))
	}
}

// A model test: random writes, slices and sorts of an I64 vector and a
// STR vector, against Go slices and a record of what was asserted.
func TestClaimsModel(t *testing.T) {
	heaptest.Check(t)
	must := mustFor(t)
	r := rand.New(rand.NewPCG(27, 5))
	for round := range 40 {
		model := []int64{}
		strs := []string{}
		v := must(vec.New(value.I64, 0))
		s := must(vec.New(value.Str, 0))
		claimed := false
		for step := range 60 {
			switch op := r.IntN(6); op {
			case 0, 1: // append
				x := r.Int64N(50)
				model = append(model, x)
				strs = append(strs, longString(x))
				if err := vec.Append(&v, x); err != nil {
					t.Fatal(err)
				}
				if err := vec.AppendStr(&s, longString(x)); err != nil {
					t.Fatal(err)
				}
				claimed = false
			case 2: // overwrite a row
				if len(model) == 0 {
					continue
				}
				i, x := r.IntN(len(model)), r.Int64N(50)
				model[i], strs[i] = x, longString(x)
				if err := vec.Set(&v, i, x); err != nil {
					t.Fatal(err)
				}
				if err := vec.SetStr(&s, i, longString(x)); err != nil {
					t.Fatal(err)
				}
				claimed = false
			case 3: // sort by hand, then assert
				slices.Sort(model)
				slices.Sort(strs)
				xs, err := vec.Mutable[int64](&v)
				if err != nil {
					t.Fatal(err)
				}
				copy(xs, model)
				for i, x := range strs {
					if err := vec.SetStr(&s, i, x); err != nil {
						t.Fatal(err)
					}
				}
				if err := attrs.SetSorted(&v); err != nil {
					t.Fatal(err)
				}
				if err := attrs.SetSorted(&s); err != nil {
					t.Fatal(err)
				}
				claimed = true
			case 4: // a slice carries the claim
				if len(model) == 0 {
					continue
				}
				off := r.IntN(len(model))
				sl := must(vec.Slice(v, off, len(model)-off))
				if attrs.Sorted(sl) != claimed {
					t.Fatalf("round %d step %d: slice sorted %v, claimed %v", round, step, attrs.Sorted(sl), claimed)
				}
				check(t, sl)
				cow.Release(&sl)
			case 5: // a copy shares the claim, and a write to it does not reach v
				c := must(cow.Copy(v))
				if attrs.Sorted(c) != claimed {
					t.Fatalf("copy sorted %v, claimed %v", attrs.Sorted(c), claimed)
				}
				if err := vec.Append(&c, int64(-1)); err != nil {
					t.Fatal(err)
				}
				if attrs.Sorted(c) {
					t.Fatal("appending to the copy kept its claim")
				}
				cow.Release(&c)
			}
			if attrs.Sorted(v) != claimed || attrs.Sorted(s) != claimed {
				t.Fatalf("round %d step %d: sorted %v/%v, claimed %v", round, step, attrs.Sorted(v), attrs.Sorted(s), claimed)
			}
			if got := rowsOf(t, v); !slices.Equal(got, model) {
				t.Fatalf("round %d step %d: rows %v, model %v", round, step, got, model)
			}
			check(t, v)
			check(t, s)
		}
		if err := heap.Verify(); err != nil {
			t.Fatal(err)
		}
		cow.Release(&v)
		cow.Release(&s)
	}
}

// longString makes strings past the 12 bytes a view holds, whose byte
// order is x's order.
func longString(x int64) string {
	return "a string longer than a view " + string(rune('A'+x/26)) + string(rune('A'+x%26))
}

func ExampleSetSorted() {
	v, _ := vec.FromSlice(value.I64, []int64{30, 10, 20})
	defer cow.Release(&v)
	xs, _ := vec.Mutable[int64](&v)
	slices.Sort(xs)
	_ = attrs.SetSorted(&v) // the engine sorted the rows itself
	head, _ := vec.Slice(v, 0, 2)
	defer cow.Release(&head)
	fmt.Println(attrs.Sorted(v), attrs.Sorted(head))
	_ = vec.Append(&v, int64(5)) // any write takes the claim off
	fmt.Println(attrs.Sorted(v))
	// Output:
	// true true
	// false
}
