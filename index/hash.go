package index

import (
	"bytes"
	"iter"
	"math/bits"
	"runtime"
	"slices"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// A hash index groups the rows by key, so that a lookup touches one bucket
// and then reads its rows contiguously (a chain through the rows, as the C
// runtime builds, costs a cache miss per row: 19x slower than a Go map on
// 10M rows). Two children:
//
//	table  16 bytes per bucket: the key's 64-bit hash, where the key's
//	       rows start in rows, and how many there are (0: an empty bucket)
//	rows   uint32 per keyed row: rows grouped by key, newest first
//
// A key's bucket is found from the top bits of its hash, probing linearly.
// Word keys (everything but STR and GUID) hash by a bijection (mix), so two
// word keys are equal exactly when their hashes are: the table need not
// hold the key. STR and GUID keys hash by maphash and are confirmed by
// comparing bytes with the first row of the bucket.
//
// The capacity is a power of two, at least 8 and at least twice the
// distinct keys (the C runtime sizes by rows: with many
// duplicates that is mostly empty buckets).
//
// # Building by partitions
//
// Grouping 10M rows straight into a table of 1M keys costs a cache miss or
// two per row, which is all a Go map does too. So the build first splits
// the rows by the top bits of their hash into partitions small enough to
// group inside the cache (about partitionRows rows each):
//
//  1. hash every row and count the rows of each partition;
//  2. scatter each keyed row's hash and row number to its partition's
//     range (the rows go straight into the rows child; rows stay in
//     ascending order within a partition);
//  3. group each partition in a small table that stays in cache, and
//     rewrite its range of rows grouped by key, newest first;
//  4. put the groups into the bucket table in partition order: since a
//     bucket is chosen by the top bits of the hash, like the partition, the
//     groups of one partition land in one small stretch of the table.
//
// Every pass reads or writes memory sequentially or within the cache. STR
// and GUID rows also carry their 16-byte cell (the GUID, or the string's
// view) through the scatter, so that grouping compares cells side by side
// instead of reading each row's view at random, and keep pass 1's hashes
// for pass 2 (word keys hash again: cheaper than storing). The scratch (a
// hash per keyed row; for byte keys the cells and a hash per row) is off
// the Go heap in a heap.Arena.

const (
	childTable = iota
	childRows
)

type bucket struct {
	hash  uint64
	start uint32
	count uint32
}

// partitionRows is the number of rows a partition of a hash build aims
// at: with ~10 rows per key, its group table (4x its 6,500 keys, 4 bytes a
// slot) and groups take about 200 KiB and stay in cache, while its hashes
// and rows stream through. Measured on 10M rows, 2^16 beat 2^13 and 2^14:
// fewer partitions make the scatter cheaper. Tests lower it to exercise
// many partitions on small vectors.
var partitionRows = 65536

// hashChunk is how many rows pass 1 and 2 hash at a time.
const hashChunk = 1024

// buildHash builds a hash index of v in the four passes described above.
func buildHash(v value.V) (value.V, error) {
	b := hashBuild{n: int(v.Len()), k: newKeyer(v)}
	defer b.sc.Reset()
	if err := b.count(); err != nil {
		return value.V{}, err
	}
	ix, pl, err := newIndex(2)
	if err != nil {
		return value.V{}, err
	}
	err = b.scatter(ix)
	if err == nil {
		err = b.group()
	}
	if err == nil {
		err = b.place(ix, pl)
	}
	if err != nil {
		release(&ix)
		return value.V{}, err
	}
	return ix, nil
}

// A hashBuild is the state of one build, passed from pass to pass.
type hashBuild struct {
	n      int
	k      keyer
	sc     heap.Arena // the scratch, off the Go heap
	pshift uint       // a hash's partition is hash >> pshift
	starts []int      // where each partition starts in rows; one more at the end
	keys   int        // keyed rows (not null, not NaN)
	stored []uint64   // byte keys: pass 1's hash of every row

	rows   []uint32 // the rows child, partitioned, then grouped
	hashes []uint64 // the keyed rows' hashes, partitioned; then the groups'
	cells  []cell   // byte keys: the keyed rows' cells, partitioned
	counts []uint32 // the groups' sizes, in partition order
}

// count is pass 1: it counts the keyed rows of each partition. Word keys
// are hashed again in pass 2 (a multiply or two is cheaper than writing
// and reading 8 bytes a row); byte keys keep their hashes.
func (b *hashBuild) count() error {
	pbits := 0
	for pbits < 12 && b.n>>pbits > partitionRows {
		pbits++
	}
	b.pshift = uint(64 - pbits) // h >> 64 is 0 in Go: one partition
	b.starts = make([]int, 1<<pbits+1)
	if !b.k.wordKey() {
		var err error
		if b.stored, err = scratch[uint64](&b.sc, b.n); err != nil {
			return err
		}
	}
	var buf [hashChunk]uint64
	var lack [hashChunk / 64]uint64
	for lo := 0; lo < b.n; lo += hashChunk {
		m := min(hashChunk, b.n-lo)
		hs := buf[:m]
		if b.stored != nil {
			hs = b.stored[lo : lo+m]
		}
		missing := b.k.hashRows(lo, hs, &lack)
		for j, h := range hs {
			if missing == 0 || lack[j>>6]>>(j&63)&1 == 0 {
				b.starts[h>>b.pshift+1]++
			}
		}
		b.keys += m - missing
	}
	for p := 1; p < len(b.starts); p++ {
		b.starts[p] += b.starts[p-1]
	}
	return nil
}

// scatter is pass 2: it allocates the rows child of ix and the scratch,
// and writes each keyed row's hash, row number and (byte keys) cell to its
// partition's range, rows ascending within a partition.
func (b *hashBuild) scatter(ix value.V) error {
	room := max(b.keys, 1)
	rp, err := childToFill(ix, childRows, uintptr(room)*4)
	if err != nil {
		return err
	}
	b.rows = unsafe.Slice((*uint32)(rp), room)
	if b.hashes, err = scratch[uint64](&b.sc, room); err != nil {
		return err
	}
	if !b.k.wordKey() {
		if b.cells, err = scratch[cell](&b.sc, room); err != nil {
			return err
		}
	}
	next := slices.Clone(b.starts[:len(b.starts)-1])
	var buf [hashChunk]uint64
	var lack [hashChunk / 64]uint64
	for lo := 0; lo < b.n; lo += hashChunk {
		m := min(hashChunk, b.n-lo)
		var hs []uint64
		var missing int
		if b.stored != nil {
			hs = b.stored[lo : lo+m]
			missing = b.k.lacking(lo, m, &lack)
		} else {
			hs = buf[:m]
			missing = b.k.hashRows(lo, hs, &lack)
		}
		for j, h := range hs {
			if missing != 0 && lack[j>>6]>>(j&63)&1 != 0 {
				continue
			}
			p := h >> b.pshift
			at := next[p]
			next[p] = at + 1
			b.hashes[at] = h
			b.rows[at] = uint32(lo + j)
			if b.cells != nil {
				b.cells[at] = *b.k.cell(lo + j)
			}
		}
	}
	return nil
}

// group is pass 3: it groups each partition by key in a table that stays
// in cache, rewriting the partition's rows grouped, newest first. The
// groups' hashes are written over the hashes already read (a partition has
// no more groups than rows), their sizes to counts.
func (b *hashBuild) group() error {
	largest := 0
	for p := 0; p+1 < len(b.starts); p++ {
		largest = max(largest, b.starts[p+1]-b.starts[p])
	}
	g, err := newGrouper(&b.sc, largest, !b.k.wordKey())
	if err != nil {
		return err
	}
	counts, err := scratch[uint32](&b.sc, b.keys)
	if err != nil {
		return err
	}
	groups := 0
	for p := 0; p+1 < len(b.starts); p++ {
		lo, hi := b.starts[p], b.starts[p+1]
		if lo == hi {
			continue
		}
		var cs []cell
		if b.cells != nil {
			cs = b.cells[lo:hi]
		}
		g.group(&b.k, b.hashes[lo:hi], b.rows[lo:hi], cs)
		copy(counts[groups:], g.count)
		copy(b.hashes[groups:], g.hash)
		groups += len(g.count)
	}
	b.counts = counts[:groups]
	return nil
}

// place is pass 4: it lays the groups into ix's bucket table in partition
// order, which keeps each partition's buckets in one stretch of the table.
func (b *hashBuild) place(ix value.V, pl *payload) error {
	capacity := uint64(8)
	for capacity < 2*uint64(len(b.counts)) {
		capacity *= 2
	}
	tp, err := child(ix, childTable, uintptr(capacity)*unsafe.Sizeof(bucket{}))
	if err != nil {
		return err
	}
	table := unsafe.Slice((*bucket)(tp), capacity)
	shift, mask := uint(64-bits.TrailingZeros64(capacity)), capacity-1
	var start uint32
	for i, c := range b.counts {
		h := b.hashes[i]
		at := h >> shift
		for table[at].count != 0 {
			at = (at + 1) & mask
		}
		table[at] = bucket{h, start, c}
		start += c
	}
	pl.keys, pl.mask, pl.k = uint64(b.keys), mask, uint64(len(b.counts))
	return nil
}

// A grouper groups the rows of one partition: a small open-addressed table
// (indexed by the low bits of the hash; the partition took the top ones)
// of group numbers, and per group its hash, its size and a row to compare
// byte keys against. Its buffers are arena scratch for the largest
// partition, reused from partition to partition.
type grouper struct {
	table []uint32 // 1 + group; 0 is empty; a power-of-two prefix is in use
	hash  []uint64
	count []uint32
	cell  []cell   // byte keys: each group's cell
	next  []uint32 // where each group's next row goes
	of    []uint32 // the group of each row of the partition
	out   []uint32
}

func newGrouper(sc *heap.Arena, largest int, bytesKeys bool) (*grouper, error) {
	g := &grouper{}
	tableSize := 16
	for tableSize < 4*largest {
		tableSize *= 2
	}
	var err error
	if g.table, err = scratch[uint32](sc, tableSize); err != nil {
		return nil, err
	}
	if g.hash, err = scratch[uint64](sc, largest); err != nil {
		return nil, err
	}
	for _, s := range []*[]uint32{&g.count, &g.next, &g.of, &g.out} {
		if *s, err = scratch[uint32](sc, largest); err != nil {
			return nil, err
		}
	}
	// No partition grouped yet: the first starts with a small table and
	// grows it; the rest are sized by the one before (group).
	g.hash, g.count = g.hash[:0], g.count[:0]
	if !bytesKeys {
		return g, nil
	}
	p, err := sc.Alloc(uintptr(max(largest, 1)) * 16)
	if err != nil {
		return nil, err
	}
	g.cell = unsafe.Slice((*cell)(p), max(largest, 1))
	return g, nil
}

// scratch returns n elements of T from the arena (not zeroed).
func scratch[T uint32 | uint64 | cell](sc *heap.Arena, n int) ([]T, error) {
	var zero T
	p, err := sc.Alloc(uintptr(max(n, 1)) * unsafe.Sizeof(zero))
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*T)(p), max(n, 1))[:n], nil
}

