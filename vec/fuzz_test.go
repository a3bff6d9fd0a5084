package vec

import (
	"slices"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
)

// FuzzOps drives operation sequences from bytes on an I32 vector and its
// slices, against a plain-Go model; any difference, panic or leak fails.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{3, 200, 3, 130, 6, 0, 4, 1, 1, 9, 2})
	f.Fuzz(func(t *testing.T, ops []byte) {
		m := &model32{v: must(New(value.I32, 0))}
		var extra []value.V
		defer func() {
			cow.Release(&m.v)
			for i := range extra {
				cow.Release(&extra[i])
			}
		}()
		for k := 0; k+1 < len(ops); k += 2 {
			op, arg := ops[k]%8, int(ops[k+1])
			n := len(m.xs)
			switch op {
			case 0:
				if Append(&m.v, int32(arg)) != nil {
					t.Fatal("append")
				}
				m.xs = append(m.xs, int32(arg))
				m.nulls = append(m.nulls, false)
			case 1:
				xs := make([]int32, arg)
				if AppendSlice(&m.v, xs) != nil {
					t.Fatal("append slice")
				}
				m.xs = append(m.xs, xs...)
				m.nulls = append(m.nulls, make([]bool, arg)...)
			case 2, 3:
				if n > 0 {
					i := arg * 7 % n
					if SetNull(&m.v, i, op == 2) != nil {
						t.Fatal("set null")
					}
					m.nulls[i] = op == 2
				}
			case 4:
				if n > 0 {
					i := arg % n
					if Set(&m.v, i, int32(-arg)) != nil {
						t.Fatal("set")
					}
					m.xs[i], m.nulls[i] = int32(-arg), false
				}
			case 5:
				i := arg % (n + 1)
				if Insert(&m.v, i, int32(arg)) != nil {
					t.Fatal("insert")
				}
				m.xs = slices.Insert(m.xs, i, int32(arg))
				m.nulls = slices.Insert(m.nulls, i, false)
			case 6: // replace the vector by a slice of itself
				off := arg % (n + 1)
				s, err := Slice(m.v, off, n-off)
				if err != nil {
					t.Fatal(err)
				}
				extra = append(extra, m.v)
				m.v = s
				m.xs, m.nulls = m.xs[off:], m.nulls[off:]
			case 7:
				extra = append(extra, cow.Retain(m.v))
			}
			got, _ := Elems[int32](m.v)
			if !slices.Equal(got, m.xs) {
				t.Fatalf("after op %d: %v, model %v", op, got, m.xs)
			}
			for i, want := range m.nulls {
				if null, _ := IsNull(m.v, i); null != want {
					t.Fatalf("after op %d: row %d null %v, model %v", op, i, null, want)
				}
			}
		}
	})
}

type model32 struct {
	v     value.V
	xs    []int32
	nulls []bool
}
