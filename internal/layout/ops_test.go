package layout_test

import (
	"testing"

	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/index"
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
