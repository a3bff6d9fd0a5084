package vec

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/value"
)

// TestDictModel mirrors random upserts, lookups and removals on a DICT of
// I64 keys and STR values against a Go map, sharing the dict now and then.
func TestDictModel(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(6, 6))
	keys := must(New(value.I64, 0))
	vals := must(New(value.Str, 0))
	d := must(NewDict(keys, vals))
	cow.Release(&keys)
	cow.Release(&vals)
	model := map[int64]string{}
	var olds []value.V
	var oldModels []map[int64]string
	for step := range 4000 {
		k := int64(r.IntN(300))
		ka := must(value.NewI64(k))
		switch r.IntN(4) {
		case 0, 1:
			s := fmt.Sprintf("value-%d-%d", k, step)
			va := must(value.NewStr(s))
			if err := DictSet(&d, ka, va); err != nil {
				t.Fatal(err)
			}
			cow.Release(&va)
			model[k] = s
		case 2:
			removed, err := DictRemove(&d, ka)
			if _, had := model[k]; err != nil || removed != had {
				t.Fatalf("step %d: DictRemove(%d) = %v, %v; model had %v", step, k, removed, err, had)
			}
			delete(model, k)
		case 3:
			if r.IntN(10) == 0 {
				olds = append(olds, cow.Retain(d))
				snapshot := make(map[int64]string, len(model))
				for a, b := range model {
					snapshot[a] = b
				}
				oldModels = append(oldModels, snapshot)
			}
		}
		v, ok, err := DictGet(d, ka)
		want, had := model[k]
		if err != nil || ok != had {
			t.Fatalf("step %d: DictGet(%d) ok %v (%v), model %v", step, k, ok, err, had)
		}
		if ok {
			if s, _ := value.AsStr(v); s != want {
				t.Fatalf("step %d: DictGet(%d) = %q, model %q", step, k, s, want)
			}
			cow.Release(&v)
		}
		cow.Release(&ka)
		if DictKeys(d).Len() != int64(len(model)) {
			t.Fatalf("step %d: %d keys, model %d", step, DictKeys(d).Len(), len(model))
		}
	}
	// The shared snapshots never changed.
	for i, old := range olds {
		if DictKeys(old).Len() != int64(len(oldModels[i])) {
			t.Fatalf("snapshot %d: %d keys, model %d", i, DictKeys(old).Len(), len(oldModels[i]))
		}
		for k, want := range oldModels[i] {
			ka := must(value.NewI64(k))
			v, ok, _ := DictGet(old, ka)
			if s, _ := value.AsStr(v); !ok || s != want {
				t.Fatalf("snapshot %d: key %d = %q, model %q", i, k, s, want)
			}
			cow.Release(&v)
			cow.Release(&ka)
		}
		checked(t, olds[i])
		cow.Release(&olds[i])
	}
	checked(t, d)
	cow.Release(&d)
	if err := heap.Verify(); err != nil {
		t.Fatal(err)
	}
}
