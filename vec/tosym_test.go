package vec

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
)

// ToSym against a plain-Go model: random STR vectors (short and pooled
// strings, nulls, slices, shared) convert to SYM vectors whose names and
// nulls are the STR vector's, at the width their largest id needs, and
// leave the STR vector as it was.
func TestToSymModel(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(9, 9))
	for round := range 200 {
		n := r.IntN(300)
		distinct := 1 + r.IntN(40)
		xs := make([]string, n)
		nulls := make([]bool, n)
		for i := range xs {
			xs[i] = fmt.Sprintf("tosym.%d%s", r.IntN(distinct), strings.Repeat("x", r.IntN(20)))
			nulls[i] = r.IntN(8) == 0
		}
		s, err := FromStrings(xs)
		if err != nil {
			t.Fatal(err)
		}
		for i, null := range nulls {
			if null {
				if err := SetNull(&s, i, true); err != nil {
					t.Fatal(err)
				}
			}
		}
		off := 0
		if n > 0 && r.IntN(2) == 0 { // a slice converts as its rows
			off = r.IntN(n)
			sl, err := Slice(s, off, n-off)
			if err != nil {
				t.Fatal(err)
			}
			cow.Release(&s)
			s = sl
		}
		sym, err := ToSym(s)
		if err != nil {
			t.Fatal(err)
		}
		if sym.Type() != value.Sym || sym.Len() != s.Len() {
			t.Fatalf("round %d: a %v of %d rows from %d", round, sym.Type(), sym.Len(), s.Len())
		}
		for i := range int(s.Len()) {
			null, _ := IsNull(sym, i)
			name, _ := GetSym(sym, i)
			str, _ := GetStr(s, i)
			switch {
			case null != nulls[off+i]:
				t.Fatalf("round %d row %d: null %v, want %v", round, i, null, nulls[off+i])
			case !null && name != xs[off+i]:
				t.Fatalf("round %d row %d: %q, want %q", round, i, name, xs[off+i])
			case null && name != "":
				t.Fatalf("round %d row %d: a null row holds %q", round, i, name)
			case str != xs[off+i]:
				t.Fatalf("round %d row %d: the STR vector now holds %q", round, i, str)
			}
		}
		if err := cow.Check(sym); err != nil {
			t.Fatal(err)
		}
		again, err := ToSym(sym) // SYM stays SYM, shared
		if err != nil || again != sym {
			t.Fatalf("ToSym of a SYM vector: %v", err)
		}
		cow.Release(&again)
		cow.Release(&sym)
		cow.Release(&s)
	}
}

func TestToSymRefusesOtherTypes(t *testing.T) {
	heaptest.Check(t)
	v, err := FromSlice(value.I64, []int64{1})
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&v)
	if _, err := ToSym(v); !errors.Is(err, ray.ErrType) {
		t.Errorf("ToSym of an I64 vector: %v", err)
	}
	if _, err := ToSym(value.V{}); !errors.Is(err, ray.ErrType) {
		t.Errorf("ToSym of no value: %v", err)
	}
}

// FromSymIDs builds at the width its largest id needs, and refuses an id
// that is not interned, naming the row.
func TestFromSymIDs(t *testing.T) {
	heaptest.Check(t)
	for value.SymCount() < 70000 {
		if _, err := value.Intern(fmt.Sprintf("fromsymids.%d", value.SymCount())); err != nil {
			t.Fatal(err)
		}
	}
	for _, ids := range [][]int64{{}, {0, 1, 2}, {3, 300, 5}, {69999, 0, 65536}} {
		v, err := FromSymIDs(ids)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]int64, len(ids))
		if n, err := SymIDs(got, v, 0); err != nil || n != len(ids) || fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Errorf("FromSymIDs(%v) reads %v (%d, %v)", ids, got, n, err)
		}
		if err := cow.Check(v); err != nil {
			t.Error(err)
		}
		cow.Release(&v)
	}
	if _, err := FromSymIDs([]int64{1, value.SymCount()}); !errors.Is(err, ray.ErrRange) || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("an id past the table: %v", err)
	}
}
