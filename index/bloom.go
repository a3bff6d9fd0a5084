package index

import (
	"math/bits"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// A bloom index is one child of m bits (m a power of two, at least 64 and
// at least 8 per key, as the C runtime sizes them) with k = 3 hashes per key.

func buildBloom(v value.V) (value.V, error) {
	n := int(v.Len())
	k := newKeyer(v)
	keys := 0
	for i := range n {
		if _, ok := k.hash(i); ok {
			keys++
		}
	}
	m := uint64(64)
	if keys >= 8 {
		m = max(64, uint64(1)<<bits.Len64(uint64(8*keys-1)))
	}
	ix, pl, err := newIndex(1)
	if err != nil {
		return value.V{}, err
	}
	bp, err := child(ix, 0, uintptr(m/8))
	if err != nil {
		release(&ix)
		return value.V{}, err
	}
	bitsArr := unsafe.Slice((*byte)(bp), m/8)
	for i := range n {
		if h, ok := k.hash(i); ok {
			setBloom(bitsArr, m-1, h)
		}
	}
	pl.keys, pl.mask, pl.k = uint64(keys), m-1, 3
	return ix, nil
}

func bloomHashes(h uint64) (uint64, uint64) { return h, mix(h^0xc6a4a7935bd1e995) | 1 }

func setBloom(b []byte, mask, h uint64) {
	h1, h2 := bloomHashes(h)
	for j := range uint64(3) {
		p := (h1 + j*h2) & mask
		b[p>>3] |= 1 << (p & 7)
	}
}

func testBloom(b []byte, mask, h uint64) bool {
	h1, h2 := bloomHashes(h)
	for j := range uint64(3) {
		p := (h1 + j*h2) & mask
		if b[p>>3]&(1<<(p&7)) == 0 {
			return false
		}
	}
	return true
}

// MayContain reports whether v may hold key (false means certainly not),
// from its bloom index.
func MayContain[T vec.Elem](v value.V, key T) (bool, error) {
	ix, pl, err := indexOf("index.MayContain", v, Bloom)
	if err != nil {
		return false, err
	}
	if _, err := vec.Elems[T](v); err != nil {
		return false, err
	}
	w, ok := keyOf(v.Type(), layout.ElemSize(v), key)
	if !ok {
		return false, nil
	}
	return testBloom(unsafe.Slice((*byte)(childData(ix, 0)), pl.mask/8+1), pl.mask, mix(w)), nil
}

// MayContainBytes is MayContain for STR (and GUID) vectors.
func MayContainBytes(v value.V, key []byte) (bool, error) {
	ix, pl, err := indexOf("index.MayContainBytes", v, Bloom)
	if err != nil {
		return false, err
	}
	if t := v.Type(); t != value.Str && t != value.GUID {
		return false, ray.Errorf(ray.ErrType, "index.MayContainBytes", "a %v vector has no string keys", t)
	}
	return testBloom(unsafe.Slice((*byte)(childData(ix, 0)), pl.mask/8+1), pl.mask, maphashBytes(key)), nil
}
