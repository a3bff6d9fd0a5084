package vec

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
)

// TestSymModel mirrors random SYM operations (by name and by id, slices,
// sharing, concatenation, nulls) on []string, with ids past 255 and 65535
// so that vectors widen in the middle of the sequence.
func TestSymModel(t *testing.T) {
	heaptest.Check(t)
	for value.SymCount() < 70000 {
		if _, err := value.Intern(fmt.Sprintf("symmodel.%d", value.SymCount())); err != nil {
			t.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(5, 5))
	pick := func() string {
		if r.IntN(10) == 0 { // a high id: forces W32
			name, _ := value.SymName(value.SymCount() - 1 - int64(r.IntN(100)))
			return name
		}
		return fmt.Sprintf("symmodel.low.%d", r.IntN(50))
	}
	type m struct {
		v     value.V
		xs    []string
		nulls []bool
	}
	var ms []*m
	check := func(step int, x *m) {
		for i, want := range x.xs {
			got, err := GetSym(x.v, i)
			if err != nil || got != want {
				t.Fatalf("step %d: row %d = %q (%v), model %q", step, i, got, err, want)
			}
			if n, _ := IsNull(x.v, i); n != x.nulls[i] {
				t.Fatalf("step %d: row %d null %v", step, i, n)
			}
		}
		if int(x.v.Len()) != len(x.xs) {
			t.Fatalf("step %d: len %d, model %d", step, x.v.Len(), len(x.xs))
		}
	}
	for step := range 3000 {
		if len(ms) == 0 || r.IntN(15) == 0 {
			ms = append(ms, &m{v: must(New(value.Sym, 0))})
			continue
		}
		x := ms[r.IntN(len(ms))]
		n := len(x.xs)
		switch r.IntN(7) {
		case 0, 1:
			s := pick()
			if err := AppendSym(&x.v, s); err != nil {
				t.Fatal(err)
			}
			x.xs, x.nulls = append(x.xs, s), append(x.nulls, false)
		case 2:
			if n > 0 {
				i, s := r.IntN(n), pick()
				id, _ := value.Intern(s)
				if err := SetSymID(&x.v, i, id); err != nil {
					t.Fatal(err)
				}
				x.xs[i], x.nulls[i] = s, false
			}
		case 3:
			if n > 0 {
				i := r.IntN(n)
				if err := SetNull(&x.v, i, true); err != nil {
					t.Fatal(err)
				}
				x.nulls[i] = true
			}
		case 4:
			off := r.IntN(n + 1)
			ms = append(ms, &m{must(Slice(x.v, off, n-off)), slices.Clone(x.xs[off:]), slices.Clone(x.nulls[off:])})
		case 5:
			ms = append(ms, &m{cow.Retain(x.v), slices.Clone(x.xs), slices.Clone(x.nulls)})
		case 6:
			o, p := ms[r.IntN(len(ms))], ms[r.IntN(len(ms))]
			if r.IntN(2) == 0 {
				ms = append(ms, &m{must(Concat(x.v, o.v)), slices.Concat(x.xs, o.xs), slices.Concat(x.nulls, o.nulls)})
			} else if len(x.xs)+len(o.xs)+len(p.xs) <= 2000 { // three at once, of any widths
				ms = append(ms, &m{must(ConcatAll(x.v, o.v, p.v)), slices.Concat(x.xs, o.xs, p.xs), slices.Concat(x.nulls, o.nulls, p.nulls)})
			}
		}
		check(step, x)
	}
	for _, x := range ms {
		check(-1, x)
		cow.Release(&x.v)
	}
}
