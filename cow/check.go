package cow

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// CheckError is what Check returns: every inconsistency it found. It
// matches ray.ErrCorrupt with errors.Is.
type CheckError struct {
	Findings []string
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("cow.Check: %d findings:\n\t%s", len(e.Findings), strings.Join(e.Findings, "\n\t"))
}

// Unwrap makes errors.Is(err, ray.ErrCorrupt) true.
func (e *CheckError) Unwrap() error { return ray.ErrCorrupt }

// Check walks v and everything it owns, as bbolt's Tx.Check walks pages,
// and reports every broken invariant of the value layer (heap.Verify checks
// the heap's): each owned block is live and counted; a slice's parent is no
// slice, of its type and width, and holds the slice's rows; an external null
// map is a U8 vector and a STR vector's nulls are external; STR views lie
// inside their pool; SYM ids name interned symbols; LIST items are values;
// DICT keys and values match in length; a TABLE's names are distinct column
// names and its columns vectors of one length; an attached index was built
// for the vector's length and saved the vector's own bytes; a vector
// marked SORTED or UNIQUE (package attrs) holds its rows so. It returns nil
// or a *CheckError. It reads, never writes, and costs time in proportion to
// the rows it walks: a test tool, which every randomized test and fuzz
// target runs beside heap.Verify.
func Check(v value.V) error {
	c := checker{seen: make(map[uintptr]bool)}
	c.walk(v, "the value")
	if len(c.out) > 0 {
		return &CheckError{Findings: c.out}
	}
	return nil
}

type checker struct {
	out  []string
	seen map[uintptr]bool // blocks already checked (values may share children)
}

func (c *checker) report(format string, args ...any) {
	if len(c.out) < 1000 {
		c.out = append(c.out, fmt.Sprintf(format, args...))
	}
}

// walk checks v, reached as what, and everything it owns. It works from a
// list, so that deep nesting cannot exhaust the stack.
func (c *checker) walk(v value.V, what string) {
	type item struct {
		v    value.V
		what string
	}
	pending := []item{{v, what}}
	for len(pending) > 0 {
		it := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		if it.v.IsZero() {
			c.report("%s is no value", it.what)
			continue
		}
		if c.seen[uintptr(layout.Block(it.v))] {
			continue
		}
		c.seen[uintptr(layout.Block(it.v))] = true
		if !c.block(it.v, it.what) {
			continue
		}
		c.value(it.v, it.what)
		layout.EachOwned(it.v, func(slot *uint64) {
			if *slot == 0 {
				return
			}
			pending = append(pending, item{layout.Owned(*slot), "a child of " + it.what})
		})
	}
}

// block checks that v is a live block holding a known kind of value; the
// rest of the walk reads v only when it is.
func (c *checker) block(v value.V, what string) bool {
	if !layout.IsHeapBlock(v) && !layout.IsMapped(v) {
		c.report("%s at %p is not a live block (mmod %#x)", what, layout.Block(v), layout.Mmod(v))
		return false
	}
	if layout.RC(v) == 0 && !layout.IsArena(v) {
		c.report("%s at %p has no references", what, layout.Block(v))
		return false
	}
	if t := v.Type(); !knownType(t) {
		c.report("%s at %p has type tag %d", what, layout.Block(v), int8(t))
		return false
	}
	if size := layout.DataSize(v); layout.IsHeapBlock(v) && size > layout.BlockCap(v) {
		c.report("%s (%v) claims %d data bytes in a block of %d", what, v.Type(), size, layout.BlockCap(v))
		return false
	}
	if u := layout.UnknownAttrs(v); u != 0 {
		c.report("%s (%v) has attribute bits %#x that mean nothing for it", what, v.Type(), u)
	}
	return true
}

// value checks what v's kind promises about its contents.
func (c *checker) value(v value.V, what string) {
	t := v.Type()
	switch {
	case t == value.Dict:
		keys, vals := layout.Item(v, 0), layout.Item(v, 1)
		if !c.rows(keys, what+"'s keys") || !c.rows(vals, what+"'s values") {
			return
		}
		if keys.Len() != vals.Len() {
			c.report("%s has %d keys but %d values", what, keys.Len(), vals.Len())
		}
	case t == value.Table:
		c.table(v, what)
	case t == value.List:
		for i := range int(v.Len()) {
			if layout.Item(v, i).IsZero() {
				c.report("%s: item %d is no value", what, i)
			}
		}
	case t.IsVector():
		c.vector(v, what)
	}
}

// rows reports whether v, part of a DICT, is a vector or LIST.
func (c *checker) rows(v value.V, what string) bool {
	if v.IsZero() || !v.IsVector() && v.Type() != value.List {
		c.report("%s is a %v, not a vector or LIST", what, v.TypeName())
		return false
	}
	return true
}

// table checks a TABLE: SYM names, a LIST of vectors of one length, as
// many of each, the names distinct column names.
func (c *checker) table(v value.V, what string) {
	names, cols := layout.Item(v, 0), layout.Item(v, 1)
	if names.IsZero() || names.Type() != value.Sym || cols.IsZero() || cols.Type() != value.List {
		c.report("%s: names are a %v and columns a %v, want SYM and LIST", what, names.TypeName(), cols.TypeName())
		return
	}
	if names.Len() != cols.Len() {
		c.report("%s: %d names for %d columns", what, names.Len(), cols.Len())
		return
	}
	seen := make(map[string]bool)
	rows := int64(-1)
	for i := range int(cols.Len()) {
		name := c.symName(names, i)
		if name == "" || !utf8.ValidString(name) || seen[name] {
			c.report("%s: column %d's name %q is empty, invalid or repeated", what, i, name)
		}
		seen[name] = true
		col := layout.Item(cols, i)
		if col.IsZero() || !col.IsVector() {
			c.report("%s: column %q is a %v, not a vector", what, name, col.TypeName())
			continue
		}
		if rows >= 0 && col.Len() != rows {
			c.report("%s: column %q has %d rows, the first column %d", what, name, col.Len(), rows)
		}
		rows = col.Len()
	}
}

