package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/atomicfile"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// A table directory (a splayed table) holds one column file per column and
// a schema file that names the columns in order and, for a linked column,
// the table it links into (a link is by name, resolved when loaded: the
// target must be bound then).
//
// Saving over a table never mixes versions. Each save is a generation: its
// columns go to new files, c0.g7.col, c1.g7.col, ..., and only then is the
// schema, which carries the generation, replaced atomically; the previous
// generation's files are removed after. A reader, or the directory after a
// crash, sees the old schema and its complete columns or the new. File
// names are built from the column's position and the generation, never
// taken from the schema, so a crafted schema cannot point outside the
// directory. (A schema without a generation, as earlier versions wrote,
// names c0.col, c1.col, ...)

const schemaFile = "schema.json"

type schema struct {
	Version    int            `json:"version"`
	Generation uint64         `json:"generation,omitempty"`
	Columns    []schemaColumn `json:"columns"`
}

// columnFile is the name of column i's file in generation gen.
func columnFile(i int, gen uint64) string {
	if gen == 0 {
		return fmt.Sprintf("c%d.col", i)
	}
	return fmt.Sprintf("c%d.g%d.col", i, gen)
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
	// The generation after the one in place, if a schema is in place.
	var prev schema
	if b, err := os.ReadFile(filepath.Join(dir, schemaFile)); err == nil {
		if sc, err := decodeSchema(b); err == nil {
			prev = sc // else an unreadable schema: a first generation
		}
	}
	sc := schema{Version: 1, Generation: prev.Generation + 1}
	written := 0
	err := func() error {
		for i := range vec.NumCols(t) {
			name, col, err := vec.ColumnAt(t, i)
			if err != nil {
				return err
			}
			written++
			if err := SaveColumn(filepath.Join(dir, columnFile(i, sc.Generation)), col); err != nil {
				return err
			}
			link, _ := vec.LinkTarget(col)
			sc.Columns = append(sc.Columns, schemaColumn{Name: name, Link: link})
		}
		b, err := json.Marshal(sc)
		if err != nil {
			return ray.Wrap(ray.ErrIO, "store.SaveTable", err, "encoding the schema")
		}
		return atomicfile.Write("store.SaveTable", filepath.Join(dir, schemaFile), func(w *atomicfile.Writer) error {
			_, err := w.Write(b)
			return err
		})
	}()
	// Whichever generation the schema in place names stays, and the other's
	// files go. (A failed save may still have renamed its schema into place:
	// only the directory's sync failed. Removing is best effort: a leftover
	// file is never read.)
	drop, n := sc.Generation, written
	if err == nil || schemaGeneration(dir) == sc.Generation {
		drop, n = prev.Generation, len(prev.Columns)
	}
	for i := range n {
		_ = os.Remove(filepath.Join(dir, columnFile(i, drop)))
	}
	return err
}

// schemaGeneration returns the generation of dir's schema, 0 when it has
// none that decodes.
func schemaGeneration(dir string) uint64 {
	b, err := os.ReadFile(filepath.Join(dir, schemaFile))
	if err != nil {
		return 0
	}
	sc, err := decodeSchema(b)
	if err != nil {
		return 0
	}
	return sc.Generation
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
		path := filepath.Join(dir, columnFile(i, sc.Generation))
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
