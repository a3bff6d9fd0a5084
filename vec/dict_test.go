package vec

import (
	"errors"
	"math"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
)

func TestDicts(t *testing.T) {
	heaptest.Check(t)
	keys := must(FromSyms([]string{"dict.a", "dict.b"}))
	vals := must(FromSlice(value.F64, []float64{1.5, 2.5}))
	d := must(NewDict(keys, vals))
	cow.Release(&keys)
	cow.Release(&vals)
	defer cow.Release(&d)

	kb := must(value.NewSym("dict.b"))
	defer cow.Release(&kb)
	v, ok, err := DictGet(d, kb)
	if x, _ := value.AsF64(v); err != nil || !ok || x != 2.5 {
		t.Fatalf("DictGet(b) = %v, %v, %v", v, ok, err)
	}
	cow.Release(&v) // the caller releases what DictGet returns
	kc := must(value.NewSym("dict.c"))
	defer cow.Release(&kc)
	three := must(value.NewF64(3.5))
	defer cow.Release(&three)
	shared := cow.Retain(d)
	if err := DictSet(&d, kc, three); err != nil { // insert, into a copy
		t.Fatal(err)
	}
	if DictKeys(d).Len() != 3 || DictKeys(shared).Len() != 2 {
		t.Errorf("upsert into a shared dict: %d and %d keys", DictKeys(d).Len(), DictKeys(shared).Len())
	}
	cow.Release(&shared)
	if err := DictSet(&d, kb, three); err != nil { // update
		t.Fatal(err)
	}
	if i, ok := DictFind(d, kb); !ok || i != 1 {
		t.Errorf("DictFind(b) = %d, %v", i, ok)
	}
	if x, _ := Get[float64](DictValues(d), 1); x != 3.5 {
		t.Errorf("after update: %v", x)
	}
	wrong := must(value.NewI64(1))
	defer cow.Release(&wrong)
	if err := DictSet(&d, kb, wrong); !errors.Is(err, ray.ErrType) {
		t.Errorf("an I64 value into F64 values: %v", err)
	}
	if removed, err := DictRemove(&d, kb); err != nil || !removed || DictKeys(d).Len() != 2 {
		t.Errorf("DictRemove(b) = %v, %v", removed, err)
	}
	if _, ok := DictFind(d, kb); ok {
		t.Error("b still found after removal")
	}
	one := must(FromSlice(value.I64, []int64{1}))
	if _, err := NewDict(DictKeys(d), one); !errors.Is(err, ray.ErrLength) {
		t.Errorf("NewDict of unequal lengths: %v", err)
	}
	cow.Release(&one)
}

// ARCHITECTURE.md D23: a null key finds only a null slot, removal
// keeps the other keys' null bits; floats compare by value.
func TestDictNullAndFloatKeys(t *testing.T) {
	heaptest.Check(t)
	keys := must(FromSlice(value.F64, []float64{0, 1, math.NaN(), 3}))
	if err := SetNull(&keys, 1, true); err != nil {
		t.Fatal(err)
	}
	if err := SetNull(&keys, 3, true); err != nil {
		t.Fatal(err)
	}
	vals := must(FromStrings([]string{"zero", "null one", "nan", "null three - a long string"}))
	d := must(NewDict(keys, vals))
	cow.Release(&keys)
	cow.Release(&vals)
	defer cow.Release(&d)
	null := must(value.TypedNull(-value.F64))
	defer cow.Release(&null)
	if i, ok := DictFind(d, null); !ok || i != 1 {
		t.Errorf("null key found at %d, %v", i, ok)
	}
	negZero := must(value.NewF64(math.Copysign(0, -1)))
	defer cow.Release(&negZero)
	if i, ok := DictFind(d, negZero); !ok || i != 0 {
		t.Errorf("-0.0 found at %d, %v; want 0.0's row", i, ok)
	}
	nan := must(value.NewF64(math.NaN()))
	defer cow.Release(&nan)
	if _, ok := DictFind(d, nan); ok {
		t.Error("NaN found a key")
	}
	zero := must(value.NewF64(0))
	defer cow.Release(&zero)
	if removed, _ := DictRemove(&d, zero); !removed {
		t.Fatal("removing 0.0")
	}
	k := DictKeys(d)
	if got := nullsOf(t, k); len(got) != 3 || !got[0] || got[1] || !got[2] {
		t.Errorf("key nulls after removal %v, want [true false true]", got)
	}
	if s, _ := GetStr(DictValues(d), 2); s != "null three - a long string" {
		t.Errorf("values after removal: %q", s)
	}
	v, ok, err := DictGet(d, null)
	if s, _ := value.AsStr(v); err != nil || !ok || s != "null one" {
		t.Errorf("DictGet(null) = %v %v %v", v, ok, err)
	}
	cow.Release(&v)
}

func TestRowAtom(t *testing.T) {
	heaptest.Check(t)
	cases := []struct {
		v    value.V
		want string
	}{
		{must(FromSlice(value.I16, []int16{-5})), "-5"},
		{must(FromSlice(value.I32, []int32{-7})), "-7"},
		{must(FromSlice(value.Date, []int32{20784})), "2026-11-27"},
		{must(FromSlice(value.Bool, []bool{true})), "true"},
		{must(FromSlice(value.F32, []float32{1.25})), "1.25"},
		{must(FromStrings([]string{"hello"})), `"hello"`},
	}
	for _, c := range cases {
		a := must(RowAtom(c.v, 0))
		if a.String() != c.want {
			t.Errorf("RowAtom of %v = %s, want %s", c.v.Type(), a, c.want)
		}
		cow.Release(&a)
		cow.Release(&c.v)
	}
}
