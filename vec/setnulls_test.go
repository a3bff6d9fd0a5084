package vec

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
)

// SetNulls against a plain-Go model: vectors of several types (inline and
// external null maps, STR, SYM), with nulls already or none, shared or
// sliced, get a random bitmap at a random bit offset; every row's null
// state is then the bitmap's, the values are untouched, and a shared
// original keeps its own nulls.
func TestSetNullsModel(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 400 {
		n := []int{0, 1, 7, 64, 127, 128, 129, 300, 1000}[r.IntN(9)]
		var v value.V
		var err error
		switch r.IntN(3) {
		case 0:
			xs := make([]int64, n)
			for i := range xs {
				xs[i] = int64(i)
			}
			v, err = FromSlice(value.I64, xs)
		case 1:
			xs := make([]string, n)
			for i := range xs {
				xs[i] = fmt.Sprintf("setnulls string %d", i)
			}
			v, err = FromStrings(xs)
		default:
			xs := make([]string, n)
			for i := range xs {
				xs[i] = fmt.Sprintf("setnulls.%d", i%7)
			}
			v, err = FromSyms(xs)
		}
		if err != nil {
			t.Fatal(err)
		}
		before := make([]bool, n)
		for i := range n {
			if r.IntN(5) == 0 {
				before[i] = true
				if err := SetNull(&v, i, true); err != nil {
					t.Fatal(err)
				}
			}
		}
		shared := cow.Retain(v)
		off := r.IntN(20)
		var bits []byte
		want := make([]bool, n)
		switch r.IntN(4) {
		case 0: // nil: no nulls
		case 1: // all clear
			bits = make([]byte, (off+n+7)/8+r.IntN(3))
		default:
			bits = make([]byte, (off+n+7)/8+r.IntN(3))
			for i := range bits {
				bits[i] = byte(r.Uint32())
			}
			for i := range n {
				want[i] = bits[(off+i)>>3]&(1<<((off+i)&7)) != 0
			}
		}
		if err := SetNulls(&v, bits, off); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for i := range n {
			null, _ := IsNull(v, i)
			old, _ := IsNull(shared, i)
			if null != want[i] || old != before[i] {
				t.Fatalf("round %d (%v, %d rows, bit offset %d) row %d: null %v, want %v; the shared original %v, want %v",
					round, v.Type(), n, off, i, null, want[i], old, before[i])
			}
		}
		count := 0
		for _, w := range want {
			if w {
				count++
			}
		}
		if got := NullCount(v); got != count {
			t.Fatalf("round %d: NullCount %d, want %d", round, got, count)
		}
		if err := cow.Check(v); err != nil {
			t.Fatal(err)
		}
		cow.Release(&shared)
		cow.Release(&v)
	}
}

// Bits past the end of the bitmap are not null (as NullBits reports them),
// so one vector's NullBits set another's nulls; a negative offset and a
// value that is not a vector are refused.
func TestSetNullsShortBitmapsAndRefusals(t *testing.T) {
	heaptest.Check(t)
	v, err := FromSlice(value.I64, make([]int64, 300))
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&v)
	if err := SetNulls(&v, []byte{0xFF, 0x01}, 3); err != nil { // rows 0..12 covered
		t.Fatal(err)
	}
	for i := range 300 {
		if null, _ := IsNull(v, i); null != (i < 6) {
			t.Fatalf("row %d: null %v", i, null)
		}
	}
	// A source with inline nulls (16 bytes for 300 rows) copies over.
	src, err := FromSlice(value.I64, make([]int64, 300))
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&src)
	for _, i := range []int{0, 77, 127} {
		if err := SetNull(&src, i, true); err != nil {
			t.Fatal(err)
		}
	}
	bits, off := NullBits(src)
	if err := SetNulls(&v, bits, off); err != nil {
		t.Fatal(err)
	}
	if NullCount(v) != 3 {
		t.Errorf("%d nulls copied, want 3", NullCount(v))
	}
	if err := SetNulls(&v, []byte{1}, -1); !errors.Is(err, ray.ErrRange) {
		t.Errorf("a negative offset: %v", err)
	}
	l, err := ListOf(v)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&l)
	if err := SetNulls(&l, nil, 0); !errors.Is(err, ray.ErrType) {
		t.Errorf("SetNulls of a LIST: %v", err)
	}
}
