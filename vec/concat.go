package vec

import (
	"encoding/binary"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/memops"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// Concat returns a new vector holding a's rows, then b's, nulls included.
// a and b must have the same type. Two columns linked into the same table
// give a column linked into it; otherwise the result is a plain vector.
// Two TABLEs of the same column names, in the same order and of the same
// types, give a table of a's rows then b's.
func Concat(a, b value.V) (value.V, error) {
	return concat("vec.Concat", []value.V{a, b})
}

// ConcatAll returns a new value holding the rows of every one of vs in
// order: vectors of one type, or TABLEs of the same columns, as Concat
// takes them. The result is allocated once, at its full size, and each row
// is copied once. One value is returned with a new reference, not copied.
func ConcatAll(vs ...value.V) (value.V, error) {
	switch len(vs) {
	case 0:
		return value.V{}, ray.Errorf(ray.ErrLength, "vec.ConcatAll", "nothing to concatenate")
	case 1:
		return cow.Retain(vs[0]), nil
	}
	return concat("vec.ConcatAll", vs)
}

// concat is Concat of any number of values, two or more.
func concat(op string, vs []value.V) (value.V, error) {
	for _, v := range vs {
		if v.IsZero() {
			return value.V{}, ray.Errorf(ray.ErrType, op, "no value")
		}
	}
	t := vs[0].Type()
	for _, v := range vs[1:] {
		if v.Type() != t {
			return value.V{}, ray.Errorf(ray.ErrType, op, "cannot concatenate %v and %v", vs[0].TypeName(), v.TypeName())
		}
	}
	if t == value.Table {
		return concatTables(op, vs)
	}
	if !isFixed(t) && t != value.Str && t != value.Sym {
		return value.V{}, ray.Errorf(ray.ErrType, op, "cannot concatenate %v vectors", t)
	}
	total := 0
	for _, v := range vs {
		total += int(layout.Len(v))
	}
	var c value.V
	var err error
	switch t {
	case value.Str:
		c, err = concatStr(op, vs, total)
	case value.Sym:
		c, err = concatSym(vs, total)
	default:
		c, err = concatFixed(vs, total)
	}
	if err != nil {
		return value.V{}, err
	}
	at := 0
	for _, v := range vs {
		n := int(layout.Len(v))
		if err := copyNulls(&c, v, 0, n, at); err != nil {
			cow.Release(&c)
			return value.V{}, err
		}
		at += n
	}
	return c, nil
}

// concatFixed joins vectors of a fixed-size type, keeping a link to a
// table that all of them share.
func concatFixed(vs []value.V, total int) (value.V, error) {
	t := vs[0].Type()
	c, err := New(t, total)
	if err != nil {
		return value.V{}, err
	}
	size := uintptr(t.ElemSize())
	at := uintptr(0)
	for _, v := range vs {
		n := uintptr(layout.Len(v)) * size
		memops.CopyPtr(offheap.Add(layout.BlockData(c), at), layout.Data(v), n)
		at += n
	}
	layout.SetLen(c, uint64(total))
	link, linked := layout.LinkOf(vs[0])
	for _, v := range vs[1:] {
		if l, ok := layout.LinkOf(v); !ok || l != link {
			linked = false
		}
	}
	if linked {
		layout.SetLink(c, link)
	}
	return c, nil
}

// concatStr joins STR vectors into one pool: each vector's pool is copied
// after the ones before it, and its pooled strings' offsets are shifted by
// the bytes before it (as in the C runtime, for two).
func concatStr(op string, vs []value.V, total int) (value.V, error) {
	c, err := New(value.Str, total)
	if err != nil {
		return value.V{}, err
	}
	poolLen := 0
	for _, v := range vs {
		if p := layout.Pool(v); !p.IsZero() {
			poolLen += int(layout.Len(p))
		}
	}
	if uint64(poolLen) > MaxPool {
		cow.Release(&c)
		return value.V{}, ray.Errorf(ray.ErrLimit, op, "the STR pool would hold %d bytes, more than %d", poolLen, MaxPool)
	}
	var pool value.V
	if poolLen > 0 {
		p, err := heap.Alloc(uintptr(poolLen))
		if err != nil {
			cow.Release(&c)
			return value.V{}, err
		}
		pool = layout.InitBytes(p, poolLen)
		layout.SetPool(c, pool)
	}
	row, poolAt := 0, 0
	for _, v := range vs {
		n := int(layout.Len(v))
		views := offheap.Add(layout.BlockData(c), uintptr(row)*16)
		memops.CopyPtr(views, layout.Data(v), uintptr(n)*16)
		if p := layout.Pool(v); !p.IsZero() && layout.Len(p) > 0 {
			memops.CopyPtr(offheap.Add(layout.BlockData(pool), uintptr(poolAt)), layout.BlockData(p), uintptr(layout.Len(p)))
			layout.AddPoolDead(pool, layout.PoolDead(p))
			if poolAt > 0 {
				for i := range n {
					e := (*[16]byte)(offheap.Add(views, uintptr(i)*16))
					if binary.LittleEndian.Uint32(e[0:4]) > strInline {
						binary.LittleEndian.PutUint32(e[12:16], binary.LittleEndian.Uint32(e[12:16])+uint32(poolAt))
					}
				}
			}
			poolAt += int(layout.Len(p))
		}
		row += n
	}
	layout.SetLen(c, uint64(total))
	return c, nil
}

// concatSym joins SYM vectors at the widest of their widths (as in the C
// runtime, for two).
func concatSym(vs []value.V, total int) (value.V, error) {
	w := widthOf(vs[0])
	for _, v := range vs[1:] {
		w = max(w, widthOf(v))
	}
	c, err := New(value.Sym, total<<w)
	if err != nil {
		return value.V{}, err
	}
	layout.SetSymWidth(c, uint8(w))
	base := uintptr(layout.BlockData(c))
	row := 0
	for _, v := range vs {
		n, vw := int(layout.Len(v)), widthOf(v)
		if vw == w {
			memops.CopyPtr(offheap.Add(layout.BlockData(c), uintptr(row)<<w), layout.Data(v), uintptr(n)<<w)
		} else {
			for i := range n {
				storeID(base+uintptr(row+i)<<w, w, loadID(uintptr(layout.Data(v))+uintptr(i)<<vw, vw))
			}
		}
		row += n
	}
	layout.SetLen(c, total)
	return c, nil
}

// concatTables joins tables column by column: the columns at one position
// must have one name.
func concatTables(op string, ts []value.V) (value.V, error) {
	for _, t := range ts[1:] {
		if NumCols(t) != NumCols(ts[0]) {
			return value.V{}, ray.Errorf(ray.ErrType, op, "tables of %d and %d columns", NumCols(ts[0]), NumCols(t))
		}
	}
	for i := range NumCols(ts[0]) {
		name, _, _ := ColumnAt(ts[0], i)
		for _, t := range ts[1:] {
			if other, _, _ := ColumnAt(t, i); other != name {
				return value.V{}, ray.Errorf(ray.ErrType, op, "column %d is %.40q in one table and %.40q in another", i, name, other)
			}
		}
	}
	cols := make([]value.V, len(ts))
	return mapColumns(ts[0], func(i int, _ value.V) (value.V, error) {
		for j, t := range ts {
			_, cols[j], _ = ColumnAt(t, i)
		}
		return concat(op, cols)
	})
}
