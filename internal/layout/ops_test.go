package layout_test

import (
	"math"
	"testing"
	"unsafe"

	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/index"
	"github.com/raygo/ray/internal/handles"
	iheap "github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// InitBytes makes a fresh block a U8 vector of the bytes asked for, which
// cow.Check accepts and Release frees.
func TestInitBytes(t *testing.T) {
	heaptest.Check(t)
	p, err := iheap.AllocZeroed(100)
	if err != nil {
		t.Fatal(err)
	}
	v := layout.InitBytes(p, 100)
	if v.Type() != value.U8 || v.Len() != 100 {
		t.Errorf("a %v of %d rows", v.Type(), v.Len())
	}
	if err := cow.Check(v); err != nil {
		t.Error(err)
	}
	cow.Release(&v)
}

// SetNullmap gives a vector an external null map whose bits are its nulls;
// the vector owns the map from then on.
func TestSetNullmap(t *testing.T) {
	heaptest.Check(t)
	v, err := vec.FromSlice(value.I64, make([]int64, 200))
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&v)
	p, err := iheap.AllocZeroed(25)
	if err != nil {
		t.Fatal(err)
	}
	nm := layout.InitBytes(p, 25)
	bits, _ := vec.Mutable[uint8](&nm)
	bits[3] = 1 << 2  // row 26
	bits[24] = 1 << 7 // row 199
	layout.SetNullmap(v, nm)
	for i := range 200 {
		if null, _ := vec.IsNull(v, i); null != (i == 26 || i == 199) {
			t.Errorf("row %d null: %v", i, null)
		}
	}
	if !layout.MayHaveNulls(v) || !layout.HasNullmap(v) {
		t.Error("the attributes do not say nulls in an external map")
	}
	if err := cow.Check(v); err != nil {
		t.Error(err)
	}
}

// AttachIndex saves the header bytes an index displaces and DetachIndex
// puts them back, byte for byte, a null map and a link target included;
// IndexOf finds the block attached. (InitIndex makes index.Attach's block.)
func TestAttachAndDetachIndex(t *testing.T) {
	heaptest.Check(t)
	v, err := vec.FromSlice(value.I64, []int64{5, 1, 4, 1, 3})
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&v)
	if err := vec.SetNull(&v, 2, true); err != nil {
		t.Fatal(err)
	}
	before := *layout.Header(v)
	if err := index.Attach(&v, index.Hash); err != nil {
		t.Fatal(err)
	}
	ix := layout.IndexOf(v)
	if ix.Type() != value.Index || !attrs.Indexed(v) || layout.HasNullmap(v) {
		t.Errorf("attached: index type %v, attrs %v", ix.Type(), attrs.Describe(v))
	}
	if null, _ := vec.IsNull(v, 2); !null {
		t.Error("the null of row 2 is lost under the index")
	}
	if err := cow.Check(v); err != nil {
		t.Error(err)
	}
	old := layout.DetachIndex(v)
	cow.Release(&old)
	after := *layout.Header(v)
	if after.Aux != before.Aux || after.Attrs != before.Attrs || after.Type != before.Type || after.Word != before.Word {
		t.Errorf("detached header %+v, want %+v", after, before)
	}
	if err := cow.Check(v); err != nil {
		t.Error(err)
	}
}