// group rewrites rows (ascending) grouped by key, newest first; hashes are
// the rows' hashes and cells, for byte keys, their cells. Afterwards g.hash
// and g.count describe the groups.
func (g *grouper) group(k *keyer, hashes []uint64, rows []uint32, cells []cell) {
	r := len(hashes)
	// Partitions are alike (the hash spreads keys evenly), so the last
	// one's keys predict this one's; the table grows if they do not.
	size := 16
	for size < 4*min(r, len(g.count)+len(g.count)/4) {
		size *= 2
	}
	table := g.table[:size]
	clear(table)
	hash, count := g.hash[:0], g.count[:0]
	of := g.of[:r]
	mask := uint64(size - 1)
	for i, h := range hashes {
		b := h & mask
		for {
			s := table[b]
			if s == 0 {
				s = uint32(len(count)) + 1
				table[b] = s
				hash = append(hash, h)
				count = append(count, 0)
				if cells != nil {
					g.cell[s-1] = cells[i]
				}
			} else if hash[s-1] != h || cells != nil && !k.sameCell(&g.cell[s-1], &cells[i]) {
				b = (b + 1) & mask
				continue
			}
			of[i] = s - 1
			count[s-1]++
			break
		}
		if 4*len(count) > len(table) { // grow: rehash the groups
			table = g.table[:2*len(table)]
			clear(table)
			mask = uint64(len(table) - 1)
			for j, h := range hash {
				b := h & mask
				for table[b] != 0 {
					b = (b + 1) & mask
				}
				table[b] = uint32(j) + 1
			}
		}
	}
	g.hash, g.count = hash, count
	// The groups' places, then the rows, newest first.
	next := g.next[:len(count)]
	var sum uint32
	for j, c := range count {
		next[j] = sum
		sum += c
	}
	out := g.out[:r]
	for i := r - 1; i >= 0; i-- {
		s := of[i]
		out[next[s]] = rows[i]
		next[s]++
	}
	copy(rows, out)
}

