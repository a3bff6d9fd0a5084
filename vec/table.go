package vec

import (
	"unicode/utf8"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

// A TABLE is a two-slot block: a SYM vector of column names and a LIST of
// the columns, one vector each, all of the same length. Adding a column
// checks its kind, its length and its name first, so a bad argument is an
// error and never a half-built table (ARCHITECTURE.md D22). Columns are
// borrowed by readers and shared by copies: mutating a table copies it
// first when it is shared, and the copy's columns are copied in turn only
// when they are written.

// Column describes one column of a table.
type Column struct {
	Name string
	Type value.Type
}

func checkTable(op string, t value.V) error {
	if t.IsZero() || t.Type() != value.Table {
		return ray.Errorf(ray.ErrType, op, "want a TABLE, have %v", t.TypeName())
	}
	return nil
}

func slot(v value.V, i int) value.V {
	return layout.Item(v, i)
}

// NewTable returns a table with no columns.
func NewTable() (value.V, error) {
	names, err := New(value.Sym, 0)
	if err != nil {
		return value.V{}, err
	}
	cols, err := NewList(0)
	if err != nil {
		cow.Release(&names)
		return value.V{}, err
	}
	return newPair(value.Table, names, cols)
}

// newPair returns a DICT or TABLE block owning a and b (whose references it
// takes over).
func newPair(t value.Type, a, b value.V) (value.V, error) {
	p, err := New(value.List, 2) // a block with room for two slots
	if err != nil {
		cow.Release(&a)
		cow.Release(&b)
		return value.V{}, err
	}
	layout.InitPair(p, t, a, b)
	return p, nil
}

// NumCols returns the number of columns of table t.
func NumCols(t value.V) int {
	if checkTable("", t) != nil {
		return 0
	}
	return int(slot(t, 1).Len())
}

// NumRows returns the number of rows of table t (0 with no columns).
func NumRows(t value.V) int {
	if NumCols(t) == 0 {
		return 0
	}
	c, _ := ListGet(slot(t, 1), 0)
	return int(c.Len())
}

// AddColumn adds col, a vector, to *tp under name, and a reference to col.
// It fails with ErrType if col is not a vector, ErrLength if its length is
// not the table's row count, and ErrName if name is not a column name (see
// CheckColumnName) or the table has a column of that name; *tp is then
// unchanged.
func AddColumn(tp *value.V, name string, col value.V) error {
	if err := checkTable("vec.AddColumn", *tp); err != nil {
		return err
	}
	if err := CheckColumnName(name); err != nil {
		return err
	}
	if col.IsZero() || !col.IsVector() {
		return ray.Errorf(ray.ErrType, "vec.AddColumn", "column %q: want a vector, have %v", name, col.TypeName())
	}
	if n := NumCols(*tp); n > 0 && int(col.Len()) != NumRows(*tp) {
		return ray.Errorf(ray.ErrLength, "vec.AddColumn", "column %q has %d rows, the table %d", name, col.Len(), NumRows(*tp))
	}
	if _, _, err := ColumnByName(*tp, name); err == nil {
		return ray.Errorf(ray.ErrName, "vec.AddColumn", "the table already has a column %q", name)
	}
	if err := cow.Cow(tp); err != nil {
		return err
	}
	names, cols := slot(*tp, 0), slot(*tp, 1)
	err := AppendSym(&names, name)
	layout.PutItem(*tp, 0, names) // the same block, or where AppendSym moved it
	if err != nil {
		return err
	}
	if err := ListAppend(&cols, col); err != nil {
		layout.PutItem(*tp, 1, cols)
		// Take the name back off, so that the table stays consistent.
		layout.SetLen(names, layout.Len(names)-1)
		return err
	}
	layout.PutItem(*tp, 1, cols)
	return nil
}

// CheckColumnName returns ErrName unless name can name a column: not empty,
// valid UTF-8, and at most value.MaxSymLen bytes (names are symbols). Every
// table raygo builds, saves or loads has such names, so a file written from
// a table always loads.
func CheckColumnName(name string) error {
	switch {
	case name == "":
		return ray.Errorf(ray.ErrName, "vec.AddColumn", "a column name cannot be empty")
	case !utf8.ValidString(name):
		return ray.Errorf(ray.ErrName, "vec.AddColumn", "column name %q is not valid UTF-8", name)
	case len(name) > value.MaxSymLen:
		return ray.Errorf(ray.ErrName, "vec.AddColumn", "a column name of %d bytes is longer than %d", len(name), value.MaxSymLen)
	}
	return nil
}

// ColumnAt returns the name and (borrowed) vector of column i of t.
func ColumnAt(t value.V, i int) (string, value.V, error) {
	if err := checkTable("vec.ColumnAt", t); err != nil {
		return "", value.V{}, err
	}
	if n := NumCols(t); i < 0 || i >= n {
		return "", value.V{}, ray.Errorf(ray.ErrRange, "vec.ColumnAt", "column %d outside [0, %d)", i, n)
	}
	name, _ := GetSym(slot(t, 0), i)
	col, _ := ListGet(slot(t, 1), i)
	return name, col, nil
}

// ColumnByName returns the index and (borrowed) vector of the column called
// name; ErrName if there is none.
func ColumnByName(t value.V, name string) (int, value.V, error) {
	if err := checkTable("vec.ColumnByName", t); err != nil {
		return -1, value.V{}, err
	}
	if id, ok := value.SymID(name); ok {
		names := slot(t, 0)
		for i := range int(names.Len()) {
			if got, _ := GetSymID(names, i); got == id {
				col, _ := ListGet(slot(t, 1), i)
				return i, col, nil
			}
		}
	}
	return -1, value.V{}, ray.Errorf(ray.ErrName, "vec.ColumnByName", "no column %q", name)
}

// Schema returns the names and types of t's columns.
func Schema(t value.V) []Column {
	out := make([]Column, NumCols(t))
	for i := range out {
		name, col, _ := ColumnAt(t, i)
		out[i] = Column{name, col.Type()}
	}
	return out
}

// sliceTable is Slice of a table: a table of slices of its columns, no
// element copied.
func sliceTable(t value.V, off, n int) (value.V, error) {
	if rows := NumRows(t); off < 0 || n < 0 || off > rows || n > rows-off {
		return value.V{}, ray.Errorf(ray.ErrRange, "vec.Slice", "rows [%d, %d+%d) outside [0, %d)", off, off, n, rows)
	}
	return mapColumns(t, func(_ int, col value.V) (value.V, error) { return Slice(col, off, n) })
}

// mapColumns returns a new table of t's column names in order, column i
// being what f makes of t's column i; on an error it releases what it had
// built.
func mapColumns(t value.V, f func(i int, col value.V) (value.V, error)) (value.V, error) {
	out, err := NewTable()
	if err != nil {
		return value.V{}, err
	}
	for i := range NumCols(t) {
		name, col, _ := ColumnAt(t, i)
		c, err := f(i, col)
		if err == nil {
			err = AddColumn(&out, name, c)
			cow.Release(&c)
		}
		if err != nil {
			cow.Release(&out)
			return value.V{}, err
		}
	}
	return out, nil
}
