package attrs

import (
	"errors"
	"testing"

	"github.com/raygo/ray"
)

// A type tag of each class, as the file format numbers them.
var tagOf = map[Class][]int8{
	Other:          {98, 99, 97, 126, 127, -1, -4, -7, -13, -11},
	Vector:         {0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 13},
	LinkableVector: {4, 5},
	SymVector:      {12},
	I64Atom:        {-5},
	SymAtom:        {-12},
}

// want is ARCHITECTURE.md's attribute table written out cell by cell, independently of bitOf.
var want = map[Class]map[Flag]uint8{
	Other:          {Arena: 0x80},
	Vector:         {HasIndex: 0x08, Slice: 0x10, NullmapExt: 0x20, HasNulls: 0x40, Arena: 0x80},
	LinkableVector: {HasLink: 0x04, HasIndex: 0x08, Slice: 0x10, NullmapExt: 0x20, HasNulls: 0x40, Arena: 0x80},
	SymVector:      {HasIndex: 0x08, Slice: 0x10, NullmapExt: 0x20, HasNulls: 0x40, Arena: 0x80},
	I64Atom:        {Graph: 0x02, HNSW: 0x04, Arena: 0x80},
	SymAtom:        {Name: 0x20, Arena: 0x80},
}

func TestEveryCell(t *testing.T) {
	for class, tags := range tagOf {
		for _, tag := range tags {
			if got := ClassOf(tag); got != class {
				t.Fatalf("ClassOf(%d) = %v, want %v", tag, got, class)
			}
			for flag := Flag(1); flag < numFlags; flag++ {
				bit, meaningful := want[class][flag]
				for b := 0; b < 256; b++ {
					a := Of(tag, uint8(b))
					exp := meaningful && uint8(b)&bit != 0
					if got := a.Has(flag); got != exp {
						t.Fatalf("Of(%d, %#02x).Has(%v) = %v, want %v", tag, b, flag, got, exp)
					}
				}
				// Setting and clearing touch exactly the flag's bit, or fail.
				a := Of(tag, 0)
				set, err := a.Set(flag, true)
				if !meaningful {
					if !errors.Is(err, ray.ErrType) || set != a {
						t.Errorf("Of(%d).Set(%v) = %v, %v; want ErrType and no change", tag, flag, set, err)
					}
					continue
				}
				if err != nil || set.Raw() != bit {
					t.Errorf("Of(%d).Set(%v) = %#02x, %v; want %#02x", tag, flag, set.Raw(), err, bit)
				}
				cleared, err := Of(tag, 0xFF).Set(flag, false)
				if err != nil || cleared.Raw() != 0xFF&^bit {
					t.Errorf("Of(%d, 0xff).Set(%v, false) = %#02x, %v", tag, flag, cleared.Raw(), err)
				}
			}
		}
	}
}

func TestOverlappingBits(t *testing.T) {
	// 0x04: HAS_LINK on an I64 vector, HNSW on an -I64 atom, nothing on an F64 vector.
	if a := Of(5, 0x04); !a.Has(HasLink) || a.Has(HNSW) || a.Handle() != NoHandle {
		t.Errorf("I64 vector 0x04: %v", a)
	}
	if a := Of(-5, 0x04); a.Has(HasLink) || !a.Has(HNSW) || a.Handle() != UniqueHandle {
		t.Errorf("-I64 atom 0x04: %v", a)
	}
	if a := Of(7, 0x04); a.Has(HasLink) || a.Has(HNSW) {
		t.Errorf("F64 vector 0x04: %v", a)
	}
	// 0x20: NULLMAP_EXT on vectors, NAME on -SYM atoms.
	if a := Of(12, 0x20); !a.Has(NullmapExt) || a.Has(Name) {
		t.Errorf("SYM vector 0x20: %v", a)
	}
	if a := Of(-12, 0x20); a.Has(NullmapExt) || !a.Has(Name) {
		t.Errorf("-SYM atom 0x20: %v", a)
	}
	// 0x02: a SYM width bit on SYM vectors, GRAPH on -I64 atoms.
	if a := Of(12, 0x02); a.Has(Graph) || a.Handle() != NoHandle {
		t.Errorf("SYM vector 0x02 reads as a handle: %v", a)
	} else if w, ok := a.SymWidth(); !ok || w != W32 {
		t.Errorf("SYM vector 0x02 width = %v, %v; want W32", w, ok)
	}
	if a := Of(-5, 0x02); a.Handle() != SharedHandle {
		t.Errorf("-I64 atom 0x02: %v", a)
	} else if _, ok := a.SymWidth(); ok {
		t.Error("an -I64 atom reports a SYM width")
	}
	// One handle at a time.
	a, _ := Of(-5, 0).Set(Graph, true)
	if _, err := a.Set(HNSW, true); !errors.Is(err, ray.ErrDomain) {
		t.Errorf("setting HNSW on a GRAPH atom: %v", err)
	}
}

func TestSymWidth(t *testing.T) {
	for _, tc := range []struct {
		max uint64
		w   Width
	}{{0, W8}, {255, W8}, {256, W16}, {65535, W16}, {65536, W32}, {1<<32 - 1, W32}, {1 << 32, W64}} {
		if got := WidthFor(tc.max); got != tc.w {
			t.Errorf("WidthFor(%d) = %v, want %v", tc.max, got, tc.w)
		}
	}
	a := Of(12, 0x40|0x10) // HAS_NULLS | SLICE, width W8
	for w := W8; w <= W64; w++ {
		b, err := a.SetSymWidth(w)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := b.SymWidth(); got != w || !b.Has(HasNulls) || !b.Has(Slice) {
			t.Errorf("SetSymWidth(%v) = %v", w, b)
		}
		if w.Bytes() != 1<<w {
			t.Errorf("%v.Bytes() = %d", w, w.Bytes())
		}
	}
	if _, err := a.SetSymWidth(4); !errors.Is(err, ray.ErrDomain) {
		t.Errorf("SetSymWidth(4) = %v", err)
	}
	if _, err := Of(5, 0).SetSymWidth(W16); !errors.Is(err, ray.ErrType) {
		t.Errorf("SetSymWidth on an I64 vector = %v", err)
	}
}

func TestUnknownBits(t *testing.T) {
	if u := Of(99, 0xFF).Unknown(); u != 0x7F {
		t.Errorf("DICT unknown bits of 0xff = %#x, want 0x7f", u)
	}
	if u := Of(12, 0xFF).Unknown(); u != 0x04 {
		t.Errorf("SYM vector unknown bits of 0xff = %#x, want 0x04 (HAS_LINK is not for SYM)", u)
	}
	if u := Of(5, 0xFF).Unknown(); u != 0x03 {
		t.Errorf("I64 vector unknown bits of 0xff = %#x, want 0x03", u)
	}
}
