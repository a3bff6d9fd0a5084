package index

import (
	"iter"
	"math/bits"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// A hash index is two children: heads, one uint32 per bucket (row+1 of the
// newest row in the bucket, 0 when empty), and chain, one uint32 per row
// (row+1 of the next older row in its bucket, 0 at the end). The capacity
// is a power of two, at least 8 and at least twice the rows (reference
// §17.39); rows are inserted in ascending order, so chains run newest
// first.

func buildHash(v value.V) (value.V, error) {
	n := int(v.Len())
	capacity := uint64(8)
	if n >= 4 {
		capacity = max(8, uint64(1)<<bits.Len64(uint64(2*n-1)))
	}
	ix, pl, err := newIndex(2)
	if err != nil {
		return value.V{}, err
	}
	hp, err := child(ix, 0, uintptr(capacity*4))
	if err == nil {
		var cp unsafe.Pointer
		cp, err = child(ix, 1, uintptr(max(n, 1)*4))
		if err == nil {
			heads := unsafe.Slice((*uint32)(hp), capacity)
			chain := unsafe.Slice((*uint32)(cp), max(n, 1))
			k := newKeyer(v)
			mask := capacity - 1
			keys := 0
			for i := range n {
				h, ok := k.hash(i)
				if !ok {
					continue
				}
				b := h & mask
				chain[i] = heads[b]
				heads[b] = uint32(i + 1)
				keys++
			}
			pl.builtLen, pl.keys, pl.mask = uint64(n), uint64(keys), mask
			return ix, nil
		}
	}
	release(&ix)
	return value.V{}, err
}

// Lookup returns the rows of v whose value equals key, newest first, from
// v's hash index. T must view v (vec.Elem); use LookupStr and LookupSym for
// STR and SYM vectors.
func Lookup[T vec.Elem](v value.V, key T) (iter.Seq[int], error) {
	ix, pl, err := indexOf("index.Lookup", v, Hash)
	if err != nil {
		return nil, err
	}
	if _, err := vec.Get[T](v, 0); err != nil && v.Len() > 0 {
		return nil, err
	}
	w, ok := keyOf(v.Type(), v.ElemSize(), key)
	if !ok { // NaN equals nothing
		return func(func(int) bool) {}, nil
	}
	return chainOf(v, ix, pl, mix(w), w, nil), nil
}

// LookupStr returns the rows of a STR (or GUID, as 16 bytes) vector equal
// to key, from its hash index.
func LookupStr(v value.V, key []byte) (iter.Seq[int], error) {
	ix, pl, err := indexOf("index.LookupStr", v, Hash)
	if err != nil {
		return nil, err
	}
	if t := v.Type(); t != value.Str && t != value.GUID {
		return nil, ray.Errorf(ray.ErrType, "index.LookupStr", "a %v vector has no string keys", t)
	}
	return chainOf(v, ix, pl, maphashBytes(key), 0, key), nil
}

// LookupSym returns the rows of a SYM vector holding name.
func LookupSym(v value.V, name string) (iter.Seq[int], error) {
	ix, pl, err := indexOf("index.LookupSym", v, Hash)
	if err != nil {
		return nil, err
	}
	if v.Type() != value.Sym {
		return nil, ray.Errorf(ray.ErrType, "index.LookupSym", "a %v vector has no symbols", v.Type())
	}
	id, ok := value.SymID(name)
	if !ok {
		return func(func(int) bool) {}, nil
	}
	return chainOf(v, ix, pl, mix(uint64(id)), uint64(id), nil), nil
}

func chainOf(v, ix value.V, pl *payload, h, w uint64, b []byte) iter.Seq[int] {
	heads := unsafe.Slice((*uint32)(childData(ix, 0)), pl.mask+1)
	chain := unsafe.Slice((*uint32)(childData(ix, 1)), max(pl.builtLen, 1))
	k := newKeyer(v)
	return func(yield func(int) bool) {
		for r := heads[h&pl.mask]; r != 0; r = chain[r-1] {
			if i := int(r - 1); k.equal(i, w, b) && !yield(i) {
				return
			}
		}
	}
}

// Probe looks up many keys at once, the inner loop of a hash join: for
// each key (in order) and each row of v equal to it, it calls match with
// the key's position and the row. It stops early when match returns false.
func Probe[T vec.Elem](v value.V, keys []T, match func(key, row int) bool) error {
	ix, pl, err := indexOf("index.Probe", v, Hash)
	if err != nil {
		return err
	}
	if _, err := vec.Elems[T](v); err != nil {
		return err
	}
	heads := unsafe.Slice((*uint32)(childData(ix, 0)), pl.mask+1)
	chain := unsafe.Slice((*uint32)(childData(ix, 1)), max(pl.builtLen, 1))
	k := newKeyer(v)
	t, size := v.Type(), v.ElemSize()
	for j, key := range keys {
		w, ok := keyOf(t, size, key)
		if !ok {
			continue
		}
		for r := heads[mix(w)&pl.mask]; r != 0; r = chain[r-1] {
			if i := int(r - 1); k.equal(i, w, nil) && !match(j, i) {
				return nil
			}
		}
	}
	return nil
}
