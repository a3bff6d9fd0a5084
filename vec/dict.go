package vec

import (
	"bytes"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
)

// A DICT is a two-slot block: keys and values, each a vector or a LIST, of
// the same length; row i of the values belongs to row i of the keys. Keys
// are found by equality of value: floats compare by value (-0.0 equals
// 0.0, NaN equals nothing), and a null key atom finds only a null key row
// (as in the C runtime). Lookups scan the keys: typed keys in place, the key's
// bytes read once (findKey; 10k inserts take 30 ms), LIST keys item by item.
// A DICT is for an engine's small maps (options, metadata, a record's
// fields); for keyed lookups into a large column, attach a hash index to it
// (package index), which answers in O(1).

func checkDict(op string, d value.V) error {
	if d.IsZero() || d.Type() != value.Dict {
		return ray.Errorf(ray.ErrType, op, "want a DICT, have %v", d.TypeName())
	}
	return nil
}

// NewDict returns a DICT of keys and vals (vectors or LISTs of the same
// length), adding a reference to each.
func NewDict(keys, vals value.V) (value.V, error) {
	for _, v := range []value.V{keys, vals} {
		if v.IsZero() || !v.IsVector() && v.Type() != value.List {
			return value.V{}, ray.Errorf(ray.ErrType, "vec.NewDict", "keys and values must be vectors or LISTs, have %v", v.TypeName())
		}
	}
	if keys.Len() != vals.Len() {
		return value.V{}, ray.Errorf(ray.ErrLength, "vec.NewDict", "%d keys but %d values", keys.Len(), vals.Len())
	}
	return newPair(value.Dict, cow.Retain(keys), cow.Retain(vals))
}

// DictKeys returns d's keys, borrowed; no value when d is not a DICT.
func DictKeys(d value.V) value.V {
	if checkDict("", d) != nil {
		return value.V{}
	}
	return slot(d, 0)
}

// DictValues returns d's values, borrowed; no value when d is not a DICT.
func DictValues(d value.V) value.V {
	if checkDict("", d) != nil {
		return value.V{}
	}
	return slot(d, 1)
}

// DictFind returns the row of key in d's keys.
func DictFind(d value.V, key value.V) (int, bool) {
	if checkDict("", d) != nil || key.IsZero() {
		return -1, false
	}
	keys := slot(d, 0)
	if keys.Type() != value.List {
		i := findKey(keys, key)
		return i, i >= 0
	}
	for i := range int(keys.Len()) {
		if rowEquals(keys, i, key) {
			return i, true
		}
	}
	return -1, false
}

// findKey returns the first row of keys, a typed vector, equal to the atom
// key (-1 if none): a scan of the elements in place, the key's bytes read
// once and a row's null bit only when its bytes match. Floats compare as
// numbers (NaN equals nothing, -0 equals 0); a null key finds the first
// null row.
func findKey(keys, key value.V) int {
	t := keys.Type()
	if key.Type() != -t {
		return -1
	}
	n := int(keys.Len())
	nb, noff := layout.NullBits(keys)
	if value.IsNull(key) {
		for i := range n {
			if bitAt(nb, noff+i) {
				return i
			}
		}
		return -1
	}
	null := func(i int) bool { return nb != nil && bitAt(nb, noff+i) }
	kb := atomBytes(key)
	data := layout.Data(keys)
	switch t {
	case value.Str:
		for i := range n {
			if bytes.Equal(strView(keys, i), kb) && !null(i) {
				return i
			}
		}
		return -1
	case value.Sym:
		id, w := *(*int64)(unsafe.Pointer(&kb[0])), widthOf(keys)
		for i := range n {
			if loadID(uintptr(data)+uintptr(i)<<w, w) == id && !null(i) {
				return i
			}
		}
		return -1
	case value.F64:
		return scanEqual(unsafe.Slice((*float64)(data), n), *(*float64)(unsafe.Pointer(&kb[0])), null)
	case value.F32:
		return scanEqual(unsafe.Slice((*float32)(data), n), *(*float32)(unsafe.Pointer(&kb[0])), null)
	}
	switch layout.ElemSize(keys) {
	case 1:
		return scanEqual(unsafe.Slice((*uint8)(data), n), kb[0], null)
	case 2:
		return scanEqual(unsafe.Slice((*uint16)(data), n), *(*uint16)(unsafe.Pointer(&kb[0])), null)
	case 4:
		return scanEqual(unsafe.Slice((*uint32)(data), n), *(*uint32)(unsafe.Pointer(&kb[0])), null)
	case 8:
		return scanEqual(unsafe.Slice((*uint64)(data), n), *(*uint64)(unsafe.Pointer(&kb[0])), null)
	case 16:
		return scanEqual(unsafe.Slice((*[16]byte)(data), n), [16]byte(kb), null)
	}
	return -1
}

