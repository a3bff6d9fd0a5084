package vec

import (
	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

// A linked column is an I32 or I64 vector of row ids into a table bound in
// the environment (Bind): HAS_LINK is set and header bytes 8..15 hold the
// symbol id of the table's name, so a link survives rebinding the name and
// is resolved when it is followed (Deref). Since bytes 8..15 are taken, a
// linked column keeps its nulls in an external map: Link moves inline null
// bits out first (the C runtime's loader forgets to: ARCHITECTURE.md D20).

// Link makes *vp, an I32 or I64 vector, a link into the table bound to
// table. The table must be bound now; *vp may not be a slice.
func Link(vp *value.V, table string) error {
	v := *vp
	if v.IsZero() || v.Type() != value.I32 && v.Type() != value.I64 {
		return ray.Errorf(ray.ErrType, "vec.Link", "only I32 and I64 vectors link; have %v", v.TypeName())
	}
	t, ok := Bound(table)
	if !ok {
		return ray.Errorf(ray.ErrName, "vec.Link", "no value is bound to %q", table)
	}
	bound := t.Type()
	release(&t)
	if bound != value.Table {
		return ray.Errorf(ray.ErrName, "vec.Link", "%q is bound to a %v, not a TABLE", table, bound)
	}
	id, _ := value.SymID(table)
	if err := prepare(vp, 0); err != nil {
		return err
	}
	if layout.MayHaveNulls(*vp) && !layout.HasNullmap(*vp) {
		if _, err := privateNullMap(vp, int(layout.Len(*vp))-1); err != nil { // moves the inline bits out
			return err
		}
	}
	layout.SetLink(*vp, uint64(id))
	return nil
}

// Unlink makes *vp a plain vector again.
func Unlink(vp *value.V) error {
	if (*vp).IsZero() || !(*vp).IsVector() || !layout.IsLinked(*vp) {
		return ray.Errorf(ray.ErrType, "vec.Unlink", "%v is not a linked column", (*vp).TypeName())
	}
	if err := prepare(vp, 0); err != nil {
		return err
	}
	layout.ClearLink(*vp)
	return nil
}

// LinkTarget returns the name of the table v links into; ok is false when v
// is not a linked column.
func LinkTarget(v value.V) (string, bool) {
	if v.IsZero() || !v.IsVector() {
		return "", false
	}
	target, ok := layout.LinkOf(v)
	if !ok {
		return "", false
	}
	return value.SymName(int64(target))
}

// Deref follows the linked column v into its table and returns a new
// vector of the field column's type holding, for each row of v, the field
// of the row it points at. A null link, a row id outside the table and a
// null field all give a null row, as in the C runtime; a SYM field keeps its
// width.
func Deref(v value.V, field string) (value.V, error) {
	name, ok := LinkTarget(v)
	if !ok {
		return value.V{}, ray.Errorf(ray.ErrType, "vec.Deref", "%v is not a linked column", v.TypeName())
	}
	t, ok := Bound(name)
	if !ok {
		return value.V{}, ray.Errorf(ray.ErrName, "vec.Deref", "the link's table %q is no longer bound", name)
	}
	defer release(&t)
	if t.Type() != value.Table {
		return value.V{}, ray.Errorf(ray.ErrName, "vec.Deref", "%q is bound to a %v, not a TABLE", name, t.Type())
	}
	_, col, err := ColumnByName(t, field)
	if err != nil {
		return value.V{}, err
	}
	n := int(v.Len())
	rows := int(col.Len())
	out, err := newSized(col.Type(), n, max(layout.ElemSize(col), 1))
	if err != nil {
		return value.V{}, err
	}
	if col.Type() == value.Sym {
		layout.SetSymWidth(out, layout.SymWidth(col))
	}
	for i := range n {
		var id int64
		if v.Type() == value.I32 {
			x, _ := Get[int32](v, i)
			id = int64(x)
		} else {
			id, _ = Get[int64](v, i)
		}
		linkNull, _ := IsNull(v, i)
		null := linkNull || id < 0 || id >= int64(rows)
		if !null {
			null, _ = IsNull(col, int(id))
		}
		if err := appendRowOf(&out, col, int(id), null); err != nil {
			release(&out)
			return value.V{}, err
		}
	}
	return out, nil
}

// appendRowOf appends row i of src to *dst, a vector of the same type, or
// a null row.
func appendRowOf(dst *value.V, src value.V, i int, null bool) error {
	n := int(layout.Len(*dst))
	switch src.Type() {
	case value.Str:
		s := ""
		if !null {
			s = string(strView(src, i))
		}
		if err := AppendStr(dst, s); err != nil {
			return err
		}
	case value.Sym:
		var id int64
		if !null {
			id, _ = GetSymID(src, i)
		}
		if err := AppendSymID(dst, id); err != nil {
			return err
		}
	default:
		size := layout.ElemSize(src)
		if err := prepare(dst, n+1); err != nil {
			return err
		}
		d := layout.BlockData(*dst)
		if null {
			clear(unsafeBytes(d, (n+1)*size)[n*size:])
		} else {
			copy(unsafeBytes(d, (n+1)*size)[n*size:], unsafeBytes(layout.Data(src), (i+1)*size)[i*size:])
		}
		layout.SetLen(*dst, uint64(n+1))
	}
	if null {
		return setNullBit(dst, n, true)
	}
	return nil
}
