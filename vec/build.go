package vec

import (
	"encoding/binary"
	"math/bits"
	"sync"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/memops"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// Bulk construction, for decoders of columnar formats (rayarrow's Parquet
// reader is one): a column whose length is known is allocated once and its
// rows written in place, by several goroutines when they write disjoint
// rows. Zeros and Mutable do this for the fixed-width types; NewSymN and
// MutableSymIDs for SYM; a StrBuilder appends strings to a STR vector,
// copying each string's bytes once.

// NewSymN returns a SYM vector of n rows of ids width bytes wide (1, 2, 4
// or 8), each holding the symbol id fill, which must be interned and fit
// the width (ErrRange otherwise). Its rows are then written through
// MutableSymIDs. A decoder that does not know the ids it will write chooses
// the width from a bound on them (SymWidthFor).
func NewSymN(n, width int, fill int64) (value.V, error) {
	var w attrbits.Width
	switch width {
	case 1, 2, 4, 8:
		w = attrbits.Width(bits.TrailingZeros(uint(width)))
	default:
		return value.V{}, ray.Errorf(ray.ErrDomain, "vec.NewSymN", "ids %d bytes wide: want 1, 2, 4 or 8", width)
	}
	switch {
	case n < 0:
		return value.V{}, ray.Errorf(ray.ErrLength, "vec.NewSymN", "%d rows", n)
	case fill < 0 || fill >= value.SymCount() || attrbits.WidthFor(uint64(fill)) > w:
		return value.V{}, ray.Errorf(ray.ErrRange, "vec.NewSymN", "id %d in ids %d bytes wide, of %d interned", fill, width, value.SymCount())
	}
	v, err := New(value.Sym, n)
	if err != nil {
		return value.V{}, err
	}
	if err := prepareSym(&v, n, w); err != nil {
		cow.Release(&v)
		return value.V{}, err
	}
	switch {
	case fill == 0:
		memops.ZeroPtr(layout.BlockData(v), uintptr(n)<<w)
	case w == attrbits.W8:
		fillIDs(unsafe.Slice((*uint8)(layout.BlockData(v)), n), uint8(fill))
	case w == attrbits.W16:
		fillIDs(unsafe.Slice((*uint16)(layout.BlockData(v)), n), uint16(fill))
	case w == attrbits.W32:
		fillIDs(unsafe.Slice((*uint32)(layout.BlockData(v)), n), uint32(fill))
	default:
		fillIDs(unsafe.Slice((*uint64)(layout.BlockData(v)), n), uint64(fill))
	}
	layout.SetLen(v, n)
	return v, nil
}

func fillIDs[T SymID](ids []T, id T) {
	for i := range ids {
		ids[i] = id
	}
}

// SymWidthFor returns the bytes of the narrowest SYM id width that holds
// ids up to maxID: 1, 2, 4 or 8 (attrs.SymWidth reports a vector's).
func SymWidthFor(maxID int64) int { return attrbits.WidthFor(uint64(max(maxID, 0))).Bytes() }

// SymID is the Go type of a SYM vector's ids at one of its widths: uint8,
// uint16, uint32 or uint64 for widths of 1, 2, 4 and 8 bytes.
type SymID interface {
	uint8 | uint16 | uint32 | uint64
}

// MutableSymIDs returns the ids of *vp, a SYM vector whose ids are T wide,
// to write in place, after making *vp private as Mutable does. A T of
// another width is ErrType (the vector's width is fixed when it is made;
// NewSymN chooses it). Every id written must be interned and fit T:
// cow.Check reports a row that holds anything else.
func MutableSymIDs[T SymID](vp *value.V) ([]T, error) {
	if err := checkSym("vec.MutableSymIDs", *vp); err != nil {
		return nil, err
	}
	var z T
	if w := widthOf(*vp); w.Bytes() != int(unsafe.Sizeof(z)) {
		return nil, ray.Errorf(ray.ErrType, "vec.MutableSymIDs", "a %T cannot view ids %d bytes wide", z, w.Bytes())
	}
	if err := prepare(vp, 0); err != nil {
		return nil, err
	}
	return unsafe.Slice((*T)(layout.BlockData(*vp)), (*vp).Len()), nil
}

// A StrBuilder makes a STR vector of a known number of rows by appending
// their strings in order: each string's bytes are copied once, into the
// vector's view or its pool, which grows by doubling (from a first size
// the caller may give). It is not safe for concurrent use; decoders build
// one per part of a column and join them with ConcatAll.
type StrBuilder struct {
	v     value.V
	rows  int // the rows the vector has room for
	n     int // rows appended
	views unsafe.Pointer
	pool  unsafe.Pointer // the pool's block, or nil
	data  unsafe.Pointer // the pool's bytes
	used  int            // bytes of the pool in use
	room  int            // the pool's capacity
}

// NewStrBuilder returns a builder of a STR vector of up to rows rows, its
// pool first allocated with room for poolHint bytes (0: when a long string
// first needs it).
func NewStrBuilder(rows, poolHint int) (*StrBuilder, error) {
	if rows < 0 || poolHint < 0 {
		return nil, ray.Errorf(ray.ErrLength, "vec.NewStrBuilder", "%d rows, %d bytes", rows, poolHint)
	}
	v, err := New(value.Str, rows)
	if err != nil {
		return nil, err
	}
	b := &StrBuilder{v: v, rows: rows, views: layout.BlockData(v)}
	if poolHint > 0 {
		if err := b.grow(poolHint); err != nil {
			cow.Release(&b.v)
			return nil, err
		}
	}
	return b, nil
}

// Len returns the rows appended so far.
func (b *StrBuilder) Len() int { return b.n }

// Append adds s as the next row. Past the rows the builder was made for it
// is ErrLength; a pool past MaxPool bytes is ErrLimit. On an error the
// builder is unchanged.
func (b *StrBuilder) Append(s []byte) error {
	if b.n >= b.rows {
		return ray.Errorf(ray.ErrLength, "vec.StrBuilder.Append", "row %d of a builder of %d", b.n, b.rows)
	}
	e := (*[16]byte)(offheap.Add(b.views, uintptr(b.n)*16))
	if len(s) <= strInline {
		var view [16]byte // built in registers, stored once
		binary.LittleEndian.PutUint32(view[0:4], uint32(len(s)))
		copy(view[4:], s)
		*e = view
		b.n++
		return nil
	}
	if len(s) > b.room-b.used {
		if len(s) > MaxPool-b.used {
			return ray.Errorf(ray.ErrLimit, "vec.StrBuilder.Append", "the STR pool would hold more than %d bytes", MaxPool)
		}
		if err := b.grow(max(b.used+len(s), min(2*b.room, MaxPool))); err != nil {
			return err
		}
	}
	var view [16]byte
	binary.LittleEndian.PutUint32(view[0:4], uint32(len(s)))
	copy(view[4:8], s)
	binary.LittleEndian.PutUint32(view[12:16], uint32(b.used))
	*e = view
	copy(unsafe.Slice((*byte)(offheap.Add(b.data, uintptr(b.used))), len(s)), s)
	b.used += len(s)
	b.n++
	return nil
}

// AppendSpans appends len(spans)/2 rows: row i is data[spans[2i]:
// spans[2i+1]]. It is Append for a decoder that has its strings in one
// buffer: the pool grows once, and each row costs a view and a copy. A
// span outside data is ErrRange, and nothing is appended.
func (b *StrBuilder) AppendSpans(data []byte, spans []uint32) error {
	n := len(spans) / 2
	if n > b.rows-b.n {
		return ray.Errorf(ray.ErrLength, "vec.StrBuilder.AppendSpans", "%d rows after %d of a builder of %d", n, b.n, b.rows)
	}
	pooled := 0
	for i := range n {
		start, end := spans[2*i], spans[2*i+1]
		if start > end || int(end) > len(data) {
			return ray.Errorf(ray.ErrRange, "vec.StrBuilder.AppendSpans", "row %d: bytes [%d, %d) of %d", i, start, end, len(data))
		}
		if l := int(end - start); l > strInline {
			pooled += l
		}
	}
	if pooled > b.room-b.used {
		if pooled > MaxPool-b.used {
			return ray.Errorf(ray.ErrLimit, "vec.StrBuilder.AppendSpans", "the STR pool would hold more than %d bytes", MaxPool)
		}
		if err := b.grow(max(b.used+pooled, min(2*b.room, MaxPool))); err != nil {
			return err
		}
	}
	views := unsafe.Slice((*[16]byte)(offheap.Add(b.views, uintptr(b.n)*16)), n)
	var pool []byte
	if b.data != nil {
		pool = unsafe.Slice((*byte)(b.data), b.room)
	}
	used := b.used
	for i := range views {
		s := data[spans[2*i]:spans[2*i+1]]
		var view [16]byte
		binary.LittleEndian.PutUint32(view[0:4], uint32(len(s)))
		if len(s) <= strInline {
			copy(view[4:], s)
		} else {
			copy(view[4:8], s)
			binary.LittleEndian.PutUint32(view[12:16], uint32(used))
			used += copy(pool[used:], s)
		}
		views[i] = view
	}
	b.used = used
	b.n += n
	return nil
}

// AppendString is Append of a string.
func (b *StrBuilder) AppendString(s string) error {
	return b.Append(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// grow gives the pool room for size bytes in all.
func (b *StrBuilder) grow(size int) error {
	p, room, err := growPool(b.v, b.pool, size)
	if err != nil {
		return err
	}
	b.pool, b.data, b.room = p, layout.BlockData(layout.FromPointer(p)), room
	return nil
}

// growPool makes pool (nil for none yet) a block of at least size bytes,
// moved if it must be, and returns it with the bytes it holds (at most
// MaxPool). When v is a vector (not yet for a StrParts part) it owns the
// pool from then on, so that releasing v frees it.
func growPool(v value.V, pool unsafe.Pointer, size int) (unsafe.Pointer, int, error) {
	var p unsafe.Pointer
	var err error
	if pool == nil {
		if p, err = heap.Alloc(uintptr(size)); err == nil {
			layout.InitBytes(p, 0)
		}
	} else {
		p, err = heap.Realloc(pool, uintptr(size))
	}
	if err != nil {
		return nil, 0, err
	}
	if !v.IsZero() {
		layout.SetPool(v, layout.FromPointer(p))
	}
	return p, int(min(heap.Cap(p), MaxPool)), nil
}

// Finish returns the vector of the rows appended; the builder is empty
// afterwards and may not be used again.
func (b *StrBuilder) Finish() value.V {
	v := b.v
	if b.pool != nil {
		layout.SetLen(layout.FromPointer(b.pool), b.used)
	}
	layout.SetLen(v, b.n)
	*b = StrBuilder{}
	return v
}

// Release frees what the builder holds, for a caller that will not Finish
// (or, for a part, will not Join).
func (b *StrBuilder) Release() {
	if b.v.IsZero() { // a part: the pool is its own
		if b.pool != nil {
			pool := layout.FromPointer(b.pool)
			cow.Release(&pool)
		}
		*b = StrBuilder{}
		return
	}
	if b.pool != nil {
		layout.SetLen(layout.FromPointer(b.pool), b.used)
	}
	layout.SetLen(b.v, b.n)
	cow.Release(&b.v)
	*b = StrBuilder{}
}

// StrParts builds one STR vector of a known number of rows from parts that
// goroutines write at once, for decoders that split a column: each part is
// a StrBuilder that writes its rows' views in place and its strings into a
// pool of its own; Join copies the pools into one and moves the offsets of
// the views that point into them, so no view is copied.
type StrParts struct {
	v    value.V
	rows int
}

// NewStrParts allocates a STR vector of rows rows to be written in parts.
func NewStrParts(rows int) (*StrParts, error) {
	if rows < 0 {
		return nil, ray.Errorf(ray.ErrLength, "vec.NewStrParts", "%d rows", rows)
	}
	v, err := New(value.Str, rows)
	if err != nil {
		return nil, err
	}
	return &StrParts{v: v, rows: rows}, nil
}

// Part returns a builder of rows [start, start+rows) of the vector. Parts
// must not overlap; each must be filled (Append rows times) before Join.
func (p *StrParts) Part(start, rows int) (*StrBuilder, error) {
	if p.v.IsZero() {
		return nil, ray.Errorf(ray.ErrDomain, "vec.StrParts.Part", "the vector was joined or released")
	}
	if start < 0 || rows < 0 || start > p.rows-rows {
		return nil, ray.Errorf(ray.ErrRange, "vec.StrParts.Part", "rows [%d, %d+%d) of %d", start, start, rows, p.rows)
	}
	return &StrBuilder{rows: rows, views: offheap.Add(layout.BlockData(p.v), uintptr(start)*16)}, nil
}

// Join returns the vector, its parts (in row order, together every row,
// each filled) joined; it releases the parts' builders. A vector of one
// part keeps that part's pool; others get a pool of their parts' strings. Parts that do not
// cover the rows are ErrLength, and the vector is released.
func (p *StrParts) Join(parts []*StrBuilder) (value.V, error) {
	if p.v.IsZero() {
		return value.V{}, ray.Errorf(ray.ErrDomain, "vec.StrParts.Join", "the vector was joined or released")
	}
	defer func() {
		for _, b := range parts {
			b.Release()
		}
	}()
	rows, pooled := 0, 0
	for _, b := range parts {
		if b.n != b.rows {
			p.Release()
			return value.V{}, ray.Errorf(ray.ErrLength, "vec.StrParts.Join", "a part of %d rows holds %d", b.rows, b.n)
		}
		rows += b.rows
		pooled += b.used
	}
	if rows != p.rows || pooled > MaxPool {
		p.Release()
		return value.V{}, ray.Errorf(ray.ErrLength, "vec.StrParts.Join", "parts of %d rows (%d pooled bytes) for %d", rows, pooled, p.rows)
	}
	v := p.v
	p.v = value.V{}
	if len(parts) == 1 && parts[0].pool != nil {
		// One part: its pool is the vector's, as it is.
		b := parts[0]
		layout.SetLen(layout.FromPointer(b.pool), b.used)
		layout.SetPool(v, layout.FromPointer(b.pool))
		b.pool = nil // not the builder's to free any more
		layout.SetLen(v, rows)
		return v, nil
	}
	if pooled > 0 {
		pb, err := heap.Alloc(uintptr(pooled))
		if err != nil {
			cow.Release(&v)
			return value.V{}, err
		}
		pool := layout.InitBytes(pb, pooled)
		layout.SetPool(v, pool)
		at := 0
		for _, b := range parts {
			if b.used == 0 {
				continue
			}
			memops.CopyPtr(offheap.Add(layout.BlockData(pool), uintptr(at)), b.data, uintptr(b.used))
			if at > 0 {
				views := unsafe.Slice((*[16]byte)(b.views), b.rows)
				for i := range views {
					if binary.LittleEndian.Uint32(views[i][0:4]) > strInline {
						binary.LittleEndian.PutUint32(views[i][12:16], binary.LittleEndian.Uint32(views[i][12:16])+uint32(at))
					}
				}
			}
			at += b.used
		}
	}
	layout.SetLen(v, rows)
	return v, nil
}

// Release frees the vector, for a caller that will not Join.
func (p *StrParts) Release() { cow.Release(&p.v) }

// A StrFill builds one STR vector of a known number of rows whose rows are
// written by several goroutines at once, each a run of rows at a time,
// into one pool: a writer reserves its run's bytes under a short lock and
// copies them outside it, so no bytes are copied twice (StrParts copies
// the parts' pools into one when it joins them) and the vector never holds
// more than its own pool. The pool grows under the lock, to what the rows
// written so far promise for the whole vector, so it is usually
// reallocated a few times, early, while small.
type StrFill struct {
	v    value.V
	rows int

	// mu is held shared while a run's bytes are copied into the pool and
	// exclusively while the pool is reserved from or grown.
	mu      sync.RWMutex
	pool    unsafe.Pointer // the pool's block, or nil
	used    int            // bytes reserved
	room    int            // the pool's capacity
	written int            // rows written, for the estimate
}

// NewStrFill allocates a STR vector of rows rows to be written in runs.
func NewStrFill(rows int) (*StrFill, error) {
	if rows < 0 {
		return nil, ray.Errorf(ray.ErrLength, "vec.NewStrFill", "%d rows", rows)
	}
	v, err := New(value.Str, rows)
	if err != nil {
		return nil, err
	}
	// Zeroed, so that a row no run writes is the empty string, not a view
	// into nothing.
	memops.ZeroPtr(layout.BlockData(v), uintptr(rows)*16)
	layout.SetLen(v, rows)
	return &StrFill{v: v, rows: rows}, nil
}

// Write writes strs as rows [at, at+len(strs)). Runs written by different
// goroutines must not overlap. Rows outside the vector are ErrRange; a pool
// past MaxPool bytes is ErrLimit. On an error no row is written.
func (f *StrFill) Write(at int, strs [][]byte) error {
	if at < 0 || at > f.rows-len(strs) {
		return ray.Errorf(ray.ErrRange, "vec.StrFill.Write", "rows [%d, %d+%d) of %d", at, at, len(strs), f.rows)
	}
	need := 0
	for _, s := range strs {
		if len(s) > strInline {
			need += len(s)
		}
	}
	off := 0
	if need > 0 {
		var err error
		if off, err = f.reserve(need, len(strs)); err != nil {
			return err
		}
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.v.IsZero() {
		return ray.Errorf(ray.ErrDomain, "vec.StrFill.Write", "the vector was finished or released")
	}
	views := unsafe.Slice((*[16]byte)(offheap.Add(layout.BlockData(f.v), uintptr(at)*16)), len(strs))
	var pool []byte
	if need > 0 {
		pool = unsafe.Slice((*byte)(layout.BlockData(layout.FromPointer(f.pool))), f.room)[off : off+need]
	}
	k := 0
	for i, s := range strs {
		var view [16]byte
		binary.LittleEndian.PutUint32(view[0:4], uint32(len(s)))
		if len(s) <= strInline {
			copy(view[4:], s)
		} else {
			copy(view[4:8], s)
			binary.LittleEndian.PutUint32(view[12:16], uint32(off+k))
			k += copy(pool[k:], s)
		}
		views[i] = view
	}
	return nil
}

// reserve sets aside need bytes of the pool for a run of rows rows and
// returns where they start.
func (f *StrFill) reserve(need, rows int) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.v.IsZero() {
		return 0, ray.Errorf(ray.ErrDomain, "vec.StrFill.Write", "the vector was finished or released")
	}
	if need > MaxPool-f.used {
		return 0, ray.Errorf(ray.ErrLimit, "vec.StrFill.Write", "the STR pool would hold more than %d bytes", MaxPool)
	}
	f.written += rows
	if f.used+need > f.room {
		// What the rows so far promise for all of them, and an eighth
		// more; at least double, so that a poor estimate costs few
		// reallocations.
		want := f.used + need
		if f.written > 0 {
			want = max(want, int(min(int64(f.used+need)*int64(f.rows)/int64(f.written)*9/8, MaxPool)))
		}
		want = max(want, min(2*f.room, MaxPool))
		p, room, err := growPool(f.v, f.pool, want)
		if err != nil {
			return 0, err
		}
		f.pool, f.room = p, room
	}
	off := f.used
	f.used += need
	return off, nil
}

// Finish returns the vector. Every row must have been written: a row not
// written holds the empty string.
func (f *StrFill) Finish() value.V {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.v
	if f.pool != nil {
		layout.SetLen(layout.FromPointer(f.pool), f.used)
	}
	f.v, f.pool = value.V{}, nil
	return v
}

// Release frees the vector, for a caller that will not Finish.
func (f *StrFill) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pool != nil {
		layout.SetLen(layout.FromPointer(f.pool), f.used)
	}
	cow.Release(&f.v)
	f.pool = nil
}

// A StrLoad makes a STR vector from views and a pool stored in raygo's own
// layout (a column file holds them as they are in memory): the caller
// reads them straight into Views and Pool, and Finish checks every view
// before the vector is handed out, so that no byte is copied twice and
// none goes through Go's heap.
type StrLoad struct {
	v    value.V
	rows int
	pool []byte
}

// NewStrLoad allocates a STR vector of rows rows and its pool of poolBytes
// bytes, to be filled through Views and Pool. A pool past MaxPool bytes is
// ErrLimit.
func NewStrLoad(rows, poolBytes int) (*StrLoad, error) {
	switch {
	case rows < 0 || poolBytes < 0:
		return nil, ray.Errorf(ray.ErrLength, "vec.NewStrLoad", "%d rows, %d pool bytes", rows, poolBytes)
	case poolBytes > MaxPool:
		return nil, ray.Errorf(ray.ErrLimit, "vec.NewStrLoad", "a pool of %d bytes (at most %d)", poolBytes, MaxPool)
	}
	v, err := New(value.Str, rows)
	if err != nil {
		return nil, err
	}
	l := &StrLoad{v: v, rows: rows}
	if poolBytes > 0 {
		p, err := heap.Alloc(uintptr(poolBytes))
		if err != nil {
			cow.Release(&v)
			return nil, err
		}
		pool := layout.InitBytes(p, poolBytes)
		layout.SetPool(v, pool) // the vector owns it from here: Release frees both
		l.pool = unsafe.Slice((*byte)(layout.BlockData(pool)), poolBytes)
	}
	return l, nil
}

// Views returns the memory of the vector's views, 16 bytes a row, in
// raygo's view layout (vec/str.go), to be filled.
func (l *StrLoad) Views() []byte {
	if l.v.IsZero() || l.rows == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(layout.BlockData(l.v)), l.rows*16)
}

// Pool returns the memory of the vector's pool, to be filled.
func (l *StrLoad) Pool() []byte { return l.pool }

// Finish checks every view and returns the vector: a short string's view
// must be zero past the string, a long one's must lie in the pool (buffer
// 0) and repeat its first four bytes. A view that does not is ErrCorrupt
// naming its row, and the vector is released. The StrLoad is empty
// afterwards.
func (l *StrLoad) Finish() (value.V, error) {
	if l.v.IsZero() {
		return value.V{}, ray.Errorf(ray.ErrDomain, "vec.StrLoad.Finish", "the vector was finished or released")
	}
	views, pool := l.Views(), l.pool
	for i := range l.rows {
		e := (*[16]byte)(views[16*i:])
		n := binary.LittleEndian.Uint32(e[0:4])
		if n <= strInline {
			var pad [strInline]byte
			if string(e[4+n:]) != string(pad[:strInline-n]) {
				l.Release()
				return value.V{}, ray.Errorf(ray.ErrCorrupt, "vec.StrLoad.Finish", "row %d: a string of %d bytes with bytes past it", i, n)
			}
			continue
		}
		off := uint64(binary.LittleEndian.Uint32(e[12:16]))
		if binary.LittleEndian.Uint32(e[8:12]) != 0 || off+uint64(n) > uint64(len(pool)) || string(e[4:8]) != string(pool[off:off+4]) {
			l.Release()
			return value.V{}, ray.Errorf(ray.ErrCorrupt, "vec.StrLoad.Finish", "row %d: a string of %d bytes at %d, outside a pool of %d or not its prefix", i, n, off, len(pool))
		}
	}
	v := l.v
	layout.SetLen(v, l.rows)
	l.v, l.pool = value.V{}, nil
	return v, nil
}

// Release frees the vector and its pool, for a caller that will not
// Finish.
func (l *StrLoad) Release() {
	cow.Release(&l.v)
	l.pool = nil
}

// Reserve makes *vp a private vector with room for n elements without
// changing its length (growing its block in place when the heap can, else
// moving it: at least doubling, as appends do), for a builder that writes
// rows past the length and then sets it. A shared, sliced or mapped vector
// is copied first, as any write does.
func Reserve(vp *value.V, n int) error {
	if vp.IsZero() || !vp.IsVector() || vp.Type() == value.List {
		return ray.Errorf(ray.ErrType, "vec.Reserve", "cannot reserve rows of %v", vp.TypeName())
	}
	if n < 0 {
		return ray.Errorf(ray.ErrLength, "vec.Reserve", "%d rows", n)
	}
	return prepare(vp, n)
}

// Resize sets the vector's rows to rows: rows added are empty strings,
// rows dropped are forgotten (their pool bytes stay, unreferenced). It must
// not run beside Write.
func (f *StrFill) Resize(rows int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.v.IsZero() {
		return ray.Errorf(ray.ErrDomain, "vec.StrFill.Resize", "the vector was finished or released")
	}
	if rows < 0 {
		return ray.Errorf(ray.ErrLength, "vec.StrFill.Resize", "%d rows", rows)
	}
	if rows > f.rows {
		if err := prepare(&f.v, rows); err != nil {
			return err
		}
		memops.ZeroPtr(offheap.Add(layout.BlockData(f.v), uintptr(f.rows)*16), uintptr(rows-f.rows)*16)
	}
	layout.SetLen(f.v, rows)
	f.rows = rows
	return nil
}
