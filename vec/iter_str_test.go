package vec

import (
	"fmt"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
)

// AllStr and AllSymIDs against GetStr and GetSymID, on whole vectors and
// slices, across a SYM widening, and stopping early.
func TestAllStrAndSymIDs(t *testing.T) {
	heaptest.Check(t)
	var names []string
	for i := range 300 {
		names = append(names, fmt.Sprintf("iter.sym.%d", i%260)) // 260 symbols: widens past W8
		if i%7 == 0 {
			names[i] = fmt.Sprintf("a string well over twelve bytes %d", i)
		}
	}
	sv, err := FromStrings(names)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&sv)
	yv, err := FromSyms(names)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&yv)
	for _, r := range [][2]int{{0, 300}, {5, 100}, {299, 1}, {10, 0}} {
		s, err := Slice(sv, r[0], r[1])
		if err != nil {
			t.Fatal(err)
		}
		seq, err := AllStr(s)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for i, b := range seq {
			if want, _ := GetStr(s, i); string(b) != want || i != n {
				t.Fatalf("slice %v row %d: %q, want %q", r, i, b, want)
			}
			n++
		}
		if n != r[1] {
			t.Fatalf("slice %v: %d rows, want %d", r, n, r[1])
		}
		cow.Release(&s)

		y, err := Slice(yv, r[0], r[1])
		if err != nil {
			t.Fatal(err)
		}
		ids, err := AllSymIDs(y)
		if err != nil {
			t.Fatal(err)
		}
		n = 0
		for i, id := range ids {
			if want, _ := GetSymID(y, i); id != want {
				t.Fatalf("SYM slice %v row %d: id %d, want %d", r, i, id, want)
			}
			n++
		}
		if n != r[1] {
			t.Fatalf("SYM slice %v: %d rows, want %d", r, n, r[1])
		}
		cow.Release(&y)
	}
	seq, _ := AllStr(sv)
	for i := range seq {
		if i == 3 {
			break
		}
	}
	if _, err := AllStr(yv); err == nil {
		t.Error("AllStr of a SYM vector succeeded")
	}
	iv, _ := FromSlice(value.I64, []int64{1})
	defer cow.Release(&iv)
	if _, err := AllSymIDs(iv); err == nil {
		t.Error("AllSymIDs of an I64 vector succeeded")
	}
}
