package layout_test

import (
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func TestOwnedSlotsRoundTrip(t *testing.T) {
	heaptest.Check(t)
	v, err := vec.FromSlice(value.I64, []int64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&v)
	if w := layout.Owned(layout.Addr(v)); w != v {
		t.Errorf("Owned(Addr(v)) = %p, want %p", layout.Block(w), layout.Block(v))
	}
	if layout.FromPointer(nil) != (value.V{}) || layout.Header(v).Word != 3 {
		t.Error("FromPointer(nil) is a value, or the header's length is not 3")
	}
	if layout.DataSize(v) != 24 || layout.DataSize(value.V{}) != 0 {
		t.Errorf("DataSize = %d", layout.DataSize(v))
	}
	s, err := vec.Slice(v, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&s)
	if root, off := layout.Root(s); root != v || off != 1 || layout.DataSize(s) != 0 {
		t.Errorf("Root of a slice: %p at %d", layout.Block(root), off)
	}
	if *(*int64)(layout.Data(s)) != 2 {
		t.Error("a slice's data does not start at its offset in the parent")
	}
	if b, _ := layout.NullBits(v); b != nil {
		t.Error("a vector without nulls has null bits")
	}
}
