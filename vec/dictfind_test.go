package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
)

// findKey (DictFind's typed scan) against rowEquals row by row, for keys
// drawn from a second vector of the same type (so some are absent), nulls
// on both sides, NaN and -0.0, and slices.
func TestFindKeyAgainstRowEquals(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(8, 8))
	const n = 200
	build := map[string]func() value.V{
		"I64": func() value.V {
			xs := make([]int64, n)
			for i := range xs {
				xs[i] = int64(r.IntN(50)) - 25
			}
			v, _ := FromSlice(value.I64, xs)
			return v
		},
		"I16": func() value.V {
			xs := make([]int16, n)
			for i := range xs {
				xs[i] = int16(r.IntN(50))
			}
			v, _ := FromSlice(value.I16, xs)
			return v
		},
		"Bool": func() value.V {
			xs := make([]bool, n)
			for i := range xs {
				xs[i] = r.IntN(2) == 0
			}
			v, _ := FromSlice(value.Bool, xs)
			return v
		},
		"F64": func() value.V {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = []float64{1.5, math.NaN(), 0, math.Copysign(0, -1), float64(r.IntN(20))}[r.IntN(5)]
			}
			v, _ := FromSlice(value.F64, xs)
			return v
		},
		"F32": func() value.V {
			xs := make([]float32, n)
			for i := range xs {
				xs[i] = []float32{1.5, float32(math.NaN()), 0, float32(math.Copysign(0, -1)), float32(r.IntN(20))}[r.IntN(5)]
			}
			v, _ := FromSlice(value.F32, xs)
			return v
		},
		"GUID": func() value.V {
			xs := make([][16]byte, n)
			for i := range xs {
				xs[i][r.IntN(16)] = byte(r.IntN(4))
			}
			v, _ := FromSlice(value.GUID, xs)
			return v
		},
		"STR": func() value.V {
			xs := make([]string, n)
			for i := range xs {
				xs[i] = fmt.Sprintf("k%d", r.IntN(40))
				if r.IntN(4) == 0 {
					xs[i] += " and a tail long enough for the pool"
				}
			}
			v, _ := FromStrings(xs)
			return v
		},
		"SYM": func() value.V {
			xs := make([]string, n)
			for i := range xs {
				xs[i] = fmt.Sprintf("findkey.%d", r.IntN(40))
			}
			v, _ := FromSyms(xs)
			return v
		},
	}
	for name, mk := range build {
		t.Run(name, func(t *testing.T) {
			keys, other := mk(), mk()
			defer cow.Release(&keys)
			defer cow.Release(&other)
			for range 20 {
				if err := SetNull(&keys, r.IntN(n), true); err != nil {
					t.Fatal(err)
				}
				if err := SetNull(&other, r.IntN(n), true); err != nil {
					t.Fatal(err)
				}
			}
			s, err := Slice(keys, 30, 100)
			if err != nil {
				t.Fatal(err)
			}
			defer cow.Release(&s)
			for _, kv := range []value.V{keys, s} {
				for i := range n {
					key, err := RowAtom(other, i)
					if err != nil {
						t.Fatal(err)
					}
					want := -1
					for j := range int(kv.Len()) {
						if rowEquals(kv, j, key) {
							want = j
							break
						}
					}
					if got := findKey(kv, key); got != want {
						t.Fatalf("key from row %d: findKey %d, rowEquals %d", i, got, want)
					}
					cow.Release(&key)
				}
			}
		})
	}
}
