package index

import (
	"errors"
	"slices"
	"testing"

	"github.com/raygo/ray/internal/layout"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func TestFailedAttachLeavesTheVectorAsItWas(t *testing.T) {
	heaptest.Check(t)
	xs := make([]int64, 4<<20)
	for i := range xs {
		xs[i] = int64(i * 31 % 1000003)
	}
	for _, shared := range []bool{false, true} {
		v := must(vec.FromSlice(value.I64, xs))
		if err := Attach(&v, Sort); err != nil {
			t.Fatal(err)
		}
		var other value.V
		if shared {
			other = cow.Retain(v)
		}
		orig, rc := v, layout.RC(v)
		_, reserved := heap.Budget()
		old := heap.SetBudget(reserved) // only the heaps' unspent credit is left
		err := Attach(&v, Hash)
		heap.SetBudget(old)
		if !errors.Is(err, ray.ErrLimit) {
			t.Fatalf("shared %v: Attach under a spent budget: %v, want ErrLimit", shared, err)
		}
		if v != orig || layout.RC(v) != rc {
			t.Errorf("shared %v: a failed Attach replaced the vector (rc %d -> %d)", shared, rc, layout.RC(v))
		}
		if info, ok := InfoOf(v); !ok || info.Kind != Sort {
			t.Errorf("shared %v: after a failed Attach the index is %+v, %v; want the sort index", shared, info, ok)
		}
		if order, err := Order(v); err != nil || len(order) != len(xs) {
			t.Errorf("shared %v: the old sort index reads %d rows, %v", shared, len(order), err)
		}
		cow.Release(&other)
		cow.Release(&v)
	}
}

func TestAttachOverAnIndexReadsThroughIt(t *testing.T) {
	heaptest.Check(t)
	v := must(vec.FromStrings([]string{"b", "a long string in the pool", "b", "c"}))
	defer cow.Release(&v)
	if err := vec.SetNull(&v, 3, true); err != nil {
		t.Fatal(err)
	}
	if err := Attach(&v, Sort); err != nil {
		t.Fatal(err)
	}
	if err := Attach(&v, Hash); err != nil { // built while the sort index holds the pool and nulls
		t.Fatal(err)
	}
	if got := collect(LookupBytes(v, []byte("a long string in the pool"))); len(got) != 1 || got[0] != 1 {
		t.Errorf("LookupBytes = %v, want [1]", got)
	}
	if got := collect(LookupBytes(v, []byte("b"))); len(got) != 2 {
		t.Errorf("LookupBytes(b) = %v", got)
	}
	if info, _ := InfoOf(v); info.Keys != 3 {
		t.Errorf("keys %d, want 3 (one row is null)", info.Keys)
	}
}

func TestLookupsSurviveWritesInTheirLoop(t *testing.T) {
	heaptest.Check(t)
	v := must(vec.FromSlice(value.I64, []int64{5, 7, 5, 5}))
	defer cow.Release(&v)
	if err := Attach(&v, Hash); err != nil {
		t.Fatal(err)
	}
	var rows []int
	for r := range collectSeq(Lookup(v, int64(5))) {
		rows = append(rows, r)
		if err := vec.Append(&v, int64(5)); err != nil { // drops v's index: the loop reads it still
			t.Fatal(err)
		}
	}
	if !slices.Equal(rows, []int{3, 2, 0}) || v.Len() != 7 {
		t.Errorf("Lookup rows %v, want [3 2 0]; v has %d rows", rows, v.Len())
	}
	if err := Attach(&v, Hash); err != nil {
		t.Fatal(err)
	}
	var matched [][]uint32
	err := Probe(v, []int64{5, 7}, func(k int, rs []uint32) bool {
		if err := vec.Set(&v, 0, int64(9)); err != nil { // drops the index Probe reads
			t.Fatal(err)
		}
		matched = append(matched, slices.Clone(rs))
		return true
	})
	if err != nil || len(matched) != 2 || !slices.Equal(matched[0], []uint32{6, 5, 4, 3, 2, 0}) || !slices.Equal(matched[1], []uint32{1}) {
		t.Errorf("Probe with writes in match: %v, %v", matched, err)
	}
}

func collectSeq(seq func(func(int) bool), err error) func(func(int) bool) {
	if err != nil {
		panic(err)
	}
	return seq
}

func TestProbeSymsJoinsOnSymbolIDs(t *testing.T) {
	heaptest.Check(t)
	names := []string{"probe.a", "probe.b", "probe.a", "probe.c", "probe.a"}
	v := must(vec.FromSyms(names))
	defer cow.Release(&v)
	if err := vec.SetNull(&v, 4, true); err != nil { // a null row matches nothing
		t.Fatal(err)
	}
	if err := Attach(&v, Hash); err != nil {
		t.Fatal(err)
	}
	a, _ := value.SymID("probe.a")
	c, _ := value.SymID("probe.c")
	missing, err := value.Intern("probe.missing")
	if err != nil {
		t.Fatal(err)
	}
	got := map[int][]uint32{}
	if err := ProbeSyms(v, []int64{c, missing, a}, func(k int, rows []uint32) bool {
		got[k] = slices.Clone(rows)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !slices.Equal(got[0], []uint32{3}) || !slices.Equal(got[2], []uint32{2, 0}) {
		t.Errorf("ProbeSyms matched %v", got)
	}
	i64 := must(vec.FromSlice(value.I64, []int64{1}))
	defer cow.Release(&i64)
	if err := Attach(&i64, Hash); err != nil {
		t.Fatal(err)
	}
	if err := ProbeSyms(i64, []int64{1}, func(int, []uint32) bool { return true }); !errors.Is(err, ray.ErrType) {
		t.Errorf("ProbeSyms on an I64 vector: %v, want ErrType", err)
	}
}
