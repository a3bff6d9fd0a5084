package olap

import (
	"fmt"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// A want is what the queries need of one column: its type, and which
// narrower types widen to it without loss.
type want struct {
	name  string
	typ   value.Type
	from  []value.Type // types converted to typ
	table string
}

var (
	tradesColumns = []want{
		{"ts", value.Timestamp, nil, "trades"},
		{"sym", value.Sym, []value.Type{value.Str}, "trades"},
		{"px", value.F64, []value.Type{value.F32}, "trades"},
		{"qty", value.I64, []value.Type{value.U8, value.I16, value.I32}, "trades"},
		{"venue", value.Sym, []value.Type{value.Str}, "trades"},
		{"note", value.Str, nil, "trades"},
	}
	refColumns = []want{
		{"sym", value.Sym, []value.Type{value.Str}, "ref"},
		{"sector", value.Sym, []value.Type{value.Str}, "ref"},
		{"lot", value.I64, []value.Type{value.U8, value.I16, value.I32}, "ref"},
	}
)

// Adopt makes trades and ref tables that some other tool wrote (read from
// Parquet files, say) into the tables the queries run on: the columns the
// queries name, in their order, each of its type. String columns the
// queries group or join by (trades' sym and venue, ref's sym and sector)
// become SYM (vec.ToSym: each distinct string interned once); narrower
// numbers widen (F32 px to F64, smaller integers to I64). A missing column
// is ErrName, and a column of any other type ErrType, naming it. The
// returned tables hold references of their own; the arguments are left as
// they were.
func Adopt(trades, ref value.V) (value.V, value.V, error) {
	t, err := adopt(trades, tradesColumns)
	if err != nil {
		return value.V{}, value.V{}, err
	}
	r, err := adopt(ref, refColumns)
	if err != nil {
		cow.Release(&t)
		return value.V{}, value.V{}, err
	}
	return t, r, nil
}

func adopt(src value.V, cols []want) (value.V, error) {
	out, err := vec.NewTable()
	if err != nil {
		return value.V{}, err
	}
	for _, w := range cols {
		_, c, err := vec.ColumnByName(src, w.name)
		if err != nil {
			cow.Release(&out)
			return value.V{}, ray.Errorf(ray.ErrName, "olap.Adopt", "%s has no column %q", w.table, w.name)
		}
		conv, err := convert(c, w)
		if err == nil {
			err = vec.AddColumn(&out, w.name, conv)
			cow.Release(&conv)
		}
		if err != nil {
			cow.Release(&out)
			return value.V{}, err
		}
	}
	return out, nil
}

// convert returns c as a column of w's type, with a reference of its own.
func convert(c value.V, w want) (value.V, error) {
	t := c.Type()
	if t == w.typ {
		return cow.Retain(c), nil
	}
	known := false
	for _, f := range w.from {
		known = known || f == t
	}
	if !known {
		return value.V{}, ray.Errorf(ray.ErrType, "olap.Adopt", "%s.%s is %v; the queries want %v", w.table, w.name, t, w.typ)
	}
	switch w.typ {
	case value.Sym:
		return vec.ToSym(c)
	case value.F64:
		xs, err := vec.Elems[float32](c)
		if err != nil {
			return value.V{}, err
		}
		return widened(c, value.F64, len(xs), func(i int) float64 { return float64(xs[i]) })
	case value.I64:
		at, err := intAt(c)
		if err != nil {
			return value.V{}, err
		}
		return widened(c, value.I64, int(c.Len()), at)
	}
	return value.V{}, fmt.Errorf("olap.Adopt: no conversion to %v", w.typ)
}

// intAt returns a reader of c's rows as int64.
func intAt(c value.V) (func(int) int64, error) {
	switch c.Type() {
	case value.U8:
		xs, err := vec.Elems[uint8](c)
		return func(i int) int64 { return int64(xs[i]) }, err
	case value.I16:
		xs, err := vec.Elems[int16](c)
		return func(i int) int64 { return int64(xs[i]) }, err
	default:
		xs, err := vec.Elems[int32](c)
		return func(i int) int64 { return int64(xs[i]) }, err
	}
}

// widened returns a vector of type typ and n rows, row i at(i), with c's
// nulls.
func widened[T int64 | float64](c value.V, typ value.Type, n int, at func(int) T) (value.V, error) {
	xs := make([]T, n)
	for i := range xs {
		xs[i] = at(i)
	}
	v, err := vec.FromSlice(typ, xs)
	if err != nil {
		return value.V{}, err
	}
	if bits, off := vec.NullBits(c); bits != nil {
		if err := vec.SetNulls(&v, bits, off); err != nil {
			cow.Release(&v)
			return value.V{}, err
		}
	}
	return v, nil
}
