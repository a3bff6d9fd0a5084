package index

import (
	"bytes"
	"iter"
	"runtime"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// A hash index groups the rows by key, so that a lookup touches one slot
// and then reads its rows contiguously (a chain through the rows, as the C
// runtime builds, costs a cache miss per row: 19x slower than a Go map on
// 10M rows). Two children:
//
//	table  16 bytes per bucket: the key word (for STR and GUID, the key's
//	       hash), where the key's rows start in rows, and how many there
//	       are (0: an empty bucket)
//	rows   uint32 per keyed row: rows grouped by key, newest first
//
// The capacity is a power of two, at least 8 and at least twice the
// distinct keys (the C runtime sizes by rows, reference §17.39: with many
// duplicates that is mostly empty buckets).

const (
	childTable = iota
	childRows
)

type bucket struct {
	key   uint64
	start uint32
	count uint32
}

func buildHash(v value.V) (value.V, error) {
	n := int(v.Len())
	k := newKeyer(v)
	// Pass 1, in Go scratch memory: the group of every keyed row, with a
	// table of groups that doubles as it fills.
	capacity := uint64(8)
	table := make([]uint32, capacity) // 1 + group, 0 empty
	var groupKey []uint64
	var groupRow []uint32 // a row of each group, for comparing byte keys
	var counts []uint32
	rowGroup := make([]uint32, n)
	keys := 0
	insert := func(tbl []uint32, g uint32) {
		mask := uint64(len(tbl) - 1)
		b := mix(groupKey[g]) & mask
		if !k.wordKey() {
			b = groupKey[g] & mask
		}
		for tbl[b] != 0 {
			b = (b + 1) & mask
		}
		tbl[b] = g + 1
	}
	// Rows go through in batches whose buckets and groups are read first,
	// so that their cache misses overlap (see Probe).
	const batch = 16
	var ws, hs [batch]uint64
	var keyed [batch]bool
	var sink uint64
	for base := 0; base < n; base += batch {
		m := min(batch, n-base)
		for j := range m {
			i := base + j
			keyed[j] = false
			if k.wordKey() {
				if !k.null(i) {
					ws[j], keyed[j] = k.word(i)
					hs[j] = mix(ws[j])
				}
			} else {
				hs[j], keyed[j] = k.hash(i)
				ws[j] = hs[j]
			}
		}
		for j := range m {
			if keyed[j] {
				if g := table[hs[j]&(capacity-1)]; g != 0 {
					sink += groupKey[g-1] + uint64(counts[g-1])
				}
			}
		}
		for j := range m {
			if !keyed[j] {
				continue
			}
			i, w, h := base+j, ws[j], hs[j]
			mask := capacity - 1
			for b := h & mask; ; b = (b + 1) & mask {
				g := table[b]
				if g == 0 {
					g = uint32(len(counts)) + 1
					table[b] = g
					groupKey = append(groupKey, w)
					groupRow = append(groupRow, uint32(i))
					counts = append(counts, 0)
				} else if groupKey[g-1] != w || !k.wordKey() && !bytes.Equal(k.bytesOf(int(groupRow[g-1])), k.bytesOf(i)) {
					continue
				}
				rowGroup[i] = g
				counts[g-1]++
				break
			}
			keys++
			if uint64(len(counts))*2 > capacity {
				capacity *= 2
				table = make([]uint32, capacity)
				for g := range counts {
					insert(table, uint32(g))
				}
			}
		}
	}
	runtime.KeepAlive(sink)
	// Pass 2: the index's table and the rows by group, newest first.
	ix, pl, err := newIndex(2)
	if err != nil {
		return value.V{}, err
	}
	tp, err := child(ix, childTable, uintptr(capacity)*unsafe.Sizeof(bucket{}))
	if err != nil {
		release(&ix)
		return value.V{}, err
	}
	rp, err := child(ix, childRows, uintptr(max(keys, 1))*4)
	if err != nil {
		release(&ix)
		return value.V{}, err
	}
	starts := make([]uint32, len(counts))
	var sum uint32
	for g, c := range counts {
		starts[g] = sum
		sum += c
	}
	out := unsafe.Slice((*bucket)(tp), capacity)
	for b, g := range table {
		if g != 0 {
			out[b] = bucket{groupKey[g-1], starts[g-1], counts[g-1]}
		}
	}
	rows := unsafe.Slice((*uint32)(rp), max(keys, 1))
	var touch uint32
	for end := n; end > 0; end -= batch {
		lo := max(end-batch, 0)
		for i := lo; i < end; i++ { // the batch's group starts, read together
			if g := rowGroup[i]; g != 0 {
				touch += starts[g-1]
			}
		}
		for i := end - 1; i >= lo; i-- {
			if g := rowGroup[i]; g != 0 {
				rows[starts[g-1]] = uint32(i)
				starts[g-1]++
			}
		}
	}
	runtime.KeepAlive(touch)
	pl.builtLen, pl.keys, pl.mask, pl.k = uint64(n), uint64(keys), capacity-1, uint64(len(counts))
	return ix, nil
}

// hashView is a hash index's children as slices.
type hashView struct {
	table []bucket
	rows  []uint32
	mask  uint64
}

func viewOf(ix value.V, pl *payload) hashView {
	return hashView{
		table: unsafe.Slice((*bucket)(childData(ix, childTable)), pl.mask+1),
		rows:  unsafe.Slice((*uint32)(childData(ix, childRows)), max(pl.keys, 1)),
		mask:  pl.mask,
	}
}

// find returns the rows of the key with word w (hash h); eq confirms a byte
// key against one of its rows.
func (hv *hashView) find(h, w uint64, eq func(row int) bool) []uint32 {
	for b := h & hv.mask; ; b = (b + 1) & hv.mask {
		s := &hv.table[b]
		if s.count == 0 {
			return nil
		}
		if s.key == w {
			rs := hv.rows[s.start : s.start+s.count]
			if eq == nil || eq(int(rs[0])) {
				return rs
			}
		}
	}
}

func rowsSeq(rs []uint32) iter.Seq[int] {
	return func(yield func(int) bool) {
		for _, r := range rs {
			if !yield(int(r)) {
				return
			}
		}
	}
}

// Lookup returns the rows of v whose value equals key, newest first, from
// v's hash index. T must view v (vec.Elem); use LookupStr and LookupSym for
// STR and SYM vectors.
func Lookup[T vec.Elem](v value.V, key T) (iter.Seq[int], error) {
	ix, pl, err := indexOf("index.Lookup", v, Hash)
	if err != nil {
		return nil, err
	}
	if _, err := vec.Elems[T](v); err != nil {
		return nil, err
	}
	w, ok := keyOf(v.Type(), v.ElemSize(), key)
	if !ok { // NaN equals nothing
		return rowsSeq(nil), nil
	}
	hv := viewOf(ix, pl)
	return rowsSeq(hv.find(mix(w), w, nil)), nil
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
	k := newKeyer(v)
	h := maphashBytes(key)
	hv := viewOf(ix, pl)
	return rowsSeq(hv.find(h, h, func(row int) bool { return bytes.Equal(k.bytesOf(row), key) })), nil
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
		return rowsSeq(nil), nil
	}
	hv := viewOf(ix, pl)
	return rowsSeq(hv.find(mix(uint64(id)), uint64(id), nil)), nil
}

