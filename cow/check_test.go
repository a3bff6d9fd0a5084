package cow_test

import (
	"errors"
	"strings"
	"testing"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/index"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func must(v value.V, err error) value.V {
	if err != nil {
		panic(err)
	}
	return v
}

// sample returns one value of each kind, nested: a TABLE of every column
// type with nulls, a slice, an indexed vector, a DICT of LISTs, atoms.
func sample(t *testing.T) []value.V {
	t.Helper()
	strs := must(vec.FromStrings([]string{"a", "a string long enough for the pool", "b"}))
	if err := vec.SetNull(&strs, 2, true); err != nil {
		t.Fatal(err)
	}
	syms := must(vec.FromSyms([]string{"check.x", "check.y", "check.x"}))
	ints := must(vec.FromSlice(value.I64, []int64{3, 1, 2}))
	if err := vec.SetNull(&ints, 1, true); err != nil {
		t.Fatal(err)
	}
	tbl := must(vec.NewTable())
	for name, col := range map[string]value.V{"s": strs, "y": syms, "i": ints} {
		if err := vec.AddColumn(&tbl, name, col); err != nil {
			t.Fatal(err)
		}
	}
	indexed := cow.Retain(strs)
	if err := index.Attach(&indexed, index.Hash); err != nil {
		t.Fatal(err)
	}
	slice := must(vec.Slice(ints, 1, 2))
	list := must(vec.ListOf(ints, slice, value.NullValue()))
	dict := must(vec.NewDict(syms, list))
	atom := must(value.NewStr("an atom"))
	out := []value.V{tbl, indexed, slice, list, dict, atom, strs, syms, ints}
	t.Cleanup(func() {
		for i := range out {
			cow.Release(&out[i])
		}
	})
	return out
}

func TestCheckPassesWellFormedValues(t *testing.T) {
	heaptest.Check(t)
	for _, v := range sample(t) {
		if err := cow.Check(v); err != nil {
			t.Errorf("%v: %v", v.Type(), err)
		}
	}
}

// TestCheckFindsBrokenInvariants breaks one invariant at a time, in place,
// and puts it back.
func TestCheckFindsBrokenInvariants(t *testing.T) {
	heaptest.Check(t)
	vs := sample(t)
	tbl, indexed, slice, strs := vs[0], vs[1], vs[2], vs[6]
	for _, c := range []struct {
		name    string
		v       value.V
		want    string
		breakIt func() (undo func())
	}{
		{"a view past its pool", strs, "pool", func() func() {
			p := (*uint32)(unsafe.Add(layout.BlockData(strs), 16+12))
			old := *p
			*p = 1 << 20
			return func() { *p = old }
		}},
		{"a slice past its parent", slice, "parent", func() func() {
			h := layout.Header(slice)
			old := h.Word
			h.Word = 100
			return func() { h.Word = old }
		}},
		{"an index built for other rows", indexed, "built for", func() func() {
			ih := layout.IndexHeaderOf(layout.Owned(layout.Header(indexed).Aux[layout.SlotIndex]))
			old := ih.Rows
			ih.Rows++
			return func() { ih.Rows = old }
		}},
		{"a ragged table", tbl, "rows", func() func() {
			_, col, _ := vec.ColumnAt(tbl, 2)
			h := layout.Header(col)
			old := h.Word
			h.Word--
			return func() { h.Word = old }
		}},
		{"a symbol id past the table", vs[7], "symbol id", func() func() {
			p := (*uint8)(layout.BlockData(vs[7]))
			old := *p
			if value.SymCount() > 0xFF {
				t.Skip("every W8 id names a symbol")
			}
			*p = 0xFF
			return func() { *p = old }
		}},
	} {
		undo := c.breakIt()
		err := cow.Check(c.v)
		undo()
		if !errors.Is(err, ray.ErrCorrupt) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Check = %v, want ErrCorrupt mentioning %q", c.name, err, c.want)
		}
		if err := cow.Check(c.v); err != nil {
			t.Errorf("%s, put back: %v", c.name, err)
		}
	}
}
