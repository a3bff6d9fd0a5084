package vec

import (
	"math/bits"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/memops"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// Null bits: 1 means null, as in the C runtime, so a zeroed header means
// "no nulls". A vector whose HAS_NULLS attribute is clear has none. Rows
// 0..127 of a plain vector keep their bits inline, in header bytes 0..15;
// beyond that, or for a STR vector (whose bytes 8..15 hold its pool) or a
// linked one (bytes 8..15 hold its target), the bits live in an external
// map: a U8 vector in bytes 0..7, with NULLMAP_EXT set, whose length in
// bytes may fall short of the vector's rows (missing bytes mean "not null").
//
// Readers go through nullBits, which follows a slice to its parent (a
// slice carries no null state of its own) and an attached index to the
// bytes it saved. The external map is copied on write like any value
// (ARCHITECTURE.md D6: the C runtime shares it between COW copies).

func bitAt(b []byte, i int) bool {
	return i>>3 < len(b) && b[i>>3]>>(i&7)&1 != 0
}

// IsNull reports whether row i of v is null.
func IsNull(v value.V, i int) (bool, error) {
	if v.IsZero() || !v.IsVector() {
		return false, ray.Errorf(ray.ErrType, "vec.IsNull", "%v has no rows", v.TypeName())
	}
	if n := int(layout.Len(v)); i < 0 || i >= n {
		return false, ray.Errorf(ray.ErrRange, "vec.IsNull", "index %d outside [0, %d)", i, n)
	}
	b, off := layout.NullBits(v)
	return bitAt(b, off+i), nil
}

// NullCount returns the number of null rows of v.
func NullCount(v value.V) int {
	if v.IsZero() || !v.IsVector() {
		return 0
	}
	b, off := layout.NullBits(v)
	if b == nil {
		return 0
	}
	n := int(layout.Len(v))
	count := 0
	i := off
	end := off + n
	for ; i < end && i&7 != 0; i++ {
		if bitAt(b, i) {
			count++
		}
	}
	for ; i+8 <= end && i>>3 < len(b); i += 8 {
		count += bits.OnesCount8(b[i>>3])
	}
	for ; i < end; i++ {
		if bitAt(b, i) {
			count++
		}
	}
	return count
}

// SetNull marks row i of *vp null (or not), copying *vp first if it is
// shared, a slice or indexed.
func SetNull(vp *value.V, i int, null bool) error {
	v := *vp
	if v.IsZero() || !v.IsVector() {
		return ray.Errorf(ray.ErrType, "vec.SetNull", "cannot set nulls of %v", v.TypeName())
	}
	if n := int(layout.Len(v)); i < 0 || i >= n {
		return ray.Errorf(ray.ErrRange, "vec.SetNull", "index %d outside [0, %d)", i, n)
	}
	if err := prepare(vp, 0); err != nil {
		return err
	}
	return setNullBit(vp, i, null)
}

// setNullBit sets row i's null bit of *vp, which prepare has made private,
// unsliced and unindexed.
func setNullBit(vp *value.V, i int, null bool) error {
	v := *vp
	has := layout.MayHaveNulls(v)
	if !has && !null {
		return nil // no nulls anywhere: nothing to clear
	}
	if b, _ := layout.NullBits(v); bitAt(b, i) == null && (null || has) {
		return nil // already so: nothing to write, no map to copy
	}
	inline, ok := layout.InlineNullBits(v)
	if ok && i < 128 {
		setBit(inline, i, null)
	} else {
		if ok && !null {
			return nil // rows past 128 of an inline map are not null
		}
		m, err := privateNullMap(vp, i)
		if err != nil {
			return err
		}
		setBit(unsafe.Slice((*byte)(layout.BlockData(m)), layout.Len(m)), i, null)
	}
	if null {
		layout.MarkHasNulls(v) // and, for STR, whatever state the map was in (ARCHITECTURE.md D7)
	}
	return nil
}

func setBit(b []byte, i int, on bool) {
	if on {
		b[i>>3] |= 1 << (i & 7)
	} else {
		b[i>>3] &^= 1 << (i & 7)
	}
}

// privateNullMap returns *vp's external null map, made private and large
// enough to hold bit i: created from the inline bits when there is none,
// copied when shared, grown when short.
func privateNullMap(vp *value.V, i int) (value.V, error) {
	v := *vp
	rows := max(int(layout.Len(v)), i+1)
	need := (rows + 7) / 8
	if !layout.HasNullmap(v) {
		m, err := newNullMap(max(need, 16))
		if err != nil {
			return value.V{}, err
		}
		layout.ExternalizeNulls(v, m)
		return m, nil
	}
	m := layout.Nullmap(v)
	if err := cow.Cow(&m); err != nil {
		return value.V{}, err
	}
	if have := int(layout.Len(m)); have < need {
		p, err := heap.Realloc(layout.Block(m), uintptr(max(need, 2*have)))
		if err != nil {
			layout.ReplaceNullmap(v, m) // Cow may have replaced it
			return value.V{}, err
		}
		m = layout.FromPointer(p)
		memops.ZeroPtr(offheap.Add(layout.BlockData(m), uintptr(have)), heap.Cap(p)-uintptr(have))
		layout.SetLen(m, uint64(heap.Cap(p)))
	}
	layout.ReplaceNullmap(v, m)
	return m, nil
}

// newNullMap returns a zeroed U8 vector of n bytes (its whole block).
func newNullMap(n int) (value.V, error) {
	p, err := heap.Alloc(uintptr(n))
	if err != nil {
		return value.V{}, err
	}
	h := heap.HeaderOf(p)
	h.Type = int8(value.U8)
	clear(unsafe.Slice((*byte)(offheap.Add(p, heap.HeaderSize)), heap.Cap(p)))
	h.Word = uint64(heap.Cap(p))
	return layout.FromPointer(p), nil
}

// copyNulls sets the null bits of rows [at, at+n) of *dst, private, from
// rows [from, from+n) of src.
func copyNulls(dst *value.V, src value.V, from, n, at int) error {
	b, off := layout.NullBits(src)
	if b == nil {
		return nil
	}
	for i := range n {
		if bitAt(b, off+from+i) {
			if err := setNullBit(dst, at+i, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// shiftNullsDown moves the null bits of rows [i, n) of *vp, private, to
// rows [i+1, n+1) after an insert at row i, and clears row i's.
func shiftNullsDown(vp *value.V, i, n int) error {
	b, _ := layout.NullBits(*vp)
	for j := n - 1; j >= i; j-- {
		if err := setNullBit(vp, j+1, bitAt(b, j)); err != nil {
			return err
		}
		b, _ = layout.NullBits(*vp) // the map may have moved
	}
	return setNullBit(vp, i, false)
}

// NullBits returns v's null bitmap as it lies in memory, for kernels that
// test nulls a word at a time: row i of v is null when bit off+i of bits
// (bit j is bits[j>>3]>>(j&7)&1) is 1. Bits past the end of bits are 0.
// It returns nil when v has no nulls or is not a vector. Like Elems, the
// bytes are v's own, valid while the caller holds v unmutated, and must
// not be written.
func NullBits(v value.V) (bits []byte, off int) { return layout.NullBits(v) }

// SetNulls sets the null state of every row of *vp at once from a bitmap:
// row i is null when bit off+i of nulls is set (1 = null, raygo's sense;
// Arrow's validity bitmaps are the inverse), least significant bit first.
// As with NullBits, bits past the end of nulls are 0 (not null), so the
// bitmap NullBits gives for one vector sets another's; a nil bitmap clears
// every null, and a negative offset is ErrRange. It is the bulk form of
// SetNull, for decoders that build a column's
// null bitmap whole (from Parquet definition levels, say): the map is
// written once, a byte at a time, not row by row. *vp is copied first if
// it is shared, a slice or indexed.
func SetNulls(vp *value.V, nulls []byte, off int) error {
	v := *vp
	if v.IsZero() || !v.IsVector() {
		return ray.Errorf(ray.ErrType, "vec.SetNulls", "cannot set nulls of %v", v.TypeName())
	}
	n := int(layout.Len(v))
	if off < 0 {
		return ray.Errorf(ray.ErrRange, "vec.SetNulls", "bit offset %d", off)
	}
	// have is how many rows the bitmap reaches; the rest are not null.
	have := 0
	if len(nulls)*8 > off {
		have = min(n, len(nulls)*8-off)
	}
	some := false
	for i := 0; i < have; {
		if (off+i)&7 == 0 && i+8 <= have {
			if nulls[(off+i)>>3] != 0 {
				some = true
				break
			}
			i += 8
			continue
		}
		if bitAt(nulls, off+i) {
			some = true
			break
		}
		i++
	}
	if !some && NullCount(v) == 0 {
		return nil // nothing to write, nothing to copy
	}
	if err := prepare(vp, 0); err != nil {
		return err
	}
	// One path for setting and clearing: the external map, as SetNull
	// takes for rows past the inline bits. HAS_NULLS stays set, as SetNull
	// leaves it when a row stops being null: it says nulls may be there.
	m, err := privateNullMap(vp, max(n-1, 0))
	if err != nil {
		return err
	}
	dst := unsafe.Slice((*byte)(layout.BlockData(m)), layout.Len(m))
	clear(dst)
	switch {
	case have == 0: // no row is null
	case off&7 == 0:
		copy(dst[:(have+7)/8], nulls[off>>3:])
		if r := have & 7; r != 0 {
			dst[have>>3] &= 1<<r - 1 // bits past the last row stay 0
		}
	default:
		for i := range have {
			if bitAt(nulls, off+i) {
				dst[i>>3] |= 1 << (i & 7)
			}
		}
	}
	layout.MarkHasNulls(*vp)
	return nil
}