// hashRows sets hs to the hashes of rows lo.. of k's vector and the bits
// of lack for the rows without a key (null, NaN); it returns how many
// those are. The common types get loops of their own.
func (k *keyer) hashRows(lo int, hs []uint64, lack *[hashChunk / 64]uint64) int {
	clear(lack[:])
	missing := 0
	m := len(hs)
	p := offheap.Add(k.data, uintptr(lo*k.size))
	switch {
	case !k.wordKey():
		for j := range hs {
			hs[j] = maphashBytes(k.cellBytes(k.cell(lo + j)))
		}
	case k.t == value.F64 || k.t == value.F32:
		for j := range hs {
			w, ok := canonical(k.t, k.size, offheap.Add(p, uintptr(j*k.size)))
			hs[j] = mix(w)
			if !ok {
				lack[j>>6] |= 1 << (j & 63)
				missing++
			}
		}
	case k.t == value.Sym || k.t == value.Bool || k.t == value.U8:
		switch k.size { // unsigned
		case 1:
			mixAll(hs, unsafe.Slice((*uint8)(p), m))
		case 2:
			mixAll(hs, unsafe.Slice((*uint16)(p), m))
		case 4:
			mixAll(hs, unsafe.Slice((*uint32)(p), m))
		default:
			mixAll(hs, unsafe.Slice((*uint64)(p), m))
		}
	default:
		switch k.size { // signed
		case 2:
			mixAll(hs, unsafe.Slice((*int16)(p), m))
		case 4:
			mixAll(hs, unsafe.Slice((*int32)(p), m))
		default:
			mixAll(hs, unsafe.Slice((*int64)(p), m))
		}
	}
	if k.nulls != nil {
		missing += k.nullRows(lo, m, lack)
	}
	return missing
}

