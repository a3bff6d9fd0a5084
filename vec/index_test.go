package vec

import (
	"testing"
	"unsafe"

	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

func ptrOf(a uint64) unsafe.Pointer { return offheap.Ptr(uintptr(a)) }

// attachFakeIndex does what package index will do: move v's header bytes
// 0..15 and NULLMAP_EXT into an INDEX block and put the block in bytes 0..7.
func attachFakeIndex(t *testing.T, v value.V) {
	t.Helper()
	p, err := heap.Alloc(layout.IndexHeaderSize)
	if err != nil {
		t.Fatal(err)
	}
	ix := layout.FromPointer(p)
	layout.Header(ix).Type = int8(value.Index)
	ih := layout.IndexHeaderOf(ix)
	h := layout.Header(v)
	*ih = layout.IndexHeader{SavedAux: h.Aux, SavedAttrs: h.Attrs, SavedType: h.Type, Size: uint64(layout.IndexHeaderSize)}
	h.Aux = [2]uint64{uint64(uintptr(p)), 0}
	h.Attrs = h.Attrs&^attrbits.NullmapExt | attrbits.Index
}

// Nulls read through an index's saved
// bytes; dropping the index (any write does) restores the bytes exactly;
// a COW copy shares the index and both keep reading nulls right.
func TestNullsThroughAnIndex(t *testing.T) {
	heaptest.Check(t)
	for _, nulls := range [][]int{nil, {3, 100}, {3, 300}} {
		v := must(New(value.I64, 400))
		layout.Header(v).Word = 400
		for _, i := range nulls {
			if err := SetNull(&v, i, true); err != nil {
				t.Fatal(err)
			}
		}
		before := *layout.Header(v)
		attachFakeIndex(t, v)
		if layout.MayHaveNulls(v) != (len(nulls) > 0) || layout.HasNullmap(v) {
			t.Errorf("nulls %v: while indexed attrs %v", nulls, attrs.Describe(v))
		}
		for _, i := range nulls {
			if !mustNull(t, v, i) {
				t.Errorf("nulls %v: row %d not null through the index", nulls, i)
			}
		}
		w := cow.Retain(v)
		if err := cow.Cow(&w); err != nil { // w is a copy sharing the index
			t.Fatal(err)
		}
		if err := Set(&v, 0, int64(1)); err != nil { // drops v's reference to the index
			t.Fatal(err)
		}
		after := *layout.Header(v)
		if after.Aux != before.Aux || after.Attrs != before.Attrs {
			t.Errorf("nulls %v: header after dropping the index %x/%#x, before attaching %x/%#x", nulls, after.Aux, after.Attrs, before.Aux, before.Attrs)
		}
		for _, i := range nulls {
			if !mustNull(t, v, i) || !mustNull(t, w, i) {
				t.Errorf("nulls %v: row %d lost after dropping a shared index", nulls, i)
			}
		}
		cow.Release(&w)
		cow.Release(&v)
	}
}
