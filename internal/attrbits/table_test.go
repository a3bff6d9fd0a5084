package attrbits

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
	Other:          {FlagArena: 0x80},
	Vector:         {FlagSorted: 0x01, FlagUnique: 0x02, FlagHasIndex: 0x08, FlagSlice: 0x10, FlagNullmapExt: 0x20, FlagHasNulls: 0x40, FlagArena: 0x80},
	LinkableVector: {FlagSorted: 0x01, FlagUnique: 0x02, FlagHasLink: 0x04, FlagHasIndex: 0x08, FlagSlice: 0x10, FlagNullmapExt: 0x20, FlagHasNulls: 0x40, FlagArena: 0x80},
	SymVector:      {FlagUnique: 0x04, FlagHasIndex: 0x08, FlagSlice: 0x10, FlagNullmapExt: 0x20, FlagHasNulls: 0x40, FlagArena: 0x80},
	I64Atom:        {FlagGraph: 0x02, FlagHNSW: 0x04, FlagArena: 0x80},
	SymAtom:        {FlagName: 0x20, FlagArena: 0x80},
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
	// 0x04: HAS_LINK on an I64 vector, FlagHNSW on an -I64 atom, nothing on an F64 vector.
	if a := Of(5, 0x04); !a.Has(FlagHasLink) || a.Has(FlagHNSW) || a.Handle() != NoHandle {
		t.Errorf("I64 vector 0x04: %v", a)
	}
	if a := Of(-5, 0x04); a.Has(FlagHasLink) || !a.Has(FlagHNSW) || a.Handle() != UniqueHandle {
		t.Errorf("-I64 atom 0x04: %v", a)
	}
	if a := Of(7, 0x04); a.Has(FlagHasLink) || a.Has(FlagHNSW) {
		t.Errorf("F64 vector 0x04: %v", a)
	}
	// 0x20: NULLMAP_EXT on vectors, NAME on -SYM atoms.
	if a := Of(12, 0x20); !a.Has(FlagNullmapExt) || a.Has(FlagName) {
		t.Errorf("SYM vector 0x20: %v", a)
	}
	if a := Of(-12, 0x20); a.Has(FlagNullmapExt) || !a.Has(FlagName) {
		t.Errorf("-SYM atom 0x20: %v", a)
	}
	// 0x02: a SYM width bit on SYM vectors, GRAPH on -I64 atoms.
	if a := Of(12, 0x02); a.Has(FlagGraph) || a.Handle() != NoHandle {
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
	a, _ := Of(-5, 0).Set(FlagGraph, true)
	if _, err := a.Set(FlagHNSW, true); !errors.Is(err, ray.ErrDomain) {
		t.Errorf("setting FlagHNSW on a GRAPH atom: %v", err)
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
		if got, _ := b.SymWidth(); got != w || !b.Has(FlagHasNulls) || !b.Has(FlagSlice) {
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
	if u := Of(12, 0xFF).Unknown(); u != 0 {
		t.Errorf("SYM vector unknown bits of 0xff = %#x, want none (0x04 is UNIQUE)", u)
	}
	if u := Of(-12, 0xFF).Unknown(); u != 0x5F {
		t.Errorf("-SYM atom unknown bits of 0xff = %#x, want 0x5f", u)
	}
}

// The raw constants the hot paths use are the table's bits.
func TestRawBitsAgreeWithTheTable(t *testing.T) {
	bit := func(tag int8, flag Flag) uint8 {
		t.Helper()
		a, err := Of(tag, 0).Set(flag, true)
		if err != nil {
			t.Fatalf("type %d has no %v: %v", tag, flag, err)
		}
		return a.Raw()
	}
	for _, tags := range [][]int8{tagOf[Vector], tagOf[LinkableVector], tagOf[SymVector]} {
		for _, tag := range tags {
			for flag, want := range map[Flag]uint8{FlagHasIndex: Index, FlagSlice: Slice, FlagNullmapExt: NullmapExt, FlagHasNulls: HasNulls, FlagArena: Arena} {
				if got := bit(tag, flag); got != want {
					t.Errorf("type %d %v: the table says %#x, the constant %#x", tag, flag, got, want)
				}
			}
			sym := tag == 12
			var order uint8
			if !sym {
				order |= bit(tag, FlagSorted)
			}
			order |= bit(tag, FlagUnique)
			if order != OrderBits(sym) {
				t.Errorf("type %d: SORTED|UNIQUE is %#x, OrderBits %#x", tag, order, OrderBits(sym))
			}
		}
	}
	for _, tag := range tagOf[LinkableVector] {
		if got := bit(tag, FlagHasLink); got != Link {
			t.Errorf("type %d HAS_LINK: %#x, constant %#x", tag, got, Link)
		}
	}
	if bit(5, FlagSorted) != Sorted || bit(5, FlagUnique) != Unique || bit(12, FlagUnique) != SymUnique {
		t.Error("SORTED, UNIQUE or the SYM UNIQUE constant disagrees with the table")
	}
	if got := bit(-5, FlagGraph) | bit(-5, FlagHNSW); got != Handles {
		t.Errorf("-I64 handle bits: %#x, constant %#x", got, Handles)
	}
	if w, err := Of(12, 0).SetSymWidth(W64); err != nil || w.Raw() != SymWidth {
		t.Errorf("SYM width W64 is %#x (%v), mask %#x", w.Raw(), err, SymWidth)
	}
}
