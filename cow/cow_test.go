package cow

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

// Package vec does not exist yet, so these tests lay values out by hand,
// following internal/layout.

func block(t *testing.T, typ value.Type, data uintptr, length uint64) value.V {
	t.Helper()
	p, err := heap.Alloc(data)
	if err != nil {
		t.Fatal(err)
	}
	h := heap.HeaderOf(p)
	h.Type = int8(typ)
	h.Word = length
	return layout.FromPointer(p)
}

func addr(v value.V) uint64 { return uint64(uintptr(layout.Block(v))) }

func i64s(t *testing.T, xs ...int64) value.V {
	v := block(t, value.I64, uintptr(8*len(xs)), uint64(len(xs)))
	copy(unsafe.Slice((*int64)(layout.BlockData(v)), len(xs)), xs)
	return v
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), want) {
			t.Fatalf("panic %v, want one containing %q", r, want)
		}
	}()
	f()
}

func TestCowOfSoleOwnerIsInPlace(t *testing.T) {
	heaptest.Check(t)
	v := i64s(t, 1, 2, 3)
	orig := v
	if err := Cow(&v); err != nil || v != orig {
		t.Fatalf("Cow of rc 1: %v, moved %v", err, v != orig)
	}
	Release(&v)
	if !v.IsZero() {
		t.Error("Release did not zero the handle")
	}
}

func TestCowOfSharedValueCopies(t *testing.T) {
	heaptest.Check(t)
	v := i64s(t, 1, 2, 3)
	other := Retain(v)
	if layout.RC(v) != 2 {
		t.Fatalf("rc after Retain = %d", layout.RC(v))
	}
	if err := Cow(&v); err != nil {
		t.Fatal(err)
	}
	if v == other || layout.RC(v) != 1 || layout.RC(other) != 1 {
		t.Fatalf("after Cow: same %v, rc %d and %d", v == other, layout.RC(v), layout.RC(other))
	}
	unsafe.Slice((*int64)(layout.BlockData(v)), 3)[0] = 99
	if got := unsafe.Slice((*int64)(layout.BlockData(other)), 3); got[0] != 1 || got[2] != 3 {
		t.Errorf("writing the copy changed the original: %v", got)
	}
	if v.Len() != 3 || v.Type() != value.I64 {
		t.Errorf("copy: %v len %d", v.Type(), v.Len())
	}
	Release(&v)
	Release(&other)
}

// TestCopyRetainsEveryKindOfChild builds one value of each kind that owns
// children and checks that a copy retains each child exactly once, and that
// releasing both frees everything (the leak check).
func TestCopyRetainsEveryKindOfChild(t *testing.T) {
	heaptest.Check(t)
	type kase struct {
		name     string
		build    func() (value.V, []value.V) // the value and the children it owns
		children int
	}
	u8 := func(n int) value.V { return block(t, value.U8, uintptr(n), uint64(n)) }
	cases := []kase{
		{"LIST", func() (value.V, []value.V) {
			a, b := i64s(t, 1), i64s(t, 2)
			l := block(t, value.List, 16, 2)
			s := layout.Slots(l, 2)
			s[0], s[1] = addr(a), addr(b)
			return l, []value.V{a, b}
		}, 2},
		{"DICT", func() (value.V, []value.V) {
			k, vv := i64s(t, 1), i64s(t, 2)
			d := block(t, value.Dict, 16, 2)
			s := layout.Slots(d, 2)
			s[0], s[1] = addr(k), addr(vv)
			return d, []value.V{k, vv}
		}, 2},
		{"TABLE", func() (value.V, []value.V) {
			k, vv := i64s(t, 1), i64s(t, 2)
			d := block(t, value.Table, 16, 2)
			s := layout.Slots(d, 2)
			s[0], s[1] = addr(k), addr(vv)
			return d, []value.V{k, vv}
		}, 2},
		{"STR pool and external null map", func() (value.V, []value.V) {
			pool, nulls := u8(100), u8(1)
			s := block(t, value.Str, 16, 1)
			h := layout.Header(s)
			h.Attrs = 0x20 | 0x40 // NULLMAP_EXT | HAS_NULLS
			h.Aux[layout.SlotNullmap] = addr(nulls)
			h.Aux[layout.SlotPool] = addr(pool)
			return s, []value.V{nulls, pool}
		}, 2},
		{"slice parent", func() (value.V, []value.V) {
			parent := i64s(t, 1, 2, 3, 4)
			s := block(t, value.I64, 0, 2)
			h := layout.Header(s)
			h.Attrs = 0x10 // SLICE
			h.Aux[layout.SlotParent] = addr(parent)
			h.Aux[layout.SlotOffset] = 1
			return s, []value.V{parent}
		}, 1},
		{"index block with what it displaced", func() (value.V, []value.V) {
			nulls, child := u8(1), u8(64)
			ix := block(t, value.Index, layout.IndexHeaderSize+8, 0)
			ih := layout.IndexHeaderOf(ix)
			*ih = layout.IndexHeader{SavedType: int8(value.I64), SavedAttrs: 0x20 | 0x40, Children: 1, Size: uint64(layout.IndexHeaderSize + 8)}
			ih.SavedAux[layout.SlotNullmap] = addr(nulls)
			layout.IndexChildren(ix)[0] = addr(child)
			vec := i64s(t, 5, 6)
			h := layout.Header(vec)
			h.Attrs = 0x08 | 0x40 // HAS_INDEX | HAS_NULLS
			h.Aux[layout.SlotIndex] = addr(ix)
			return vec, []value.V{ix}
		}, 1},
	}
	for _, c := range cases {
		v, kids := c.build()
		if len(kids) != c.children {
			t.Fatalf("%s: built %d children", c.name, len(kids))
		}
		cp, err := Copy(v)
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range kids {
			if layout.RC(k) != 2 {
				t.Errorf("%s: child %d has rc %d after copying its owner, want 2", c.name, i, layout.RC(k))
			}
		}
		if layout.Header(cp).Aux != layout.Header(v).Aux || layout.DataSize(cp) != layout.DataSize(v) {
			t.Errorf("%s: copy's slots differ", c.name)
		}
		Release(&v)
		for i, k := range kids {
			if layout.RC(k) != 1 {
				t.Errorf("%s: child %d has rc %d after releasing one owner, want 1", c.name, i, layout.RC(k))
			}
		}
		Release(&cp) // frees the children: the leak check proves it
	}
}

