package cow

import (
	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/memops"
	"github.com/raygo/ray/value"
)

// Retain adds a reference to v, for a new owner, and returns v. It does
// nothing to no value and to ARENA values.
func Retain(v value.V) value.V {
	if !v.IsZero() && !layout.IsArena(v) {
		layout.Refs(v).Retain()
	}
	return v
}

// Release gives back the reference *vp holds and sets *vp to no value.
// When it was the last reference, everything the value owns is released in
// turn (children, a handle's object) and its block is freed. Releasing no
// value or an ARENA value does nothing.
func Release(vp *value.V) {
	v := *vp
	*vp = value.V{}
	if v.IsZero() || layout.IsArena(v) {
		return
	}
	if layout.Refs(v).Release() {
		free(v)
	}
}

// free frees v, whose last reference was just released, and every child
// whose last reference goes with it. It works from a list, not by recursion, so deep
// nesting cannot exhaust the stack.
func free(v value.V) {
	if v.IsAtom() && !layout.HasHandle(v) && layout.IsHeapBlock(v) { // owns nothing: the common case
		heap.Free(layout.Block(v))
		return
	}
	pending := []value.V{v}
	for len(pending) > 0 {
		x := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		layout.EachOwned(x, func(slot *uint64) {
			if *slot == 0 {
				return
			}
			c := layout.Owned(*slot)
			*slot = 0
			if !layout.IsArena(c) && layout.Refs(c).Release() {
				pending = append(pending, c)
			}
		})
		if layout.HasHandle(x) {
			releaseHandle(x)
		}
		if layout.IsMapped(x) {
			heap.UnmapFile(layout.Block(x)) // a column mapped from a file
			continue
		}
		heap.Free(layout.Block(x))
	}
}

// Copy returns a shallow copy of v holding one reference: a new block with
// v's header and data, whose owned slots (children, pool, null map, index,
// parent) are retained, so the copy shares them. A copy is always a heap
// block without the ARENA attribute. Copying the NULL singleton returns it.
//
// Copying a handle atom gives the copy its own claim on the handle: a
// reference to a shared one, a clone of a unique one. If the clone fails,
// Copy returns the copy without a handle together with the error.
func Copy(v value.V) (value.V, error) {
	if v.IsZero() {
		return value.V{}, ray.Errorf(ray.ErrType, "cow.Copy", "no value")
	}
	if v == value.NullValue() {
		return v, nil
	}
	if !layout.IsArena(v) && (layout.RC(v) == 0 || !layout.IsHeapBlock(v) && !layout.IsMapped(v)) {
		return value.V{}, ray.Errorf(ray.ErrCorrupt, "cow.Copy", "the %v at %p has been freed", v.Type(), layout.Block(v))
	}
	size := layout.DataSize(v)
	if layout.IsHeapBlock(v) && size > layout.BlockCap(v) {
		return value.V{}, ray.Errorf(ray.ErrCorrupt, "cow.Copy", "a %v claims %d data bytes in a block of %d", v.Type(), size, layout.BlockCap(v))
	}
	p, err := heap.Alloc(size)
	if err != nil {
		return value.V{}, err
	}
	c := layout.FromPointer(p)
	layout.CopyHeader(c, v) // the heap wrote c's mmod, order and a count of 1
	memops.CopyPtr(layout.BlockData(c), layout.BlockData(v), size)
	layout.EachOwned(c, func(slot *uint64) {
		if *slot != 0 {
			Retain(layout.Owned(*slot))
		}
	})
	if layout.HasHandle(c) {
		if err := copyHandle(c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// Cow makes *vp safe to mutate in place. If the caller holds the only
// reference to a heap value, *vp is left as it is. Otherwise *vp becomes a
// copy (see Copy) holding one reference, and the caller's reference to the
// original is released. On error *vp is unchanged.
//
// The NULL singleton cannot be made mutable (ErrType). A slice that Cow
// leaves in place still shares its parent's elements: package vec
// materialises slices before writing.
func Cow(vp *value.V) error {
	v := *vp
	if v.IsZero() {
		return ray.Errorf(ray.ErrType, "cow.Cow", "no value")
	}
	if v == value.NullValue() {
		return ray.Errorf(ray.ErrType, "cow.Cow", "the NULL singleton cannot be mutated")
	}
	if layout.Private(v) {
		return nil
	}
	c, err := Copy(v)
	if err != nil {
		Release(&c)
		return err
	}
	Release(vp)
	*vp = c
	return nil
}