// lacking sets lack for the rows lo..lo+m without a key, as hashRows does,
// for byte keys (which are never NaN): their null rows.
func (k *keyer) lacking(lo, m int, lack *[hashChunk / 64]uint64) int {
	clear(lack[:])
	if k.nulls == nil {
		return 0
	}
	return k.nullRows(lo, m, lack)
}

// nullRows sets the bits of lack for the null rows among lo..lo+m that are
// not set already, and returns how many it set.
func (k *keyer) nullRows(lo, m int, lack *[hashChunk / 64]uint64) int {
	set := 0
	for j := range m {
		if k.null(lo+j) && lack[j>>6]>>(j&63)&1 == 0 {
			lack[j>>6] |= 1 << (j & 63)
			set++
		}
	}
	return set
}

// mixAll hashes integer keys, widened to 64 bits as canonical does.
func mixAll[T uint8 | uint16 | uint32 | uint64 | int16 | int32 | int64](hs []uint64, xs []T) {
	xs = xs[:len(hs)]
	for j, x := range xs {
		hs[j] = mix(uint64(int64(x)))
	}
}

// hashView is a hash index's children as slices.
type hashView struct {
	table []bucket
	rows  []uint32
	mask  uint64
	shift uint // a hash's bucket is hash >> shift
}