func TestDeepListReleasesWithoutRecursion(t *testing.T) {
	heaptest.Check(t)
	v := i64s(t, 7)
	for range 100000 { // a list of a list of ... of a vector
		l := block(t, value.List, 8, 1)
		layout.Slots(l, 1)[0] = addr(v)
		v = l
	}
	Release(&v)
}

func TestArenaValuesAreCopiedNotShared(t *testing.T) {
	heaptest.Check(t)
	n := value.NullValue()
	if err := Cow(&n); !errors.Is(err, ray.ErrType) {
		t.Errorf("Cow(NULL) = %v", err)
	}
	if c, err := Copy(n); err != nil || c != n {
		t.Errorf("Copy(NULL) = %v, %v", c, err)
	}
	// An ARENA block (as the symbol table's are): Cow copies it, and the copy
	// is an ordinary, counted block.
	a := i64s(t, 1, 2)
	layout.Header(a).Attrs |= attrbits.Arena
	orig := a
	if err := Cow(&a); err != nil || a == orig {
		t.Fatalf("Cow of an ARENA value: %v, copied %v", err, a != orig)
	}
	if layout.IsArena(a) || layout.RC(a) != 1 {
		t.Errorf("copy of an ARENA value: arena %v rc %d", layout.IsArena(a), layout.RC(a))
	}
	Release(&a)
	keep := orig
	Retain(orig)
	Release(&orig) // ARENA: no count changes, only the handle is zeroed
	if layout.RC(keep) != 1 || !orig.IsZero() {
		t.Errorf("retain/release of an ARENA value: rc %d", layout.RC(keep))
	}
	layout.Header(keep).Attrs &^= attrbits.Arena // make it ordinary again to free it
	Release(&keep)
}

func TestOverReleasePanics(t *testing.T) {
	heaptest.Check(t)
	v := i64s(t, 1)
	w := v
	Release(&v)
	// Freeing a small block sets its count to 0, so the second release
	// finds no reference to give back.
	want := "reference count is already 0"
	if raydebug { // the use of the freed header is caught first, with stacks
		want = "freed at:"
	}
	mustPanic(t, want, func() { Release(&w) })
}

// A handle kept past the release of a small block (1 KiB or less, in a
// run) and of a block from the buddy heap: a retain panics, and Copy and Cow
// refuse it, instead of counting on memory a later allocation reuses.
func TestUseOfFreedBlockIsCaught(t *testing.T) {
	for _, n := range []int{3, 100_000} {
		heaptest.Check(t)
		xs := make([]int64, n)
		v := i64s(t, xs...)
		w := v
		Release(&v)
		if raydebug {
			mustPanic(t, "freed at:", func() { Retain(w) })
			continue
		}
		mustPanic(t, "retain of block", func() { Retain(w) })
		if _, err := Copy(w); !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("%d rows: Copy of a freed vector: %v", n, err)
		}
		if err := Cow(&w); !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("%d rows: Cow of a freed vector: %v", n, err)
		}
		if err := Check(w); !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("%d rows: Check of a freed vector: %v", n, err)
		}
	}
}

func TestCorruptLengthIsRefused(t *testing.T) {
	heaptest.Check(t)
	v := i64s(t, 1, 2)
	layout.Header(v).Word = 1 << 40
	if _, err := Copy(v); !errors.Is(err, ray.ErrCorrupt) {
		t.Errorf("Copy of a vector claiming 2^40 elements: %v", err)
	}
	layout.Header(v).Word = 2
	Release(&v)
}

func TestRetainOverflowPanics(t *testing.T) {
	heaptest.Check(t)
	v := i64s(t, 1)
	layout.Header(v).RC.Store(1<<32 - 1)
	mustPanic(t, "retain of block", func() { Retain(v) })
	if layout.RC(v) != 1<<32-1 {
		t.Errorf("rc after a refused retain = %d", layout.RC(v))
	}
	layout.Header(v).RC.Store(1)
	Release(&v)
}