func scanEqual[T comparable](xs []T, k T, null func(int) bool) int {
	for i, x := range xs {
		if x == k && !null(i) {
			return i
		}
	}
	return -1
}

// DictGet returns the value of key, as a new reference the caller releases
// (an atom made from the row of a typed values vector, or the LIST item);
// ok is false when d has no such key.
func DictGet(d value.V, key value.V) (v value.V, ok bool, err error) {
	if err := checkDict("vec.DictGet", d); err != nil {
		return value.V{}, false, err
	}
	i, found := DictFind(d, key)
	if !found {
		return value.V{}, false, nil
	}
	v, err = RowAtom(slot(d, 1), i)
	return v, err == nil, err
}

// DictSet sets the value of key to val in *dp, adding the pair when key is
// new. Key and value must fit the keys and values (their atom types, or
// anything for a LIST); on error *dp is unchanged.
func DictSet(dp *value.V, key, val value.V) error {
	if err := checkDict("vec.DictSet", *dp); err != nil {
		return err
	}
	keys, vals := slot(*dp, 0), slot(*dp, 1)
	if err := fits("vec.DictSet", keys, key); err != nil {
		return err
	}
	if err := fits("vec.DictSet", vals, val); err != nil {
		return err
	}
	// Hold key and val while *dp changes: either may be *dp itself (a DICT
	// stored in its own LIST of values), which must then be copied, not
	// made to contain itself (see the LIST comment).
	cow.Retain(key)
	cow.Retain(val)
	defer cow.Release(&key)
	defer cow.Release(&val)
	if err := cow.Cow(dp); err != nil {
		return err
	}
	// Each write leaves the slot's block where it was, or moves or
	// copies it; PutItem stores where it is now.
	if i, found := DictFind(*dp, key); found {
		vals := slot(*dp, 1)
		err := setRowAtom(&vals, i, val)
		layout.PutItem(*dp, 1, vals)
		return err
	}
	err := appendAtom(&keys, key)
	layout.PutItem(*dp, 0, keys)
	if err != nil {
		return err
	}
	err = appendAtom(&vals, val)
	layout.PutItem(*dp, 1, vals)
	if err != nil {
		rerr := removeRow(&keys, int(keys.Len())-1)
		layout.PutItem(*dp, 0, keys)
		if rerr != nil {
			return rerr
		}
		return err
	}
	return nil
}