func viewOf(ix value.V, pl *payload) hashView {
	return hashView{
		table: unsafe.Slice((*bucket)(childData(ix, childTable)), pl.mask+1),
		rows:  unsafe.Slice((*uint32)(childData(ix, childRows)), max(pl.keys, 1)),
		mask:  pl.mask,
		shift: uint(64 - bits.OnesCount64(pl.mask)),
	}
}

// find returns the rows of the key with hash h; eq, for byte keys,
// confirms the key against one of its rows.
func (hv *hashView) find(h uint64, eq func(row int) bool) []uint32 {
	for b := h >> hv.shift; ; b = (b + 1) & hv.mask {
		s := &hv.table[b]
		if s.count == 0 {
			return nil
		}
		if s.hash == h {
			rs := hv.rows[s.start : s.start+s.count]
			if eq == nil || eq(int(rs[0])) {
				return rs
			}
		}
	}
}

// rowsSeq returns an iterator over rs, a view of v's index. Like every
// iterator here it borrows v: v must not be written between creating the
// iterator and running it, but the loop body may write v, since the loop
// holds a reference of its own (the write copies v and leaves the index
// the loop reads alive).
func rowsSeq(v value.V, rs []uint32) iter.Seq[int] {
	return func(yield func(int) bool) {
		held := cow.Retain(v)
		defer cow.Release(&held)
		for _, r := range rs {
			if !yield(int(r)) {
				return
			}
		}
	}
}

// Lookup returns the rows of v whose value equals key, newest first, from
// v's hash index. T must view v (vec.Elem); use LookupBytes and LookupSym for
// STR and SYM vectors.
func Lookup[T vec.Elem](v value.V, key T) (iter.Seq[int], error) {
	ix, pl, err := indexOf("index.Lookup", v, Hash)
	if err != nil {
		return nil, err
	}
	if _, err := vec.Elems[T](v); err != nil {
		return nil, err
	}
	w, ok := keyOf(v.Type(), layout.ElemSize(v), key)
	if !ok { // NaN equals nothing
		return rowsSeq(v, nil), nil
	}
	hv := viewOf(ix, pl)
	return rowsSeq(v, hv.find(mix(w), nil)), nil
}

// LookupBytes returns the rows of a STR (or GUID, as 16 bytes) vector equal
// to key, from its hash index.
func LookupBytes(v value.V, key []byte) (iter.Seq[int], error) {
	ix, pl, err := indexOf("index.LookupBytes", v, Hash)
	if err != nil {
		return nil, err
	}
	if t := v.Type(); t != value.Str && t != value.GUID {
		return nil, ray.Errorf(ray.ErrType, "index.LookupBytes", "a %v vector has no string keys", t)
	}
	k := newKeyer(v)
	h := maphashBytes(key)
	hv := viewOf(ix, pl)
	return rowsSeq(v, hv.find(h, func(row int) bool { return bytes.Equal(k.bytesOf(row), key) })), nil
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
		return rowsSeq(v, nil), nil
	}
	hv := viewOf(ix, pl)
	return rowsSeq(v, hv.find(mix(uint64(id)), nil)), nil
}

