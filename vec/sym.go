package vec

import (
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// SYM vectors hold ids of the process-wide symbol table (value.Intern),
// packed at the narrowest width that holds them: 1, 2, 4 or 8 bytes, as the
// low two attribute bits say (attrbits.Width). A new vector starts at W8; an
// id that does not fit widens the whole vector first (the C runtime
// truncates it: ARCHITECTURE.md D15). A slice reads at its parent's width
// (ARCHITECTURE.md D14: the C runtime multiplies a slice's offset by 8).

func checkSym(op string, v value.V) error {
	if v.IsZero() || v.Type() != value.Sym {
		return ray.Errorf(ray.ErrType, op, "want a SYM vector, have %v", v.TypeName())
	}
	return nil
}

func widthOf(v value.V) attrbits.Width { return attrbits.Width(layout.SymWidth(v)) }

func loadID(p uintptr, w attrbits.Width) int64 {
	switch w {
	case attrbits.W8:
		return int64(*(*uint8)(offheap.Ptr(p)))
	case attrbits.W16:
		return int64(*(*uint16)(offheap.Ptr(p)))
	case attrbits.W32:
		return int64(*(*uint32)(offheap.Ptr(p)))
	}
	return *(*int64)(offheap.Ptr(p))
}

func storeID(p uintptr, w attrbits.Width, id int64) {
	switch w {
	case attrbits.W8:
		*(*uint8)(offheap.Ptr(p)) = uint8(id)
	case attrbits.W16:
		*(*uint16)(offheap.Ptr(p)) = uint16(id)
	case attrbits.W32:
		*(*uint32)(offheap.Ptr(p)) = uint32(id)
	default:
		*(*int64)(offheap.Ptr(p)) = id
	}
}

// GetSymID returns the symbol id in row i of a SYM vector.
func GetSymID(v value.V, i int) (int64, error) {
	if err := checkSym("vec.GetSymID", v); err != nil {
		return 0, err
	}
	if n := int(layout.Len(v)); i < 0 || i >= n {
		return 0, ray.Errorf(ray.ErrRange, "vec.GetSymID", "index %d outside [0, %d)", i, n)
	}
	w := widthOf(v)
	return loadID(uintptr(layout.Data(v))+uintptr(i)<<w, w), nil
}

// GetSym returns the symbol name in row i of a SYM vector.
func GetSym(v value.V, i int) (string, error) {
	id, err := GetSymID(v, i)
	if err != nil {
		return "", err
	}
	name, ok := value.SymName(id)
	if !ok { // only a mapped file changed in place can hold such an id
		return "", ray.Errorf(ray.ErrCorrupt, "vec.GetSym", "row %d holds symbol id %d, outside the symbol table", i, id)
	}
	return name, nil
}

// AppendSymID adds symbol id at the end of *vp, widening the vector if the
// id needs more bytes. id must be an interned symbol (ErrRange otherwise).
func AppendSymID(vp *value.V, id int64) error {
	if err := checkSym("vec.AppendSymID", *vp); err != nil {
		return err
	}
	if id < 0 || id >= value.SymCount() {
		return ray.Errorf(ray.ErrRange, "vec.AppendSymID", "symbol id %d outside [0, %d)", id, value.SymCount())
	}
	v := *vp
	// The fast path: a private heap vector with room, wide enough.
	n, bits, ok := layout.SymAppendRoom(v)
	w := attrbits.Width(bits)
	if !ok || attrbits.WidthFor(uint64(id)) > w {
		if err := prepareSym(vp, int(n)+1, attrbits.WidthFor(uint64(id))); err != nil {
			return err
		}
		v = *vp
		w = widthOf(v)
	}
	storeID(uintptr(layout.BlockData(v))+uintptr(n)<<w, w, id)
	layout.SetLen(v, n+1)
	return nil
}

// AppendSym interns name and adds its id at the end of *vp.
func AppendSym(vp *value.V, name string) error {
	id, err := value.Intern(name)
	if err != nil {
		return err
	}
	return AppendSymID(vp, id)
}

// SetSymID writes symbol id into row i of *vp (which becomes a value),
// widening the vector if the id needs more bytes.
func SetSymID(vp *value.V, i int, id int64) error {
	if err := checkSym("vec.SetSymID", *vp); err != nil {
		return err
	}
	if n := int(layout.Len(*vp)); i < 0 || i >= n {
		return ray.Errorf(ray.ErrRange, "vec.SetSymID", "index %d outside [0, %d)", i, n)
	}
	if id < 0 || id >= value.SymCount() {
		return ray.Errorf(ray.ErrRange, "vec.SetSymID", "symbol id %d outside [0, %d)", id, value.SymCount())
	}
	if err := prepareSym(vp, 0, attrbits.WidthFor(uint64(id))); err != nil {
		return err
	}
	v := *vp
	w := widthOf(v)
	storeID(uintptr(layout.BlockData(v))+uintptr(i)<<w, w, id)
	if layout.MayHaveNulls(v) {
		return setNullBit(vp, i, false)
	}
	return nil
}

// SetSym interns name and writes its id into row i of *vp.
func SetSym(vp *value.V, i int, name string) error {
	id, err := value.Intern(name)
	if err != nil {
		return err
	}
	return SetSymID(vp, i, id)
}

// FromSyms returns a SYM vector of the names, interning them.
func FromSyms(names []string) (value.V, error) {
	return build(value.Sym, len(names), func(vp *value.V, i int) error { return AppendSym(vp, names[i]) })
}

// prepareSym is prepare for a SYM vector that must hold need rows at width
// at least w: it widens every id when w is wider than the vector's.
func prepareSym(vp *value.V, need int, w attrbits.Width) error {
	if err := prepare(vp, need); err != nil {
		return err
	}
	v := *vp
	old := widthOf(v)
	if w <= old {
		return nil
	}
	n := int(layout.Len(v))
	// Room for max(need, n) rows at the new width, then rewrite the ids
	// from the last down, so that none is overwritten before it is read.
	if rows := max(need, n) << (w - old); rows > Cap(v) { // counted at the old width
		if err := grow(vp, rows); err != nil {
			return err
		}
	}
	v = *vp
	base := uintptr(layout.BlockData(v))
	for i := n - 1; i >= 0; i-- {
		storeID(base+uintptr(i)<<w, w, loadID(base+uintptr(i)<<old, old))
	}
	layout.SetSymWidth(v, uint8(w))
	return nil
}

// SymIDs copies the symbol ids of rows [from, from+len(dst)) of a SYM
// vector into dst, widened to int64 whatever the vector's width, and
// returns how many it copied (fewer at the end of v). It is the bulk form
// of GetSymID, for kernels that work on ids a block of rows at a time.
func SymIDs(dst []int64, v value.V, from int) (int, error) {
	if err := checkSym("vec.SymIDs", v); err != nil {
		return 0, err
	}
	n := int(layout.Len(v))
	if from < 0 || from > n {
		return 0, ray.Errorf(ray.ErrRange, "vec.SymIDs", "row %d outside [0, %d]", from, n)
	}
	m := min(len(dst), n-from)
	data := layout.Data(v)
	switch widthOf(v) {
	case attrbits.W8:
		for i, x := range unsafe.Slice((*uint8)(data), n)[from : from+m] {
			dst[i] = int64(x)
		}
	case attrbits.W16:
		for i, x := range unsafe.Slice((*uint16)(data), n)[from : from+m] {
			dst[i] = int64(x)
		}
	case attrbits.W32:
		for i, x := range unsafe.Slice((*uint32)(data), n)[from : from+m] {
			dst[i] = int64(x)
		}
	default:
		copy(dst, unsafe.Slice((*int64)(data), n)[from:from+m])
	}
	return m, nil
}

// FromSymIDs returns a SYM vector of the symbol ids, at the width the
// largest needs: the bulk form of AppendSymID, for code that has mapped its
// strings to ids itself (a decoder interning a dictionary once, say). Every
// id must be interned (ErrRange otherwise, naming the row).
func FromSymIDs(ids []int64) (value.V, error) {
	count := value.SymCount()
	var maxID int64
	for i, id := range ids {
		if id < 0 || id >= count {
			return value.V{}, ray.Errorf(ray.ErrRange, "vec.FromSymIDs", "row %d: symbol id %d outside [0, %d)", i, id, count)
		}
		maxID = max(maxID, id)
	}
	return fromSymIDs(ids, maxID)
}

// fromSymIDs builds a SYM vector of ids, interned, the largest maxID.
func fromSymIDs(ids []int64, maxID int64) (value.V, error) {
	n := len(ids)
	out, err := New(value.Sym, n)
	if err != nil {
		return value.V{}, err
	}
	if err := prepareSym(&out, n, attrbits.WidthFor(uint64(maxID))); err != nil {
		cow.Release(&out)
		return value.V{}, err
	}
	w := widthOf(out)
	base := uintptr(layout.BlockData(out))
	for i, id := range ids {
		storeID(base+uintptr(i)<<w, w, id)
	}
	layout.SetLen(out, uint64(n))
	return out, nil
}

// ToSym returns a SYM vector of the strings of v, a STR vector, with its
// nulls: the conversion for strings that arrive from elsewhere (a file, the
// network) and are to be grouped or joined by symbol. Each distinct string
// is interned once; a null row holds the empty name under its null bit.
// The symbol table is process-wide and never shrinks, so convert columns
// of few distinct values (names, codes, categories), not free text. A SYM
// vector is returned as it is, with a reference of its own.
func ToSym(v value.V) (value.V, error) {
	if !v.IsZero() && v.Type() == value.Sym && v.IsVector() {
		return cow.Retain(v), nil
	}
	if err := checkStr("vec.ToSym", v); err != nil {
		return value.V{}, err
	}
	n := int(layout.Len(v))
	nulls, off := layout.NullBits(v)
	ids := make([]int64, n)
	seen := make(map[string]int64)
	var maxID int64
	for i := range n {
		s := strView(v, i)
		if nulls != nil && bitAt(nulls, off+i) {
			s = nil
		}
		id, ok := seen[string(s)] // no allocation: a lookup by the bytes
		if !ok {
			var err error
			if id, err = value.Intern(string(s)); err != nil {
				return value.V{}, err
			}
			seen[string(s)] = id
		}
		ids[i] = id
		maxID = max(maxID, id)
	}
	out, err := fromSymIDs(ids, maxID)
	if err != nil {
		return value.V{}, err
	}
	if nulls != nil {
		for i := range n {
			if bitAt(nulls, off+i) {
				if err := setNullBit(&out, i, true); err != nil {
					cow.Release(&out)
					return value.V{}, err
				}
			}
		}
	}
	return out, nil
}