// DictRemove removes key and its value from *dp, keeping the other keys'
// null bits (the C runtime drops them: ARCHITECTURE.md D23); it reports whether key was
// there.
func DictRemove(dp *value.V, key value.V) (bool, error) {
	if err := checkDict("vec.DictRemove", *dp); err != nil {
		return false, err
	}
	i, found := DictFind(*dp, key)
	if !found {
		return false, nil
	}
	if err := cow.Cow(dp); err != nil {
		return false, err
	}
	for j := range 2 {
		v := slot(*dp, j)
		err := removeRow(&v, i)
		layout.PutItem(*dp, j, v)
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

// fits checks that atom a can be stored in v, a vector or LIST.
func fits(op string, v, a value.V) error {
	if a.IsZero() {
		return ray.Errorf(ray.ErrType, op, "no value")
	}
	if v.Type() == value.List {
		return nil
	}
	if a.Type() != -v.Type() {
		return ray.Errorf(ray.ErrType, op, "a %v does not fit a %v vector", a.Type(), v.Type())
	}
	return nil
}

// rowEquals reports whether row i of v (a vector or LIST) equals atom key.
func rowEquals(v value.V, i int, key value.V) bool {
	if v.Type() == value.List {
		item, _ := ListGet(v, i)
		return atomsEqual(item, key)
	}
	if key.Type() != -v.Type() {
		return false
	}
	rowNull, _ := IsNull(v, i)
	if keyNull := value.IsNull(key); rowNull || keyNull {
		return rowNull && keyNull
	}
	return bytesEqual(v.Type(), rowBytes(v, i), atomBytes(key))
}

// atomsEqual compares two atoms by value.
func atomsEqual(a, b value.V) bool {
	if a == b {
		return true
	}
	if a.Type() != b.Type() || !a.IsAtom() {
		return false
	}
	if an, bn := value.IsNull(a), value.IsNull(b); an || bn {
		return an && bn
	}
	return bytesEqual(a.Type().Base(), atomBytes(a), atomBytes(b))
}

func bytesEqual(t value.Type, a, b []byte) bool {
	switch t {
	case value.F64:
		return *(*float64)(unsafe.Pointer(&a[0])) == *(*float64)(unsafe.Pointer(&b[0]))
	case value.F32:
		return *(*float32)(unsafe.Pointer(&a[0])) == *(*float32)(unsafe.Pointer(&b[0]))
	}
	return bytes.Equal(a, b)
}

// rowBytes returns the bytes of row i of a typed vector, as an atom of its
// type holds them (SYM: the id as 8 bytes; STR: the string).
func rowBytes(v value.V, i int) []byte {
	switch v.Type() {
	case value.Str:
		return strView(v, i)
	case value.Sym:
		id, _ := GetSymID(v, i)
		b := make([]byte, 8)
		*(*int64)(unsafe.Pointer(&b[0])) = id
		return b
	}
	size := layout.ElemSize(v)
	return unsafe.Slice((*byte)(offheap.Add(layout.Data(v), uintptr(i*size))), size)
}

// atomBytes returns an atom's value bytes, laid out as a vector element.
func atomBytes(a value.V) []byte {
	switch a.Type() {
	case -value.Str:
		b, _ := value.StrBytes(a)
		return b
	case -value.GUID:
		return unsafe.Slice((*byte)(layout.BlockData(a)), 16)
	case -value.Sym:
		return unsafe.Slice((*byte)(unsafe.Pointer(layout.AtomWord(a))), 8)
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(layout.AtomWord(a))), a.Type().Base().ElemSize())
}

// RowAtom returns row i of v as a new reference: an atom for a typed
// vector (a typed null for a null row), the item itself for a LIST.
func RowAtom(v value.V, i int) (value.V, error) {
	if v.IsZero() || !v.IsVector() && v.Type() != value.List {
		return value.V{}, ray.Errorf(ray.ErrType, "vec.RowAtom", "%v has no rows", v.TypeName())
	}
	if n := int(v.Len()); i < 0 || i >= n {
		return value.V{}, ray.Errorf(ray.ErrRange, "vec.RowAtom", "index %d outside [0, %d)", i, n)
	}
	t := v.Type()
	if t == value.List {
		item, _ := ListGet(v, i)
		return cow.Retain(item), nil
	}
	if null, _ := IsNull(v, i); null {
		return value.TypedNull(-t)
	}
	switch t {
	case value.Str:
		return value.NewStr(string(strView(v, i)))
	case value.Sym:
		id, _ := GetSymID(v, i)
		return value.NewSymID(id)
	case value.GUID:
		return value.NewGUID(*(*[16]byte)(offheap.Add(layout.Data(v), uintptr(i*16))))
	}
	p, err := heap.Alloc(0)
	if err != nil {
		return value.V{}, err
	}
	a := layout.InitAtom(p, -t)
	w := layout.AtomWord(a)
	b := rowBytes(v, i)
	// Integers are kept sign-extended in the payload, as value's
	// constructors do; floats and BOOL/U8 as their bits.
	switch t {
	case value.I16:
		*w = uint64(int64(*(*int16)(unsafe.Pointer(&b[0]))))
	case value.I32, value.Date, value.Time:
		*w = uint64(int64(*(*int32)(unsafe.Pointer(&b[0]))))
	case value.Bool:
		if b[0] != 0 { // as Get reads it: any byte but 0 is true
			*w = 1
		}
	default:
		copy(unsafe.Slice((*byte)(unsafe.Pointer(w)), 8), b)
	}
	return a, nil
}

// appendAtom appends atom a to *vp (a vector of a's base type, or a LIST).
func appendAtom(vp *value.V, a value.V) error {
	v := *vp
	if v.Type() == value.List {
		return ListAppend(vp, a)
	}
	n := int(v.Len())
	switch v.Type() {
	case value.Str:
		b, _ := value.StrBytes(a)
		if err := AppendStr(vp, string(b)); err != nil {
			return err
		}
	case value.Sym:
		id := int64(layout.Len(a))
		if value.IsNull(a) {
			id = 0
		}
		if err := AppendSymID(vp, id); err != nil {
			return err
		}
	default:
		size := layout.ElemSize(v)
		if err := prepare(vp, n+1); err != nil {
			return err
		}
		copy(unsafeBytes(layout.BlockData(*vp), (n+1)*size)[n*size:], atomBytes(a))
		layout.SetLen(*vp, uint64(n+1))
	}
	if value.IsNull(a) {
		return setNullBit(vp, n, true)
	}
	return nil
}

// setRowAtom writes atom a into row i of *vp.
func setRowAtom(vp *value.V, i int, a value.V) error {
	v := *vp
	switch v.Type() {
	case value.List:
		return ListSet(vp, i, a)
	case value.Str:
		b, _ := value.StrBytes(a)
		if err := SetStr(vp, i, string(b)); err != nil {
			return err
		}
	case value.Sym:
		if err := SetSymID(vp, i, int64(layout.Len(a))); err != nil {
			return err
		}
	default:
		size := layout.ElemSize(v)
		if err := prepare(vp, 0); err != nil {
			return err
		}
		copy(unsafeBytes(layout.BlockData(*vp), (i+1)*size)[i*size:], atomBytes(a))
		if layout.MayHaveNulls(*vp) {
			if err := setNullBit(vp, i, false); err != nil {
				return err
			}
		}
	}
	if value.IsNull(a) {
		return setNullBit(vp, i, true)
	}
	return nil
}

// removeRow deletes row i of *vp, moving the rows after it, and their null
// bits, up by one.
func removeRow(vp *value.V, i int) error {
	if err := prepare(vp, 0); err != nil {
		return err
	}
	v := *vp
	n := int(v.Len())
	size := layout.ElemSize(v)
	if v.Type() == value.List {
		old := layout.DeleteItem(v, i)
		cow.Release(&old)
		return nil
	}
	if v.Type() == value.Str {
		if dead := len(strView(v, i)); dead > strInline {
			pool, err := privatePool(vp, 0, nil)
			if err != nil {
				return err
			}
			layout.AddPoolDead(pool, uint64(dead))
		}
	}
	data := unsafeBytes(layout.BlockData(v), n*size)
	copy(data[i*size:], data[(i+1)*size:])
	if b, _ := layout.NullBits(v); b != nil {
		for j := i; j < n-1; j++ {
			if err := setNullBit(vp, j, bitAt(b, j+1)); err != nil {
				return err
			}
			b, _ = layout.NullBits(*vp)
		}
		if err := setNullBit(vp, n-1, false); err != nil {
			return err
		}
	}
	layout.SetLen(*vp, uint64(n-1))
	return nil
}