// Probe looks up many keys at once, the inner loop of a hash join: for
// each key (in order) and each row of v equal to it (newest first), it
// calls match with the key's position and the row, and stops early when
// match returns false.
//
// Keys go through in batches: the buckets of a whole batch are read before
// any is examined, and then the first row of every hit, so that the cache
// misses of a batch overlap instead of following one another.
func Probe[T vec.Elem](v value.V, keys []T, match func(key, row int) bool) error {
	ix, pl, err := indexOf("index.Probe", v, Hash)
	if err != nil {
		return err
	}
	if _, err := vec.Elems[T](v); err != nil {
		return err
	}
	hv := viewOf(ix, pl)
	t, size := v.Type(), v.ElemSize()
	const batch = 16
	var ws, hs [batch]uint64
	var valid [batch]bool
	var first [batch]bucket
	var sink uint32
	for base := 0; base < len(keys); base += batch {
		m := min(batch, len(keys)-base)
		for j := range m {
			ws[j], valid[j] = keyOf(t, size, keys[base+j])
			hs[j] = mix(ws[j])
			first[j] = hv.table[hs[j]&hv.mask] // the batch's misses, together
		}
		for j := range m {
			if valid[j] && first[j].count != 0 {
				sink += hv.rows[first[j].start] // and their rows'
			}
		}
		for j := range m {
			if !valid[j] {
				continue
			}
			for _, r := range hv.find(hs[j], ws[j], nil) {
				if !match(base+j, int(r)) {
					return nil
				}
			}
		}
	}
	runtime.KeepAlive(sink) // keeps the early reads
	return nil
}