// Probe looks up many keys at once, the inner loop of a hash join: for
// each key (in order) that v holds, it calls match with the key's position
// in keys and the rows of v equal to it, newest first, and stops early
// when match returns false. rows is a view of the index, valid only
// during the call: copy what must outlive it. Probe holds a reference to v
// while it runs, so match may write v (which then copies it).
//
// Keys go through in batches of probeBatch, pipelined: while a batch's
// rows are handed to match, the next batch's buckets are already being
// read, so that the cache misses of many keys overlap instead of
// following one another.
func Probe[T vec.Elem](v value.V, keys []T, match func(key int, rows []uint32) bool) error {
	ix, pl, err := indexOf("index.Probe", v, Hash)
	if err != nil {
		return err
	}
	if _, err := vec.Elems[T](v); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	// The keys are read as rows of a vector of v's type, so they hash as
	// v's rows do.
	return probe(v, ix, pl, keyer{t: v.Type(), size: layout.ElemSize(v), data: unsafe.Pointer(&keys[0])}, len(keys), match)
}

// ProbeSyms is Probe for a SYM vector: ids are symbol ids (value.Intern),
// as vec.AllSymIDs reads them from a SYM vector of any width, and match gets
// the rows of v holding each id. A join on a symbol column is one.
func ProbeSyms(v value.V, ids []int64, match func(key int, rows []uint32) bool) error {
	ix, pl, err := indexOf("index.ProbeSyms", v, Hash)
	if err != nil {
		return err
	}
	if v.Type() != value.Sym {
		return ray.Errorf(ray.ErrType, "index.ProbeSyms", "a %v vector has no symbols; use Probe", v.Type())
	}
	if len(ids) == 0 {
		return nil
	}
	// A SYM row's key is its id whatever the width: 8-byte keys hash alike.
	return probe(v, ix, pl, keyer{t: value.Sym, size: 8, data: unsafe.Pointer(&ids[0])}, len(ids), match)
}

// probe runs n keys read by kk through v's hash index ix.
func probe(v, ix value.V, pl *payload, kk keyer, n int, match func(key int, rows []uint32) bool) error {
	held := cow.Retain(v)
	defer cow.Release(&held)
	hv := viewOf(ix, pl)
	// Three batches in flight: one being matched, the next one's rows
	// being read, and the one after's buckets.
	var batches [3]probeBatch
	cur, mid, far := &batches[0], &batches[1], &batches[2]
	cur.load(&kk, &hv, 0, n)
	sink := cur.touch(&hv)
	mid.load(&kk, &hv, probeSize, n)
	for base := 0; base < n; base += probeSize {
		far.load(&kk, &hv, base+2*probeSize, n)
		sink += mid.touch(&hv)
		for j := range cur.m {
			if cur.missing != 0 && cur.lack[0]>>j&1 != 0 {
				continue
			}
			h, b := cur.hs[j], &cur.first[j]
			var rs []uint32
			if b.hash == h && b.count != 0 {
				rs = hv.rows[b.start : b.start+b.count]
			} else if b.count != 0 {
				rs = hv.find(h, nil)
			}
			if len(rs) > 0 && !match(base+j, rs) {
				return nil
			}
		}
		cur, mid, far = mid, far, cur
	}
	runtime.KeepAlive(sink) // keeps the early reads
	return nil
}

const probeSize = 32

// A probeBatch is the hashes of a batch of probe keys and the buckets
// their hashes point at first.
type probeBatch struct {
	m       int
	missing int
	hs      [probeSize]uint64
	lack    [hashChunk / 64]uint64
	first   [probeSize]bucket
}

func (pb *probeBatch) load(kk *keyer, hv *hashView, base, n int) {
	pb.m = max(0, min(probeSize, n-base))
	if pb.m == 0 {
		return
	}
	pb.missing = kk.hashRows(base, pb.hs[:pb.m], &pb.lack)
	for j := range pb.m {
		pb.first[j] = hv.table[pb.hs[j]>>hv.shift]
	}
}

// touch reads the first row of each bucket of the batch, so that the rows
// are in cache when the batch is matched.
func (pb *probeBatch) touch(hv *hashView) uint32 {
	var sink uint32
	for j := range pb.m {
		if b := &pb.first[j]; b.count != 0 {
			sink += hv.rows[b.start]
		}
	}
	return sink
}
