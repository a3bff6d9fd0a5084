package vec

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/value"
)

// model is the plain-Go mirror of one vector handle.
type model[T Elem] struct {
	v     value.V
	xs    []T
	nulls []bool
}

func (m *model[T]) check(t *testing.T, step int, op string) {
	t.Helper()
	got, err := Elems[T](m.v)
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

func head[T Elem](xs []T) []T { return xs[:min(len(xs), 8)] }

// TestModel runs random sequences of every operation on vectors of every
// fixed type (shared handles, slices of slices, nulls in and past the
// inline range) against a plain-Go model, checking after every step.
func TestModel(t *testing.T) {
	heaptest.Check(t)
	steps := 60000
	if testing.Short() {
		steps = 6000
	}
	runModel(t, steps, []value.Type{value.I64, value.Timestamp}, func(r *rand.Rand) int64 { return r.Int64() })
	runModel(t, steps/3, []value.Type{value.I32, value.Date, value.Time}, func(r *rand.Rand) int32 { return r.Int32N(1000) })
	runModel(t, steps/3, []value.Type{value.F64}, func(r *rand.Rand) float64 { return r.Float64() })
	runModel(t, steps/3, []value.Type{value.F32}, func(r *rand.Rand) float32 { return r.Float32() })
	runModel(t, steps/3, []value.Type{value.I16}, func(r *rand.Rand) int16 { return int16(r.Int()) })
	runModel(t, steps/3, []value.Type{value.U8}, func(r *rand.Rand) uint8 { return uint8(r.Int()) })
	runModel(t, steps/3, []value.Type{value.Bool}, func(r *rand.Rand) bool { return r.IntN(2) == 0 })
	runModel(t, steps/3, []value.Type{value.GUID}, func(r *rand.Rand) [16]byte { return [16]byte{0: byte(r.Int()), 15: byte(r.Int())} })
}

func runModel[T Elem](t *testing.T, steps int, types []value.Type, gen func(*rand.Rand) T) {
	r := rand.New(rand.NewPCG(9, uint64(len(types))))
	var ms []*model[T]
	add := func(v value.V, xs []T, nulls []bool) {
		ms = append(ms, &model[T]{v, xs, nulls})
	}
	for i := range steps {
		if len(ms) == 0 || r.IntN(20) == 0 {
			typ := types[r.IntN(len(types))]
			n := r.IntN(300)
			xs := make([]T, n)
			for j := range xs {
				xs[j] = gen(r)
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
			x := gen(r)
			if err := Append(&m.v, x); err != nil {
				t.Fatal(err)
			}
			m.xs = append(m.xs, x)
			m.nulls = append(m.nulls, false)
		case 1:
			op = "append many"
			xs := make([]T, r.IntN(200))
			for j := range xs {
				xs[j] = gen(r)
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
			j, x := r.IntN(n), gen(r)
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
			j, x := r.IntN(n+1), gen(r)
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
			if r.IntN(2) == 0 {
				add(must(Concat(m.v, o.v)), slices.Concat(m.xs, o.xs), slices.Concat(m.nulls, o.nulls))
				continue
			}
			// Three or more at once, the same value more than once too.
			parts := []*model[T]{m, o}
			for range 1 + r.IntN(3) {
				if p := ms[r.IntN(len(ms))]; p.v.Type() == m.v.Type() {
					parts = append(parts, p)
				}
			}
			var vs []value.V
			var xs []T
			var nulls []bool
			for _, p := range parts {
				vs, xs, nulls = append(vs, p.v), append(xs, p.xs...), append(nulls, p.nulls...)
			}
			if len(xs) > 2000 {
				continue // joins of joins would grow without bound
			}
			add(must(ConcatAll(vs...)), xs, nulls)
		case 9:
			op = "mutable"
			xs, err := Mutable[T](&m.v)
			if err != nil {
				t.Fatal(err)
			}
			for j := range xs {
				x := gen(r)
				xs[j] = x
				m.xs[j] = x
			}
		case 10:
			op = "release"
			cow.Release(&m.v)
			ms = slices.DeleteFunc(ms, func(x *model[T]) bool { return x == m })
			continue
		}
		m.check(t, i, op)
		if i%2000 == 1999 {
			for _, m := range ms {
				m.check(t, i, "batch")
				checked(t, m.v)
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
