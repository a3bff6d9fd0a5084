package vec

import (
	"encoding/binary"
	"math"
	"strings"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/memops"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// STR vectors use Apache Arrow's string-view layout (ARCHITECTURE.md, "Vectors"), so that
// they export as Arrow string_view with no copy. Each element is 16 bytes:
//
//	bytes 0..3    length (uint32, little-endian)
//	length <= 12: bytes 4..15 the string itself, zero-padded
//	length > 12:  bytes 4..7 its first 4 bytes, 8..11 buffer index (always
//	              0: the pool), 12..15 offset into the pool
//
// The pool is a U8 vector in header bytes 8..15 (owned; 0 when no string
// has needed it). Its length is the bytes in use; its header bytes 0..7
// count the dead bytes that overwritten strings left behind, which
// CompactStr reclaims. Offsets are int32 in Arrow, so a pool holds at most
// MaxPool bytes. STR nulls are always in an external map (bytes 0..7),
// since bytes 8..15 hold the pool.

const (
	strInline = 12
	// MaxPool is the largest STR pool: Arrow's view offsets are int32.
	MaxPool = math.MaxInt32
)

func checkStr(op string, v value.V) error {
	if v.IsZero() || v.Type() != value.Str {
		return ray.Errorf(ray.ErrType, op, "want a STR vector, have %v", v.TypeName())
	}
	return nil
}

// strView returns the bytes of element i of v, in place.
func strView(v value.V, i int) []byte {
	e := (*[16]byte)(offheap.Add(layout.Data(v), uintptr(i)*16))
	n := binary.LittleEndian.Uint32(e[0:4])
	if n <= strInline {
		return e[4 : 4+n : 4+n]
	}
	off := binary.LittleEndian.Uint32(e[12:16])
	return unsafe.Slice((*byte)(offheap.Add(layout.BlockData(layout.Pool(v)), uintptr(off))), n)
}

// GetStr returns a copy of row i of a STR vector.
func GetStr(v value.V, i int) (string, error) {
	b, err := StrView(v, i)
	return string(b), err
}

// StrView returns row i of a STR vector without copying: the bytes alias
// the vector's block or pool, are valid only while the caller holds a
// reference to v and v is not mutated, and must not be written.
func StrView(v value.V, i int) ([]byte, error) {
	if err := checkStr("vec.StrView", v); err != nil {
		return nil, err
	}
	if n := int(layout.Len(v)); i < 0 || i >= n {
		return nil, ray.Errorf(ray.ErrRange, "vec.StrView", "index %d outside [0, %d)", i, n)
	}
	return strView(v, i), nil
}

// FromStrings returns a STR vector of xs.
func FromStrings(xs []string) (value.V, error) {
	return FromStringsFunc(len(xs), func(i int) string { return xs[i] })
}

// FromStringsFunc returns a STR vector of n rows, row i holding at(i). It
// calls at twice for each row, first to size the pool, which is then
// allocated once and written in order: the bulk form of AppendStr, for
// converting a column from another format. at must give the same strings
// both times.
func FromStringsFunc(n int, at func(i int) string) (value.V, error) {
	if n < 0 {
		return value.V{}, ray.Errorf(ray.ErrLength, "vec.FromStringsFunc", "%d rows", n)
	}
	pooled := 0
	for i := range n {
		if l := len(at(i)); l > strInline {
			if l > MaxPool || pooled > MaxPool-l {
				return value.V{}, ray.Errorf(ray.ErrLimit, "vec.FromStringsFunc", "the STR pool would hold more than %d bytes", MaxPool)
			}
			pooled += l
		}
	}
	v, err := New(value.Str, n)
	if err != nil {
		return value.V{}, err
	}
	built := false
	defer func() {
		if !built { // an error, or a panic in at
			cow.Release(&v)
		}
	}()
	var pool []byte
	if pooled > 0 {
		p, err := heap.Alloc(uintptr(pooled))
		if err != nil {
			return value.V{}, err
		}
		layout.SetPool(v, layout.InitBytes(p, 0))
		pool = unsafe.Slice((*byte)(layout.BlockData(layout.FromPointer(p))), pooled)
	}
	views := unsafe.Slice((*[16]byte)(layout.BlockData(v)), n)
	off := 0
	for i := range views {
		s := at(i)
		e := &views[i]
		*e = [16]byte{}
		binary.LittleEndian.PutUint32(e[0:4], uint32(len(s)))
		if len(s) <= strInline {
			copy(e[4:], s)
			continue
		}
		if len(s) > len(pool)-off {
			return value.V{}, ray.Errorf(ray.ErrLength, "vec.FromStringsFunc", "row %d is longer than the first time it was asked for", i)
		}
		copy(e[4:8], s)
		copy(pool[off:], s)
		binary.LittleEndian.PutUint32(e[12:16], uint32(off))
		off += len(s)
	}
	if pooled > 0 {
		layout.SetLen(layout.Pool(v), uint64(off))
	}
	built = true
	layout.SetLen(v, uint64(n))
	return v, nil
}

// build returns a new vector of type t made by calling add for rows 0..n-1;
// on an error it releases what it built.
func build(t value.Type, n int, add func(vp *value.V, i int) error) (value.V, error) {
	v, err := New(t, n)
	if err != nil {
		return value.V{}, err
	}
	for i := range n {
		if err := add(&v, i); err != nil {
			cow.Release(&v)
			return value.V{}, err
		}
	}
	return v, nil
}

// AppendStr adds s at the end of *vp. s may view *vp itself (from
// StrView): writeStr takes it before anything it lies in can move.
func AppendStr(vp *value.V, s string) error {
	if err := checkStr("vec.AppendStr", *vp); err != nil {
		return err
	}
	n := int(layout.Len(*vp))
	return writeStr(vp, n, n+1, s)
}

// SetStr writes s into row i of *vp, which becomes a value (not null). A
// pooled string it replaces becomes dead bytes in the pool. s may view *vp
// itself, as in AppendStr.
func SetStr(vp *value.V, i int, s string) error {
	if err := checkStr("vec.SetStr", *vp); err != nil {
		return err
	}
	n := int(layout.Len(*vp))
	if i < 0 || i >= n {
		return ray.Errorf(ray.ErrRange, "vec.SetStr", "index %d outside [0, %d)", i, n)
	}
	if err := writeStr(vp, i, n, s); err != nil {
		return err
	}
	if layout.MayHaveNulls(*vp) {
		return setNullBit(vp, i, false)
	}
	return nil
}

// writeStr makes *vp private with rows rows (its length, or one more to
// append) and writes the view of s into row i, appending s to the pool when
// it is longer than 12 bytes; a pooled string row i held becomes dead bytes.
//
// s may lie in *vp's own memory, and making *vp private or growing it may
// move that memory, so s is taken first: a string that fits a view is
// copied into the view before anything moves, and a longer one, which can
// only come from a pool, is copied to Go memory when the pool is about to
// move and holds it. Neither costs anything on the common path.
func writeStr(vp *value.V, i, rows int, s string) error {
	var e [16]byte
	if len(s) > math.MaxUint32 {
		return ray.Errorf(ray.ErrLimit, "vec.AppendStr", "a string of %d bytes", len(s))
	}
	binary.LittleEndian.PutUint32(e[0:4], uint32(len(s)))
	if len(s) <= strInline {
		copy(e[4:], s)
	} else {
		copy(e[4:8], s)
	}
	n := int(layout.Len(*vp))
	if err := prepare(vp, rows); err != nil {
		return err
	}
	if i < n {
		if old := strView(*vp, i); len(old) > strInline {
			pool, err := privatePool(vp, 0, nil)
			if err != nil {
				return err
			}
			layout.AddPoolDead(pool, uint64(len(old)))
		}
	}
	if len(s) > strInline {
		pool, err := privatePool(vp, len(s), &s)
		if err != nil {
			return err
		}
		off := layout.Len(pool)
		memops.CopyPtr(offheap.Add(layout.BlockData(pool), uintptr(off)), unsafe.Pointer(unsafe.StringData(s)), uintptr(len(s)))
		layout.SetLen(pool, off+uint64(len(s)))
		binary.LittleEndian.PutUint32(e[12:16], uint32(off))
	}
	*(*[16]byte)(offheap.Add(layout.BlockData(*vp), uintptr(i)*16)) = e
	if i >= n {
		layout.SetLen(*vp, uint64(i+1))
	}
	return nil
}

// privatePool makes the pool of *vp (private, unsliced, unindexed) private
// to it, with room for extra more bytes, and returns it; it creates the
// pool when there is none. Pools grow by doubling. When growing moves the
// pool and *keep (a string about to be written) lies in it, *keep is first
// copied to Go memory.
func privatePool(vp *value.V, extra int, keep *string) (value.V, error) {
	pool := layout.Pool(*vp)
	if pool.IsZero() {
		p, err := heap.Alloc(uintptr(max(extra, 256)))
		if err != nil {
			return value.V{}, err
		}
		pool = layout.InitBytes(p, 0)
		layout.SetPool(*vp, pool)
		return pool, nil
	}
	if err := cow.Cow(&pool); err != nil { // a shared pool stays alive for its other owner
		return value.V{}, err
	}
	layout.SetPool(*vp, pool)
	used := layout.Len(pool)
	need := used + uint64(extra)
	if need > MaxPool {
		return value.V{}, ray.Errorf(ray.ErrLimit, "vec.AppendStr", "the STR pool would hold %d bytes, more than %d", need, MaxPool)
	}
	if need > uint64(heap.Cap(layout.Block(pool))) {
		if keep != nil {
			if p := uintptr(unsafe.Pointer(unsafe.StringData(*keep))); inBlock(pool, p, p+uintptr(len(*keep))) {
				*keep = strings.Clone(*keep)
			}
		}
		p, err := heap.Realloc(layout.Block(pool), uintptr(max(need, 2*used)))
		if err != nil {
			return value.V{}, err
		}
		pool = layout.FromPointer(p)
		layout.SetPool(*vp, pool)
	}
	return pool, nil
}

// StrPoolStats describes the pool of a STR vector (StrPool).
type StrPoolStats struct {
	// Bytes is the size of the pool, shared with a slice's parent.
	Bytes int
	// Pooled is the bytes of the vector's rows' strings that lie in the
	// pool (those longer than 12 bytes; shorter ones are inline in their
	// views). For a slice they are its rows' strings, however large the
	// pool it shares with its parent; Bytes less Pooled is what
	// CompactStr would drop.
	Pooled int
	// Dead is the pool bytes that overwritten strings left behind, which
	// no row of the pool's vector uses.
	Dead int
}

// StrPool reports on the pool of a STR vector: how large it is and how
// much of it the vector's rows use, for an engine deciding when
// CompactStr pays. Another type is ErrType.
func StrPool(v value.V) (StrPoolStats, error) {
	if err := checkStr("vec.StrPool", v); err != nil {
		return StrPoolStats{}, err
	}
	st := StrPoolStats{Pooled: pooledBytes(v)}
	if pool := layout.Pool(v); !pool.IsZero() {
		st.Bytes = int(pool.Len())
		st.Dead = int(layout.PoolDead(pool))
	}
	return st, nil
}

// pooledBytes is StrPoolStats.Pooled.
func pooledBytes(v value.V) int {
	n := 0
	for _, e := range unsafe.Slice((*[16]byte)(layout.Data(v)), layout.Len(v)) {
		if l := binary.LittleEndian.Uint32(e[0:4]); l > strInline {
			n += int(l)
		}
	}
	return n
}

// CompactStr gives *vp a pool holding exactly the bytes its rows use (none
// at all when every string is inline). When the new pool cannot be
// allocated it returns the error and leaves *vp as it was (the C runtime
// returns the uncompacted vector as if it had succeeded: ARCHITECTURE.md D24).
func CompactStr(vp *value.V) error {
	if err := checkStr("vec.CompactStr", *vp); err != nil {
		return err
	}
	if err := prepare(vp, 0); err != nil {
		return err
	}
	v := *vp
	views := unsafe.Slice((*[16]byte)(layout.BlockData(v)), layout.Len(v))
	live := pooledBytes(v)
	var fresh value.V
	if live > 0 {
		p, err := heap.Alloc(uintptr(live))
		if err != nil {
			return err
		}
		layout.InitBytes(p, 0)
		fresh = layout.FromPointer(p)
		from := unsafe.Slice((*byte)(layout.BlockData(layout.Pool(v))), layout.Len(layout.Pool(v)))
		to := unsafe.Slice((*byte)(layout.BlockData(fresh)), live)
		off := 0
		for i := range views {
			e := &views[i]
			l := binary.LittleEndian.Uint32(e[0:4])
			if l <= strInline {
				continue
			}
			at := binary.LittleEndian.Uint32(e[12:16])
			copy(to[off:off+int(l)], from[at:at+l])
			binary.LittleEndian.PutUint32(e[12:16], uint32(off))
			off += int(l)
		}
		layout.SetLen(fresh, uint64(off))
	}
	old := layout.Pool(v)
	layout.SetPool(v, fresh)
	cow.Release(&old)
	return nil
}
