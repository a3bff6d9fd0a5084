package vec

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
)

// model is the plain-Go mirror of one vector handle.
type model struct {
	v     value.V
	xs    []int64
	nulls []bool
}

func (m *model) check(t *testing.T, step int, op string) {
	t.Helper()
	got, err := Elems[int64](m.v)
	if err != nil {
		t.Fatalf("step %d (%s): %v", step, op, err)
	}
	if !slices.Equal(got, m.xs) {
		t.Fatalf("step %d (%s): rows %v, model %v", step, op, head(got), head(m.xs))
	}
	for i, want := range m.nulls {
		if n, _ := IsNull(m.v, i); n != want {
			t.Fatalf("step %d (%s): row %d null %v, model %v", step, op, i, n, want)
		}
	}
	count := 0
	for _, n := range m.nulls {
		if n {
			count++
		}
	}
	if NullCount(m.v) != count {
		t.Fatalf("step %d (%s): NullCount %d, model %d", step, op, NullCount(m.v), count)
	}
}

func head(xs []int64) []int64 { return xs[:min(len(xs), 8)] }

// TestModel runs random sequences of every operation on I64 and TIMESTAMP
// vectors (shared handles, slices of slices, nulls in and past the inline
// range) against a plain-Go model, checking after every step.
func TestModel(t *testing.T) {
	heaptest.Check(t)
	steps := 20000
	if testing.Short() {
		steps = 4000
	}
	r := rand.New(rand.NewPCG(9, 9))
	var ms []*model
	add := func(v value.V, xs []int64, nulls []bool) {
		ms = append(ms, &model{v, xs, nulls})
	}
	for i := range steps {
		if len(ms) == 0 || r.IntN(20) == 0 {
			typ := []value.Type{value.I64, value.Timestamp}[r.IntN(2)]
			n := r.IntN(300)
			xs := make([]int64, n)
			for j := range xs {
				xs[j] = r.Int64()
			}
			add(must(FromSlice(typ, xs)), xs, make([]bool, n))
			continue
		}
		m := ms[r.IntN(len(ms))]
		n := len(m.xs)
		op := ""
		switch r.IntN(11) {
		case 0:
			op = "append"
			x := r.Int64()
			if err := Append(&m.v, x); err != nil {
				t.Fatal(err)
			}
			m.xs = append(m.xs, x)
			m.nulls = append(m.nulls, false)
		case 1:
			op = "append many"
			xs := make([]int64, r.IntN(200))
			for j := range xs {
				xs[j] = int64(j)
			}
			if err := AppendSlice(&m.v, xs); err != nil {
				t.Fatal(err)
			}
			m.xs = append(m.xs, xs...)
			m.nulls = append(m.nulls, make([]bool, len(xs))...)
		case 2:
			op = "set"
			if n == 0 {
				continue
			}
			j, x := r.IntN(n), r.Int64()
			if err := Set(&m.v, j, x); err != nil {
				t.Fatal(err)
			}
			m.xs[j], m.nulls[j] = x, false
		case 3, 4:
			op = "set null"
			if n == 0 {
				continue
			}
			j, null := r.IntN(n), r.IntN(3) != 0
			if err := SetNull(&m.v, j, null); err != nil {
				t.Fatal(err)
			}
			m.nulls[j] = null
		case 5:
			op = "insert"
			j, x := r.IntN(n+1), r.Int64()
			if err := Insert(&m.v, j, x); err != nil {
				t.Fatal(err)
			}
			m.xs = slices.Insert(m.xs, j, x)
			m.nulls = slices.Insert(m.nulls, j, false)
		case 6:
			op = "slice"
			off := r.IntN(n + 1)
			k := r.IntN(n - off + 1)
			add(must(Slice(m.v, off, k)), slices.Clone(m.xs[off:off+k]), slices.Clone(m.nulls[off:off+k]))
		case 7:
			op = "share"
			add(cow.Retain(m.v), slices.Clone(m.xs), slices.Clone(m.nulls))
		case 8:
			op = "concat"
			o := ms[r.IntN(len(ms))]
			if o.v.Type() != m.v.Type() {
				continue
			}
			add(must(Concat(m.v, o.v)), slices.Concat(m.xs, o.xs), slices.Concat(m.nulls, o.nulls))
		case 9:
			op = "mutable"
			xs, err := Mutable[int64](&m.v)
			if err != nil {
				t.Fatal(err)
			}
			for j := range xs {
				xs[j]++
				m.xs[j]++
			}
		case 10:
			op = "release"
			cow.Release(&m.v)
			ms = slices.DeleteFunc(ms, func(x *model) bool { return x == m })
			continue
		}
		m.check(t, i, op)
		if i%2000 == 1999 {
			for _, m := range ms {
				m.check(t, i, "batch")
			}
			if err := heap.Verify(); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, m := range ms {
		cow.Release(&m.v)
	}
}

// TestSharedReadersAndWriters has goroutines read a shared vector while
// others copy-on-write their own references to it. Run with -race.
func TestSharedReadersAndWriters(t *testing.T) {
	heaptest.Check(t)
	xs := make([]int64, 1000)
	for i := range xs {
		xs[i] = int64(i)
	}
	shared := must(FromSlice(value.I64, xs))
	if err := SetNull(&shared, 10, true); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		mine := cow.Retain(shared)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cow.Release(&mine)
			for i := range 200 {
				if g%2 == 0 { // a reader
					ys, err := Elems[int64](mine)
					if err != nil || ys[999] != 999 || !mustNullNoT(mine, 10) {
						t.Error("reader saw a changed vector")
						return
					}
					continue
				}
				if err := Append(&mine, int64(i)); err != nil { // a writer: copies first
					t.Error(err)
					return
				}
				if err := SetNull(&mine, 10, false); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if shared.Len() != 1000 || !mustNullNoT(shared, 10) {
		t.Error("the shared vector changed")
	}
	cow.Release(&shared)
}

func mustNullNoT(v value.V, i int) bool {
	n, _ := IsNull(v, i)
	return n
}