// symName returns the name in row i of a SYM vector, or "" when its id is
// no symbol (which vector reports).
func (c *checker) symName(v value.V, i int) string {
	name, _ := value.SymName(symID(v, i))
	return name
}

// symID reads row i of a SYM vector at its width.
func symID(v value.V, i int) int64 {
	b := layout.Data(v)
	switch n := layout.ElemSize(v); n {
	case 1:
		return int64(*(*uint8)(unsafeAdd(b, i)))
	case 2:
		return int64(binary.LittleEndian.Uint16(unsafeBytes(b, i*2, 2)))
	case 4:
		return int64(binary.LittleEndian.Uint32(unsafeBytes(b, i*4, 4)))
	default:
		return int64(binary.LittleEndian.Uint64(unsafeBytes(b, i*8, 8)))
	}
}

// vector checks a typed vector: its slice, null map, index, STR views or
// SYM ids, and link.
func (c *checker) vector(v value.V, what string) {
	t := v.Type()
	n := int(layout.Len(v))
	a := layout.Attrs(v)
	if a.Has(attrbits.FlagSlice) {
		p, off := layout.Root(v)
		switch {
		case p.IsZero() || layout.IsSlice(p):
			c.report("%s is a slice of a slice (or of no value)", what)
			return
		case p.Type() != t || layout.ElemSize(p) != layout.ElemSize(v):
			c.report("%s is a %v slice (%d-byte rows) of a %v vector (%d-byte rows)", what, t, layout.ElemSize(v), p.Type(), layout.ElemSize(p))
			return
		case off < 0 || off+n > int(p.Len()):
			c.report("%s: rows [%d, %d) of a parent of %d", what, off, off+n, p.Len())
			return
		}
	}
	if a.Has(attrbits.FlagHasIndex) {
		ix := layout.IndexOf(v)
		if ix.Type() != value.Index {
			c.report("%s: its index slot holds a %v", what, ix.TypeName())
			return
		}
		ih := layout.IndexHeaderOf(ix)
		if ih.Rows != uint64(n) || value.Type(ih.SavedType) != t {
			c.report("%s (%v, %d rows): its index was built for a %v of %d rows", what, t, n, value.Type(ih.SavedType), ih.Rows)
		}
	}
	m, ext := layout.ExtNullmapOf(v)
	if ext {
		if m.IsZero() || m.Type() != value.U8 {
			c.report("%s: its external null map is a %v, not U8", what, m.TypeName())
			return
		}
	} else if t == value.Str && a.Has(attrbits.FlagHasNulls) {
		c.report("%s: a STR vector with nulls keeps them inline", what)
	}
	if a.Has(attrbits.FlagHasLink) && !ext && a.Has(attrbits.FlagHasNulls) {
		c.report("%s: a linked column keeps its nulls inline", what)
	}
	if claims := a.Has(attrbits.FlagSorted) || a.Has(attrbits.FlagUnique); claims {
		sorted, unique := layout.RowsInOrder(v)
		if a.Has(attrbits.FlagSorted) && !sorted {
			c.report("%s is marked SORTED, but its rows are not ascending or one is null", what)
		}
		if a.Has(attrbits.FlagUnique) && !unique {
			c.report("%s is marked UNIQUE, but two rows are equal or one is null", what)
		}
	}
	switch t {
	case value.Str:
		c.views(v, what, n)
	case value.Sym:
		count := value.SymCount()
		for i := range n {
			if id := symID(v, i); id < 0 || id >= count {
				c.report("%s: row %d holds symbol id %d, outside a table of %d", what, i, id, count)
				return
			}
		}
	}
}

// views checks that every view of a STR vector is well formed and that
// its string lies inside the pool.
func (c *checker) views(v value.V, what string, n int) {
	pool := layout.Pool(v)
	used := uint64(0)
	if !pool.IsZero() {
		used = uint64(layout.Len(pool))
	}
	data := layout.Data(v)
	for i := range n {
		e := unsafeBytes(data, i*16, 16)
		l := uint64(binary.LittleEndian.Uint32(e))
		if l <= 12 {
			continue
		}
		off := uint64(binary.LittleEndian.Uint32(e[12:]))
		if binary.LittleEndian.Uint32(e[8:]) != 0 || off+l > used {
			c.report("%s: row %d is %d bytes at %d of a pool of %d", what, i, l, off, used)
			return
		}
	}
}

// knownType reports whether t is a type tag raygo makes.
func knownType(t value.Type) bool {
	switch {
	case t >= value.List && t <= value.Str, t <= -value.Bool && t >= -value.Str:
		return true
	}
	switch t {
	case value.Index, value.Table, value.Dict, value.Null, value.Error:
		return true
	}
	return false
}

func unsafeAdd(p unsafe.Pointer, n int) unsafe.Pointer { return offheap.Add(p, uintptr(n)) }

func unsafeBytes(p unsafe.Pointer, off, n int) []byte {
	return offheap.Bytes(uintptr(p)+uintptr(off), uintptr(n))
}
