package store

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// A table directory (a splayed table) holds one column file per column,
// c0.col, c1.col, ..., and a schema file written last, so that a reader
// sees a complete table. The schema names the columns in order and, for a
// linked column, the name of the table it links into (a link is by name,
// resolved when loaded: the target must be bound then). File names never
// come from the schema, so a crafted schema cannot point outside the
// directory.

const schemaFile = "schema.json"

type schema struct {
	Version int            `json:"version"`
	Columns []schemaColumn `json:"columns"`
}

type schemaColumn struct {
	Name string `json:"name"`
	Link string `json:"link,omitempty"`
}

// SaveTable writes table t into directory dir (created if need be).
func SaveTable(dir string, t value.V) error {
	if t.IsZero() || t.Type() != value.Table {
		return ray.Errorf(ray.ErrType, "store.SaveTable", "want a TABLE, have %v", t.TypeName())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ray.Wrap(ray.ErrIO, "store.SaveTable", err, "creating %s", dir)
	}
	sc := schema{Version: 1}
	for i := range vec.NumCols(t) {
		name, col, err := vec.ColumnAt(t, i)
		if err != nil {
			return err
		}
		if err := SaveColumn(filepath.Join(dir, fmt.Sprintf("c%d.col", i)), col); err != nil {
			return err
		}
		link, _ := vec.LinkTarget(col)
		sc.Columns = append(sc.Columns, schemaColumn{Name: name, Link: link})
	}
	b, err := json.Marshal(sc)
	if err != nil {
		return ray.Wrap(ray.ErrIO, "store.SaveTable", err, "encoding the schema")
	}
	return writeAtomically(filepath.Join(dir, schemaFile), func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// decodeSchema checks a schema file.
func decodeSchema(b []byte) (schema, error) {
	var sc schema
	if err := json.Unmarshal(b, &sc); err != nil {
		return sc, ray.Wrap(ray.ErrCorrupt, "store.LoadTable", err, "the schema does not parse")
	}
	if sc.Version > 1 {
		return sc, ray.Errorf(ray.ErrNYI, "store.LoadTable", "schema version %d", sc.Version)
	}
	if sc.Version != 1 || len(sc.Columns) > 1<<16 {
		return sc, ray.Errorf(ray.ErrCorrupt, "store.LoadTable", "schema version %d with %d columns", sc.Version, len(sc.Columns))
	}
	seen := map[string]bool{}
	for _, c := range sc.Columns {
		if vec.CheckColumnName(c.Name) != nil || seen[c.Name] {
			return sc, ray.Errorf(ray.ErrCorrupt, "store.LoadTable", "column name %.40q is empty, invalid or repeated", c.Name)
		}
		seen[c.Name] = true
	}
	return sc, nil
}

// LoadTable reads the table directory dir into the heap, every column
// checksummed (LoadColumn).
func LoadTable(dir string) (value.V, error) {
	return readTable(dir, LoadColumn)
}

// MapTable reads the table directory dir with its columns mapped from their
// files instead of copied (MapColumn, with opts).
func MapTable(dir string, opts ...MapOption) (value.V, error) {
	return readTable(dir, func(path string) (value.V, error) { return MapColumn(path, opts...) })
}

// readTable reads the table directory dir, each column with read.
func readTable(dir string, read func(path string) (value.V, error)) (value.V, error) {
	b, err := os.ReadFile(filepath.Join(dir, schemaFile))
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrIO, "store.LoadTable", err, "reading the schema of %s", dir)
	}
	sc, err := decodeSchema(b)
	if err != nil {
		return value.V{}, err
	}
	t, err := vec.NewTable()
	if err != nil {
		return value.V{}, err
	}
	for i, c := range sc.Columns {
		path := filepath.Join(dir, fmt.Sprintf("c%d.col", i))
		col, err := read(path)
		if err == nil && c.Link != "" {
			err = vec.Link(&col, c.Link)
		}
		if err == nil {
			err = vec.AddColumn(&t, c.Name, col)
		}
		cow.Release(&col)
		if err != nil {
			cow.Release(&t)
			return value.V{}, err
		}
	}
	return t, nil
}
