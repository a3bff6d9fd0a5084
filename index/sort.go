package index

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"iter"
	"math"
	"slices"
	"sort"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// A sort index is one child: the rows, as uint32, in ascending order of
// value; NaN after every number, nulls last, ties by row.

func buildSort(v value.V) (value.V, error) {
	n := int(v.Len())
	ix, pl, err := newIndex(1)
	if err != nil {
		return value.V{}, err
	}
	pp, err := child(ix, 0, uintptr(max(n, 1)*4))
	if err != nil {
		release(&ix)
		return value.V{}, err
	}
	perm := unsafe.Slice((*uint32)(pp), max(n, 1))[:n]
	k := newKeyer(v)
	// Radix sort the rows by a key that orders as the values do: the sort
	// is stable and the rows start in order, so ties stay in row order.
	// STR and GUID keys are their first 8 bytes, big-endian, so rows whose
	// prefixes tie are then sorted by their whole bytes. Nulls go last, in
	// row order.
	orderKey, byPrefix := orderKeyOf(&k, n), false
	if orderKey == nil {
		orderKey, byPrefix = func(i int) uint64 { return prefixKey(k.bytesOf(i)) }, true
	}
	var sc heap.Arena
	defer sc.Reset()
	ks, err := scratch[uint64](&sc, n)
	if err != nil {
		release(&ix)
		return value.V{}, err
	}
	keys := 0
	for i := range n {
		if k.null(i) {
			continue
		}
		ks[keys], perm[keys] = orderKey(i), uint32(i)
		keys++
	}
	sortedKeys, sorted, err := radixSort(&sc, ks[:keys], perm[:keys])
	if err != nil {
		release(&ix)
		return value.V{}, err
	}
	copy(perm, sorted) // no-op when the rows ended in perm
	if byPrefix {
		for lo := 0; lo < keys; {
			hi := lo + 1
			for hi < keys && sortedKeys[hi] == sortedKeys[lo] {
				hi++
			}
			if hi-lo > 1 {
				slices.SortFunc(perm[lo:hi], func(a, b uint32) int {
					if c := bytes.Compare(k.bytesOf(int(a)), k.bytesOf(int(b))); c != 0 {
						return c
					}
					return cmp.Compare(a, b)
				})
			}
			lo = hi
		}
	}
	at := keys
	for i := range n {
		if k.null(i) {
			perm[at] = uint32(i)
			at++
		}
	}
	pl.keys = uint64(keys)
	return ix, nil
}

// radixSort sorts rows by keys, stably: least significant byte first, one
// scatter pass a byte, skipping the bytes every key shares (for keys of a
// narrow range, most of them). It returns the sorted keys and rows, each
// either the slice given or arena scratch. On 10M int64 it is about 7x faster than
// slices.SortFunc over (key, row) pairs, which it replaced, and 12x faster
// than sorting row ids by value (BenchmarkSortIndex).
func radixSort(sc *heap.Arena, keys []uint64, rows []uint32) ([]uint64, []uint32, error) {
	n := len(keys)
	if n < 2 {
		return keys, rows, nil
	}
	and, or := ^uint64(0), uint64(0)
	for _, k := range keys {
		and &= k
		or |= k
	}
	var digits []uint // shifts of the bytes that vary
	for shift := uint(0); shift < 64; shift += 8 {
		if (and^or)>>shift&0xff != 0 {
			digits = append(digits, shift)
		}
	}
	if len(digits) == 0 {
		return keys, rows, nil
	}
	keys2, err := scratch[uint64](sc, n)
	if err != nil {
		return nil, nil, err
	}
	rows2, err := scratch[uint32](sc, n)
	if err != nil {
		return nil, nil, err
	}
	counts := make([][256]int, len(digits))
	for _, k := range keys {
		for d, shift := range digits {
			counts[d][k>>shift&0xff]++
		}
	}
	for d, shift := range digits {
		var next [256]int
		sum := 0
		for b, c := range counts[d] {
			next[b] = sum
			sum += c
		}
		for i, k := range keys {
			b := k >> shift & 0xff
			at := next[b]
			next[b] = at + 1
			keys2[at] = k
			rows2[at] = rows[i]
		}
		keys, keys2 = keys2, keys
		rows, rows2 = rows2, rows
	}
	return keys, rows, nil
}

// prefixKey is the first 8 bytes of b, big-endian, zero-padded: keys in
// the order of their bytes, ties broken by the bytes that follow.
func prefixKey(b []byte) uint64 {
	var p [8]byte
	copy(p[:], b)
	return binary.BigEndian.Uint64(p[:])
}

