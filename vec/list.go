package vec

import (
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

// A LIST holds values of any kind: its data is one owned block address per
// item. Adding an item adds a reference to it (the caller keeps its own);
// replacing or dropping an item releases the list's reference; reading an
// item borrows it, as in the C runtime. An item is never "no value": use the
// NULL singleton (value.NullValue) for a missing one.
//
// The reference to a new item is taken before the list is made writable.
// Adding a list to itself then finds it shared, so the list is copied and
// the copy holds the list as it was: a value, never a cycle, and never a
// reference taken through a block that growing has just moved. The same
// holds for any item that contains the list, which shares it already.

func checkList(op string, v value.V) error {
	if v.IsZero() || v.Type() != value.List {
		return ray.Errorf(ray.ErrType, op, "want a LIST, have %v", v.TypeName())
	}
	return nil
}

func checkItem(op string, item value.V) error {
	if item.IsZero() {
		return ray.Errorf(ray.ErrType, op, "a LIST item cannot be no value; use the NULL singleton")
	}
	return nil
}

// NewList returns an empty LIST with room for capacity items.
func NewList(capacity int) (value.V, error) { return New(value.List, capacity) }

// ListOf returns a LIST of the items, adding a reference to each.
func ListOf(items ...value.V) (value.V, error) {
	l, err := NewList(len(items))
	if err != nil {
		return value.V{}, err
	}
	for _, it := range items {
		if err := ListAppend(&l, it); err != nil {
			cow.Release(&l)
			return value.V{}, err
		}
	}
	return l, nil
}

// ListAppend adds item at the end of *lp and a reference to it.
func ListAppend(lp *value.V, item value.V) error {
	if err := checkList("vec.ListAppend", *lp); err != nil {
		return err
	}
	if err := checkItem("vec.ListAppend", item); err != nil {
		return err
	}
	n := int(layout.Len(*lp))
	cow.Retain(item)
	if err := prepare(lp, n+1); err != nil {
		cow.Release(&item)
		return err
	}
	layout.AppendItem(*lp, item)
	return nil
}

// ListGet returns item i of l, borrowed: valid while the caller holds its
// reference to l and l is not mutated (cow.Retain it to keep it longer).
func ListGet(l value.V, i int) (value.V, error) {
	if err := checkList("vec.ListGet", l); err != nil {
		return value.V{}, err
	}
	n := int(layout.Len(l))
	if i < 0 || i >= n {
		return value.V{}, ray.Errorf(ray.ErrRange, "vec.ListGet", "index %d outside [0, %d)", i, n)
	}
	return layout.Item(l, i), nil
}

// ListSet replaces item i of *lp by item: the old item's reference is
// released, a reference to the new one added.
func ListSet(lp *value.V, i int, item value.V) error {
	if err := checkList("vec.ListSet", *lp); err != nil {
		return err
	}
	if err := checkItem("vec.ListSet", item); err != nil {
		return err
	}
	n := int(layout.Len(*lp))
	if i < 0 || i >= n {
		return ray.Errorf(ray.ErrRange, "vec.ListSet", "index %d outside [0, %d)", i, n)
	}
	cow.Retain(item)
	if err := prepare(lp, 0); err != nil {
		cow.Release(&item)
		return err
	}
	old := layout.Item(*lp, i)
	layout.PutItem(*lp, i, item)
	cow.Release(&old)
	return nil
}

// release is cow.Release, for files that release one value.
func release(vp *value.V) { cow.Release(vp) }

func unsafeBytes(p unsafe.Pointer, n int) []byte { return unsafe.Slice((*byte)(p), n) }
