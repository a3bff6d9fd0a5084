package rayarrow

import (
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// A LIST of vectors of one type exports as an Arrow list. Arrow wants the
// items' values in one child array, so unlike the other exports this one
// copies: the items are concatenated (pairwise, in O(n log k) copying for k
// items) and the child is that vector, exported as usual.

func exportList(l value.V) (*array.Data, error) {
	k := int(l.Len())
	items := make([]value.V, k)
	offsets := make([]int32, k+1)
	var t value.Type
	for i := range k {
		item, err := vec.ListGet(l, i)
		if err != nil {
			return nil, err
		}
		if !item.IsVector() || i > 0 && item.Type() != t {
			return nil, ray.Errorf(ray.ErrNYI, "rayarrow.Export", "a LIST exports only when its items are vectors of one type; item %d is %v", i, item.Type())
		}
		t = item.Type()
		items[i] = item
		if offsets[i]+int32(item.Len()) < offsets[i] {
			return nil, ray.Errorf(ray.ErrLimit, "rayarrow.Export", "a LIST of more than 2^31 values")
		}
		offsets[i+1] = offsets[i] + int32(item.Len())
	}
	if k == 0 {
		return nil, ray.Errorf(ray.ErrNYI, "rayarrow.Export", "an empty LIST has no item type to export")
	}
	child, err := concatAll(items)
	if err != nil {
		return nil, err
	}
	defer cow.Release(&child)
	cd, err := exportData(child)
	if err != nil {
		return nil, err
	}
	defer cd.Release()
	off := memory.NewBufferBytes(unsafe.Slice((*byte)(unsafe.Pointer(&offsets[0])), 4*len(offsets)))
	d := array.NewData(arrow.ListOf(cd.DataType()), k, []*memory.Buffer{nil, off}, []arrow.ArrayData{cd}, 0, 0)
	return d, nil
}

// concatAll concatenates vectors of one type into a new one.
func concatAll(items []value.V) (value.V, error) {
	if len(items) == 1 {
		c, err := vec.Slice(items[0], 0, int(items[0].Len()))
		return c, err
	}
	mid := len(items) / 2
	a, err := concatAll(items[:mid])
	if err != nil {
		return value.V{}, err
	}
	defer cow.Release(&a)
	b, err := concatAll(items[mid:])
	if err != nil {
		return value.V{}, err
	}
	defer cow.Release(&b)
	return vec.Concat(a, b)
}

// importList makes a LIST of vectors, one per list row (an empty vector for
// a null row).
func importList(a *array.List) (value.V, error) {
	l, err := vec.NewList(a.Len())
	if err != nil {
		return value.V{}, err
	}
	defer releaseOnPanic(&l)
	for i := range a.Len() {
		start, end := a.ValueOffsets(i)
		s := array.NewSlice(a.ListValues(), start, end)
		item, err := Import(s)
		s.Release()
		if err == nil {
			err = vec.ListAppend(&l, item)
			cow.Release(&item)
		}
		if err != nil {
			cow.Release(&l)
			return value.V{}, err
		}
	}
	return l, nil
}