// orderKeyOf returns, for word-keyed columns, a function mapping a
// non-null row to a uint64 that orders as the row's value does (NaN after
// every number, -0.0 equal to 0.0; SYM by name); nil for STR and GUID.
func orderKeyOf(k *keyer, n int) func(i int) uint64 {
	switch k.t {
	case value.Str, value.GUID:
		return nil
	case value.F64, value.F32:
		return func(i int) uint64 {
			f := k.float(i)
			if f != f {
				return math.MaxUint64
			}
			if f == 0 {
				f = 0
			}
			b := math.Float64bits(f)
			if b>>63 != 0 {
				return ^b
			}
			return b | 1<<63
		}
	case value.Sym:
		// Rank the distinct ids by name once. Ids are dense (package
		// value), so the ranks are a slice indexed by id.
		var ids []uint64
		seen := make([]bool, value.SymCount())
		for i := range n {
			if w, _ := k.word(i); !k.null(i) {
				if w >= uint64(len(seen)) { // not a symbol (yet): after all names
					seen = slices.Grow(seen, int(w)+1-len(seen))[:w+1]
				}
				if !seen[w] {
					seen[w] = true
					ids = append(ids, w)
				}
			}
		}
		slices.SortFunc(ids, func(a, b uint64) int {
			na, _ := value.SymName(int64(a))
			nb, _ := value.SymName(int64(b))
			return cmp.Compare(na, nb)
		})
		rank := make([]uint64, len(seen))
		for r, id := range ids {
			rank[id] = uint64(r)
		}
		return func(i int) uint64 {
			w, _ := k.word(i)
			return rank[w]
		}
	case value.Bool, value.U8:
		return func(i int) uint64 { w, _ := k.word(i); return w }
	}
	return func(i int) uint64 { w, _ := k.word(i); return w ^ 1<<63 } // signed order
}

// float returns a float row as float64.
func (k *keyer) float(i int) float64 {
	if k.t == value.F64 {
		return *(*float64)(unsafeAdd(k.data, i*8))
	}
	return float64(*(*float32)(unsafeAdd(k.data, i*4)))
}

func unsafeAdd(p unsafe.Pointer, n int) unsafe.Pointer { return unsafe.Add(p, n) }

// Order returns v's rows in ascending order, from its sort index: a view of
// the index valid while the caller holds v unmutated.
func Order(v value.V) ([]uint32, error) {
	ix, _, err := indexOf("index.Order", v, Sort)
	if err != nil {
		return nil, err
	}
	rows := layout.IndexHeaderOf(ix).Rows
	if rows == 0 {
		return nil, nil
	}
	return unsafe.Slice((*uint32)(childData(ix, 0)), rows), nil
}

// Range returns the rows of v whose value lies in [lo, hi], in ascending
// order of value, from its sort index.
func Range[T vec.Elem](v value.V, lo, hi T) (iter.Seq[int], error) {
	perm, err := Order(v)
	if err != nil {
		return nil, err
	}
	xs, err := vec.Elems[T](v)
	if err != nil {
		return nil, err
	}
	less := lessOf[T](v.Type())
	return rangeSeq(v, perm, func(r uint32) bool { return less(xs[r], lo) }, func(r uint32) bool { return less(hi, xs[r]) }), nil
}

// RangeBytes returns the rows of v, a STR or GUID vector (compared
// bytewise) or a SYM vector (by name), whose value lies in [lo, hi], in
// ascending order, from its sort index.
func RangeBytes(v value.V, lo, hi []byte) (iter.Seq[int], error) {
	perm, err := Order(v)
	if err != nil {
		return nil, err
	}
	if t := v.Type(); t != value.Str && t != value.GUID && t != value.Sym {
		return nil, ray.Errorf(ray.ErrType, "index.RangeBytes", "a %v vector has no byte order; use Range", t)
	}
	k := newKeyer(v)
	return rangeSeq(v, perm,
		func(r uint32) bool { return bytes.Compare(k.orderBytes(int(r)), lo) < 0 },
		func(r uint32) bool { return bytes.Compare(k.orderBytes(int(r)), hi) > 0 }), nil
}

// rangeSeq yields, in the sort order perm of v's keyed rows, the rows from
// the first that is not below the range to the last that is not above it.
func rangeSeq(v value.V, perm []uint32, below, above func(r uint32) bool) iter.Seq[int] {
	keys := int(payloadOfIndex(v).keys)
	start := sort.Search(keys, func(i int) bool { return !below(perm[i]) })
	return func(yield func(int) bool) {
		held := cow.Retain(v) // see rowsSeq
		defer cow.Release(&held)
		for _, r := range perm[start:keys] {
			if above(r) || !yield(int(r)) {
				return
			}
		}
	}
}

func payloadOfIndex(v value.V) *payload {
	ix, _, _ := indexOf("", v, Sort)
	return payloadOf(ix)
}

// lessOf orders values of T as the sort index does (NaN last).
func lessOf[T vec.Elem](t value.Type) func(a, b T) bool {
	var z T
	switch any(z).(type) {
	case float64, float32:
		return func(a, b T) bool {
			fa, fb := toFloat(a), toFloat(b)
			if fa != fa {
				return false
			}
			return fb != fb || fa < fb
		}
	case bool:
		return func(a, b T) bool { return !any(a).(bool) && any(b).(bool) }
	case [16]byte:
		return func(a, b T) bool {
			x, y := any(a).([16]byte), any(b).([16]byte)
			return bytes.Compare(x[:], y[:]) < 0
		}
	}
	return func(a, b T) bool { return toInt(a) < toInt(b) }
}

func toFloat[T vec.Elem](x T) float64 {
	switch v := any(x).(type) {
	case float64:
		return v
	case float32:
		return float64(v)
	}
	return 0
}

func toInt[T vec.Elem](x T) int64 {
	switch v := any(x).(type) {
	case uint8:
		return int64(v)
	case int16:
		return int64(v)
	case int32:
		return int64(v)
	case int64:
		return v
	}
	return 0
}
