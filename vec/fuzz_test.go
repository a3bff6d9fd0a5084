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
			checked(t, m.v)
			checked(t, extra...)
			cow.Release(&m.v)
			for i := range extra {
				cow.Release(&extra[i])
			}
		}()
		for k := 0; k+1 < len(ops); k += 2 {
			op, arg := ops[k]%8, int(ops[k+1])
			n := len(m.xs)
			// Every step compares the whole vector with the model, so the
			// vector stays small: a long input of appends made the checks
			// quadratic and the fuzzer took the slow run for a hang.
			if n > maxFuzzRows && (op == 0 || op == 1 || op == 5) {
				continue
			}
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

// maxFuzzRows bounds the vectors the operation fuzzers grow.
const maxFuzzRows = 1 << 12

type model32 struct {
	v     value.V
	xs    []int32
	nulls []bool
}

// FuzzStrOps drives STR operations from bytes (appends of inline and pooled
// strings, sets, nulls, slices, sharing, compaction) against []string.
func FuzzStrOps(f *testing.F) {
	f.Add([]byte{0, 5, 0, 20, 1, 3, 2, 1, 3, 0, 4, 2, 5, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		v := must(New(value.Str, 0))
		var xs []string
		var nulls []bool
		var extra []value.V
		defer func() {
			checked(t, v)
			checked(t, extra...)
			cow.Release(&v)
			for i := range extra {
				cow.Release(&extra[i])
			}
		}()
		for k := 0; k+1 < len(ops); k += 2 {
			op, arg := ops[k]%6, int(ops[k+1])
			n := len(xs)
			s := string(rune('a'+arg%26)) + string(make([]byte, arg%40))
			switch op {
			case 0:
				if AppendStr(&v, s) != nil {
					t.Fatal("append")
				}
				xs, nulls = append(xs, s), append(nulls, false)
			case 1:
				if n > 0 {
					i := arg % n
					if SetStr(&v, i, s) != nil {
						t.Fatal("set")
					}
					xs[i], nulls[i] = s, false
				}
			case 2:
				if n > 0 {
					i := arg % n
					if SetNull(&v, i, true) != nil {
						t.Fatal("set null")
					}
					nulls[i] = true
				}
			case 3:
				off := arg % (n + 1)
				sl, err := Slice(v, off, n-off)
				if err != nil {
					t.Fatal(err)
				}
				extra = append(extra, v)
				v, xs, nulls = sl, xs[off:], nulls[off:]
			case 4:
				extra = append(extra, cow.Retain(v))
			case 5:
				if CompactStr(&v) != nil {
					t.Fatal("compact")
				}
			}
			for i, want := range xs {
				if got, _ := GetStr(v, i); got != want {
					t.Fatalf("after op %d: row %d = %q, model %q", op, i, got, want)
				}
				if null, _ := IsNull(v, i); null != nulls[i] {
					t.Fatalf("after op %d: row %d null %v", op, i, null)
				}
			}
		}
	})
}