func mustV(t *testing.T) func(value.V, error) value.V {
	return func(v value.V, err error) value.V {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func checked(t *testing.T, v value.V) {
	t.Helper()
	if err := cow.Check(v); err != nil {
		t.Fatal(err)
	}
}

// InitSlice makes a slice that reads its parent's rows at the parent's
// width and carries its order claims; the slice owns its reference.
func TestInitSlice(t *testing.T) {
	heaptest.Check(t)
	must := mustV(t)
	names := make([]string, 300) // past 256 symbols: 2-byte ids
	for i := range names {
		names[i] = "layout.slice." + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	v := must(vec.FromSyms(names))
	defer cow.Release(&v)
	if err := attrs.SetUnique(&v); err != nil {
		t.Fatal(err)
	}
	p, err := iheap.Alloc(0)
	if err != nil {
		t.Fatal(err)
	}
	s := layout.FromPointer(p)
	layout.InitSlice(s, v, cow.Retain(v), 290, 10)
	defer cow.Release(&s)
	if got, _ := vec.GetSym(s, 3); got != names[293] || s.Len() != 10 {
		t.Errorf("row 3 of the slice %q, len %d", got, s.Len())
	}
	if !attrs.IsSlice(s) || !attrs.Unique(s) || layout.SymWidth(s) != layout.SymWidth(v) {
		t.Errorf("slice attributes %q, parent %q", attrs.Describe(s), attrs.Describe(v))
	}
	if root, off := layout.Root(s); !root.Same(v) || off != 290 {
		t.Errorf("root %v at %d", root.Same(v), off)
	}
	checked(t, s)
}

// Items of a LIST: AppendItem, PutItem and DeleteItem keep what the LIST
// owns; InitPair makes a DICT over two of them.
func TestItems(t *testing.T) {
	heaptest.Check(t)
	must := mustV(t)
	l := must(vec.NewList(4))
	defer cow.Release(&l)
	for i := range 3 {
		layout.AppendItem(l, must(value.NewI64(int64(i))))
	}
	checked(t, l)
	old := layout.Item(l, 1)
	layout.PutItem(l, 1, must(value.NewI64(10)))
	cow.Release(&old)
	gone := layout.DeleteItem(l, 0)
	cow.Release(&gone)
	if l.Len() != 2 {
		t.Fatalf("%d items", l.Len())
	}
	for i, want := range []int64{10, 2} {
		if got, _ := value.AsI64(layout.Item(l, i)); got != want {
			t.Errorf("item %d = %d, want %d", i, got, want)
		}
	}
	checked(t, l)
	keys := must(vec.FromSyms([]string{"layout.k"}))
	vals := must(vec.FromSlice(value.I64, []int64{7}))
	p := must(vec.NewList(2))
	layout.InitPair(p, value.Dict, keys, vals)
	defer cow.Release(&p)
	if p.Type() != value.Dict || !layout.Item(p, 0).Same(keys) || !layout.Item(p, 1).Same(vals) {
		t.Error("InitPair did not make the DICT of its two values")
	}
	checked(t, p)
}

// ExternalizeNulls moves inline null bits into a map the vector owns;
// ReplaceNullmap swaps it for another; SetLink needs them outside, and
// ClearLink and LinkOf read and undo it.
func TestNullmapsAndLinks(t *testing.T) {
	heaptest.Check(t)
	must := mustV(t)
	v := must(vec.FromSlice(value.I64, make([]int64, 100)))
	defer cow.Release(&v)
	for _, i := range []int{3, 70, 99} {
		if err := vec.SetNull(&v, i, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := layout.InlineNullBits(v); !ok || layout.HasNullmap(v) {
		t.Fatal("the nulls of 100 rows are not inline")
	}
	p, err := iheap.AllocZeroed(16)
	if err != nil {
		t.Fatal(err)
	}
	layout.ExternalizeNulls(v, layout.InitBytes(p, 16))
	if _, ok := layout.InlineNullBits(v); ok || !layout.HasNullmap(v) {
		t.Fatal("ExternalizeNulls left the nulls inline")
	}
	if n := vec.NullCount(v); n != 3 {
		t.Errorf("%d nulls after ExternalizeNulls, want 3", n)
	}
	checked(t, v)
	c := must(cow.Copy(layout.Nullmap(v)))
	old := layout.Nullmap(v)
	layout.ReplaceNullmap(v, c)
	cow.Release(&old)
	if n := vec.NullCount(v); n != 3 {
		t.Errorf("%d nulls after ReplaceNullmap, want 3", n)
	}
	layout.SetLink(v, 42)
	if id, ok := layout.LinkOf(v); !ok || id != 42 || !layout.IsLinked(v) {
		t.Errorf("LinkOf = %d, %v", id, ok)
	}
	s := must(vec.Slice(v, 10, 5))
	if id, ok := layout.LinkOf(s); !ok || id != 42 {
		t.Errorf("LinkOf a slice = %d, %v", id, ok)
	}
	cow.Release(&s)
	checked(t, v)
	layout.ClearLink(v)
	if _, ok := layout.LinkOf(v); ok || vec.NullCount(v) != 3 {
		t.Error("ClearLink left a link, or lost the nulls")
	}
	checked(t, v)
}

// A pool counts its dead bytes; a fresh one counts none.
func TestPoolDead(t *testing.T) {
	heaptest.Check(t)
	must := mustV(t)
	v := must(vec.FromStrings([]string{"a string longer than a view", "another string past twelve bytes"}))
	defer cow.Release(&v)
	pool := layout.Pool(v)
	if layout.PoolDead(pool) != 0 {
		t.Errorf("a fresh pool has %d dead bytes", layout.PoolDead(pool))
	}
	if err := vec.SetStr(&v, 0, "short"); err != nil {
		t.Fatal(err)
	}
	if st, _ := vec.StrPool(v); st.Dead != len("a string longer than a view") || int(layout.PoolDead(layout.Pool(v))) != st.Dead {
		t.Errorf("dead bytes %d after overwriting a pooled string", st.Dead)
	}
	layout.AddPoolDead(layout.Pool(v), 5)
	if st, _ := vec.StrPool(v); st.Dead != len("a string longer than a view")+5 {
		t.Errorf("AddPoolDead: %d", st.Dead)
	}
	checked(t, v)
}

// AppendRoom says yes only to a private, unsliced, unindexed vector
// without order claims and with room; each of those, changed, says no.
func TestAppendRoom(t *testing.T) {
	heaptest.Check(t)
	must := mustV(t)
	v := must(vec.New(value.I64, 8))
	defer cow.Release(&v)
	if n, ok := layout.AppendRoom(v, 8); !ok || n != 0 {
		t.Fatalf("a fresh vector: %d, %v", n, ok)
	}
	other := cow.Retain(v)
	if _, ok := layout.AppendRoom(v, 8); ok {
		t.Error("room in a shared vector")
	}
	cow.Release(&other)
	if err := attrs.SetSorted(&v); err != nil {
		t.Fatal(err)
	}
	if _, ok := layout.AppendRoom(v, 8); ok {
		t.Error("room in a vector claimed SORTED")
	}
	layout.ClearOrder(v)
	if attrs.Sorted(v) {
		t.Error("ClearOrder left SORTED")
	}
	full := must(vec.FromSlice(value.I64, make([]int64, vec.Cap(v))))
	defer cow.Release(&full)
	if _, ok := layout.AppendRoom(full, 8); ok {
		t.Error("room in a full block")
	}
	s := must(vec.Slice(full, 0, 1))
	defer cow.Release(&s)
	if _, ok := layout.AppendRoom(s, 8); ok {
		t.Error("room in a slice")
	}
	state := *layout.AppendState(v)
	keep := cow.Retain(v)
	if *layout.AppendState(v) == state {
		t.Error("AppendState did not change with a new reference")
	}
	cow.Release(&keep)
	checked(t, v)
}

// CopyHeader copies everything but ARENA and the heap's own fields;
// DropHandle leaves a plain atom.
func TestCopyHeaderAndDropHandle(t *testing.T) {
	heaptest.Check(t)
	must := mustV(t)
	v := must(vec.FromSlice(value.I32, []int32{1, 2, 3}))
	defer cow.Release(&v)
	c := must(cow.Copy(v)) // CopyHeader, then the data and the children
	defer cow.Release(&c)
	if c.Type() != v.Type() || c.Len() != 3 || layout.RC(c) != 1 || layout.IsArena(c) {
		t.Errorf("copy: %v of %d, rc %d", c.Type(), c.Len(), layout.RC(c))
	}
	if !layout.IsArena(value.NullValue()) {
		t.Error("NULL is not ARENA")
	}
	h := must(value.NewHandle(struct{ name string }{"layout.handle"}, value.SharedHandle))
	if layout.HandleKind(h) != 1 {
		t.Errorf("handle kind %v", layout.HandleKind(h))
	}
	id := *layout.AtomWord(h)
	layout.DropHandle(h)
	if layout.HandleKind(h) != 0 || *layout.AtomWord(h) != 0 {
		t.Error("DropHandle left a handle")
	}
	checked(t, h)
	cow.Release(&h)
	// The entry DropHandle let go of: drop it as Release would have.
	if _, last, ok := handles.Drop(id); !last || !ok {
		t.Error("the handle's entry was not the last claim")
	}
}

// RowsInOrder compares rows as their type orders them: integers as
// numbers, floats without NaN and with -0 = 0, STR by bytes past the view,
// SYM by id; a null row makes neither claim hold.
func TestRowsInOrder(t *testing.T) {
	heaptest.Check(t)
	must := mustV(t)
	for _, tc := range []struct {
		name           string
		v              value.V
		sorted, unique bool
	}{
		{"I64 ascending", must(vec.FromSlice(value.I64, []int64{-5, -1, 0, 7})), true, true},
		{"I64 ties", must(vec.FromSlice(value.I64, []int64{-5, -5, 0})), true, false},
		{"I64 unsorted distinct", must(vec.FromSlice(value.I64, []int64{3, -5, 0})), false, true},
		{"I64 unsorted repeated", must(vec.FromSlice(value.I64, []int64{3, -5, 3})), false, false},
		{"I16 negative", must(vec.FromSlice(value.I16, []int16{-300, -2, 5})), true, true},
		{"I32", must(vec.FromSlice(value.I32, []int32{-1 << 31, 0, 1<<31 - 1})), true, true},
		{"F64 -0 = 0", must(vec.FromSlice(value.F64, []float64{-1.5, math.Copysign(0, -1), 0, 2})), true, false},
		{"F64 negatives", must(vec.FromSlice(value.F64, []float64{-3, -2, -1})), true, true},
		{"F64 NaN", must(vec.FromSlice(value.F64, []float64{1, math.NaN()})), false, false},
		{"F32", must(vec.FromSlice(value.F32, []float32{-1, 0.5, 0.25})), false, true},
		{"U8", must(vec.FromSlice(value.U8, []uint8{0, 200, 255})), true, true},
		{"STR", must(vec.FromStrings([]string{"a", "a long string past the view, 1", "a long string past the view, 2", "b"})), true, true},
		{"STR prefix", must(vec.FromStrings([]string{"ab", "a"})), false, true},
		{"empty", must(vec.New(value.I64, 0)), true, true},
	} {
		if s, u := layout.RowsInOrder(tc.v); s != tc.sorted || u != tc.unique {
			t.Errorf("%s: sorted %v unique %v, want %v %v", tc.name, s, u, tc.sorted, tc.unique)
		}
		cow.Release(&tc.v)
	}
	v := must(vec.FromSlice(value.I64, []int64{1, 2, 3}))
	defer cow.Release(&v)
	if err := vec.SetNull(&v, 1, true); err != nil {
		t.Fatal(err)
	}
	if s, u := layout.RowsInOrder(v); s || u {
		t.Error("a null row holds a claim")
	}
	l := must(vec.NewList(0))
	defer cow.Release(&l)
	if s, u := layout.RowsInOrder(l); s || u {
		t.Error("a LIST holds a claim")
	}
}

// The remaining writers: a SYM vector widened in place (SymAppendRoom,
// SetSymWidth), a length kept through LenWord, nulls marked, an order
// bit set, an atom made and given a handle id, a raw block adopted; and
// the reads that decide on them.
func TestWritersKeepTheInvariants(t *testing.T) {
	heaptest.Check(t)
	must := mustV(t)
	v := must(vec.FromSyms([]string{"layout.w1", "layout.w2"}))
	defer cow.Release(&v)
	if err := cow.Cow(&v); err != nil {
		t.Fatal(err)
	}
	n, w, ok := layout.SymAppendRoom(v)
	if n != 2 || w != layout.SymWidth(v) {
		t.Errorf("SymAppendRoom = %d, %d, %v", n, w, ok)
	}
	ids := make([]int64, 2)
	if _, err := vec.SymIDs(ids, v, 0); err != nil {
		t.Fatal(err)
	}
	if w == 0 { // widen by hand: ids 2 bytes wide, written from the last down
		if err := vec.Reserve(&v, 8); err != nil {
			t.Fatal(err)
		}
		wide := unsafe.Slice((*uint16)(layout.BlockData(v)), 2)
		narrow := unsafe.Slice((*uint8)(layout.BlockData(v)), 2)
		wide[1], wide[0] = uint16(narrow[1]), uint16(narrow[0])
		layout.SetSymWidth(v, 1)
		if got, _ := vec.GetSym(v, 1); got != "layout.w2" || layout.ElemSize(v) != 2 {
			t.Errorf("after SetSymWidth: row 1 %q, %d-byte ids", got, layout.ElemSize(v))
		}
	}
	checked(t, v)

	xs := must(vec.FromSlice(value.I32, []int32{1, 2, 3, 4}))
	defer cow.Release(&xs)
	*layout.LenWord(xs) = 3
	if xs.Len() != 3 || layout.Len(xs) != 3 {
		t.Errorf("LenWord: length %d", xs.Len())
	}
	bits, _ := layout.InlineNullBits(xs)
	bits[0] |= 1 << 2
	layout.MarkHasNulls(xs)
	if !layout.MayHaveNulls(xs) || vec.NullCount(xs) != 1 {
		t.Errorf("MarkHasNulls: %v, %d nulls", layout.MayHaveNulls(xs), vec.NullCount(xs))
	}
	if _, ext := layout.ExtNullmapOf(xs); ext {
		t.Error("inline nulls read as an external map")
	}
	checked(t, xs)
	if !layout.Private(xs) || !layout.IsHeapBlock(xs) || layout.IsMapped(xs) || layout.UnknownAttrs(xs) != 0 {
		t.Error("a fresh I32 vector is not a private heap block with known attributes")
	}
	asc := must(vec.FromSlice(value.I32, []int32{1, 2, 3}))
	defer cow.Release(&asc)
	layout.SetOrder(asc, 0xFF) // only the class's order bits are taken
	if !attrs.Sorted(asc) || !attrs.Unique(asc) || layout.UnknownAttrs(asc) != 0 || attrs.IsSlice(asc) {
		t.Errorf("SetOrder: %q", attrs.Describe(asc))
	}
	checked(t, asc)

	p, err := iheap.Alloc(0)
	if err != nil {
		t.Fatal(err)
	}
	a := layout.InitAtom(p, -value.I16)
	*layout.AtomWord(a) = uint64(0xFFFF_FFFF_FFFF_FFFE) // -2, sign-extended
	if x, err := value.AsI16(a); err != nil || x != -2 || layout.HasHandle(a) {
		t.Errorf("InitAtom: %d, %v", x, err)
	}
	checked(t, a)
	cow.Release(&a)
	h := must(value.NewHandle(struct{ n int }{1}, value.SharedHandle))
	old := *layout.AtomWord(h)
	other := must(value.NewHandle(struct{ n int }{2}, value.SharedHandle))
	layout.SetHandleID(h, *layout.AtomWord(other))
	if obj, _, err := value.Handle(h); err != nil || obj.(struct{ n int }).n != 2 || !layout.HasHandle(h) {
		t.Errorf("SetHandleID: %v, %v", obj, err)
	}
	layout.SetHandleID(h, old)
	cow.Release(&h)
	cow.Release(&other)

	raw, err := iheap.AllocZeroed(32 + 80)
	if err != nil {
		t.Fatal(err)
	}
	blk := layout.FromPointer(raw)
	if !layout.AdoptBlock(blk, value.I64, 14) || blk.Type() != value.I64 || blk.Len() != 14 {
		t.Fatalf("AdoptBlock: a %v of %d", blk.Type(), blk.Len())
	}
	if !layout.AdoptBlock(blk, value.I64, 14) || layout.AdoptBlock(blk, value.F64, 14) || layout.AdoptBlock(blk, value.I32, 28) {
		t.Error("AdoptBlock again: the same type must agree, another must not")
	}
	big := layout.FromPointer(must2(iheap.AllocZeroed(40)))
	if layout.AdoptBlock(big, value.I64, 1000) {
		t.Error("AdoptBlock of more rows than the block holds")
	}
	checked(t, blk)
	cow.Release(&blk)
	cow.Release(&big)
}

func must2(p unsafe.Pointer, err error) unsafe.Pointer {
	if err != nil {
		panic(err)
	}
	return p
}
