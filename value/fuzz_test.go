package value_test

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
)

// FuzzAtoms builds atoms of every type from arbitrary bytes and checks that
// each gives back exactly what it was given, that copies equal originals,
// and that nothing leaks.
func FuzzAtoms(f *testing.F) {
	f.Add([]byte{}, "")
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, "hello")
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, "\x00\xff")
	f.Fuzz(func(t *testing.T, raw []byte, s string) {
		var b [16]byte
		copy(b[:], raw)
		u := binary.LittleEndian.Uint64(b[:])
		var vs []value.V
		defer func() {
			for i := range vs {
				if err := cow.Check(vs[i]); err != nil {
					t.Error(err)
				}
				cow.Release(&vs[i])
			}
		}()
		add := func(v value.V, err error) value.V {
			if err != nil {
				t.Fatal(err)
			}
			vs = append(vs, v)
			return v
		}
		if x, _ := value.AsI64(add(value.NewI64(int64(u)))); x != int64(u) {
			t.Fatalf("I64 %d -> %d", int64(u), x)
		}
		if x, _ := value.AsI32(add(value.NewI32(int32(u)))); x != int32(u) {
			t.Fatal("I32")
		}
		if x, _ := value.AsI16(add(value.NewI16(int16(u)))); x != int16(u) {
			t.Fatal("I16")
		}
		if x, _ := value.AsF64(add(value.NewF64(math.Float64frombits(u)))); math.Float64bits(x) != u {
			t.Fatal("F64 bits")
		}
		if x, _ := value.AsF32(add(value.NewF32(math.Float32frombits(uint32(u))))); math.Float32bits(x) != uint32(u) {
			t.Fatal("F32 bits")
		}
		if x, _ := value.AsGUID(add(value.NewGUID(b))); x != b {
			t.Fatal("GUID")
		}
		ms := int32(u % value.MillisPerDay)
		if x, _ := value.AsTime(add(value.NewTime(ms))); x != ms {
			t.Fatal("TIME")
		}
		str := add(value.NewStr(s))
		if x, _ := value.AsStr(str); x != s {
			t.Fatalf("STR %q -> %q", s, x)
		}
		c, err := cow.Copy(str)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, c)
		if x, _ := value.AsStr(c); x != s {
			t.Fatalf("copied STR %q -> %q", s, x)
		}
		sym := add(value.NewSym(s))
		id, _ := value.AsSym(sym)
		if name, ok := value.SymName(id); !ok || name != s {
			t.Fatalf("SYM %q -> %q", s, name)
		}
	})
}
