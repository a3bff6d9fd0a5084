package ray_test

import (
	"errors"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// A workload that runs into the budget: Pressure turns on before the first
// ErrLimit, a refused write leaves its vector as it was, and once values
// are released the same allocations succeed again.
func TestBudgetRefusesThenRecovers(t *testing.T) {
	heaptest.Check(t)
	_, reserved := heap.Budget()
	old := heap.SetBudget(reserved + 64<<20)
	defer heap.SetBudget(old)
	var vs []value.V
	defer func() {
		for i := range vs {
			cow.Release(&vs[i])
		}
	}()
	pressureFirst := false
	for {
		v, err := vec.FromSlice(value.I64, make([]int64, 1<<17)) // 1 MiB
		if err != nil {
			if !errors.Is(err, ray.ErrLimit) {
				t.Fatalf("past the budget: %v, want ErrLimit", err)
			}
			break
		}
		pressureFirst = pressureFirst || heap.Pressure()
		vs = append(vs, v)
		if len(vs) > 1000 {
			t.Fatal("1000 MiB allocated under a budget of 64 MiB more than was reserved")
		}
	}
	if !pressureFirst {
		t.Error("Pressure was never true before the first ErrLimit")
	}
	before, n := vs[0], vs[0].Len()
	if err := vec.AppendSlice(&vs[0], make([]int64, 1<<22)); !errors.Is(err, ray.ErrLimit) {
		t.Fatalf("growing a vector past the budget: %v, want ErrLimit", err)
	}
	if vs[0] != before || vs[0].Len() != n {
		t.Error("a refused append changed its vector")
	}
	for i := range len(vs) / 2 {
		cow.Release(&vs[i])
	}
	vs = vs[len(vs)/2:]
	for range 8 {
		v, err := vec.FromSlice(value.I64, make([]int64, 1<<17))
		if err != nil {
			t.Fatalf("after releasing half: %v", err)
		}
		vs = append(vs, v)
	}
}
