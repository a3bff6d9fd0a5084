package rayarrow

import (
	"io"
	"iter"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// ScanParquet yields the Parquet file at path (or the part files of a
// directory, as ReadParquet reads them) one row group at a time, each a
// TABLE of the columns the options choose, with the same column types in
// every one (a column read as SYM is SYM in all). The caller owns each
// table and releases it; a file larger than memory, or than the heap's
// budget, is processed a row group at a time. The sequence stops after
// the first error it yields.
func ScanParquet(path string, opts ...ReadOption) iter.Seq2[value.V, error] {
	o := readOptionsOf(opts)
	return func(yield func(value.V, error) bool) {
		st, err := os.Stat(path)
		if err != nil {
			yield(value.V{}, ray.Wrap(ray.ErrIO, "rayarrow.ScanParquet", err, "opening %s", path))
			return
		}
		paths := []string{path}
		if st.IsDir() {
			if paths, err = partFiles(path); err != nil {
				yield(value.V{}, err)
				return
			}
		}
		scanFiles(paths, o, yield)
	}
}

// ScanParquetFrom is ScanParquet of the Parquet file of size bytes that r
// holds.
func ScanParquetFrom(r io.ReaderAt, size int64, opts ...ReadOption) iter.Seq2[value.V, error] {
	o := readOptionsOf(opts)
	return func(yield func(value.V, error) bool) {
		f, err := openParquet(r, size)
		if err != nil {
			yield(value.V{}, err)
			return
		}
		defer f.close()
		p, err := f.plan(o)
		if err != nil {
			yield(value.V{}, err)
			return
		}
		scanPlan(p, o, yield)
	}
}

// scanPlan yields each row group of p.
func scanPlan(p *pqPlan, o *readOptions, yield func(value.V, error) bool) bool {
	for _, g := range p.groups {
		t, err := p.only(g).readRecovered(o)
		if !yield(t, err) || err != nil {
			return false
		}
	}
	return true
}

// only returns p for row group g alone.
func (p *pqPlan) only(g int) *pqPlan {
	q := *p
	q.groups = []int{g}
	q.rows = int(p.f.rdr.MetaData().RowGroup(g).NumRows())
	return &q
}

// readRecovered is read, with a panic over damaged data as ErrCorrupt.
func (p *pqPlan) readRecovered(o *readOptions) (out value.V, err error) {
	defer corruptOnPanic("rayarrow.ReadParquet", &err)
	return p.read(o)
}

// partFiles lists a directory's Parquet part files in name order.
func partFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "reading %s", dir)
	}
	var paths []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") || !strings.HasSuffix(strings.ToLower(name), ".parquet") {
			continue
		}
		paths = append(paths, filepath.Join(dir, name))
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		return nil, ray.Errorf(ray.ErrIO, "rayarrow.ReadParquet", "%s holds no .parquet files", dir)
	}
	return paths, nil
}

// dirPlans opens and plans every part file, with row groups numbered
// across the files and SYM decided for the whole directory. The caller
// closes the files.
func dirPlans(paths []string, o *readOptions) (plans []*pqPlan, closeAll func(), err error) {
	var files []*os.File
	var opened []*pqFile
	closer := func() {
		for _, f := range opened {
			f.close()
		}
		for _, f := range files {
			f.Close()
		}
	}
	defer func() {
		if err != nil {
			closer() // (the error returns set closeAll to nil)
		}
	}()
	// Each file is planned with the directory's options but for its own
	// row groups, and without DictionariesAsSym, decided below for all.
	local := *o
	local.dictSym = false
	local.byGroups = false
	first := 0
	var want map[int]bool
	if o.byGroups {
		want = make(map[int]bool, len(o.groups))
		for _, g := range o.groups {
			want[g] = true
		}
	}
	for _, path := range paths {
		fh, err := os.Open(path)
		if err != nil {
			return nil, nil, ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "opening %s", path)
		}
		files = append(files, fh)
		st, err := fh.Stat()
		if err != nil {
			return nil, nil, ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "stat %s", path)
		}
		f, err := openParquet(fh, st.Size())
		if err != nil {
			return nil, nil, withPath(err, path)
		}
		opened = append(opened, f)
		n := f.rdr.NumRowGroups()
		if o.byGroups {
			local.byGroups, local.groups = true, nil
			for _, g := range o.groups {
				if g >= first && g < first+n {
					local.groups = append(local.groups, g-first)
				}
			}
		}
		p, err := f.plan(&local)
		if err != nil {
			return nil, nil, withPath(err, path)
		}
		first += n
		plans = append(plans, p)
	}
	for _, g := range o.groups {
		if g < 0 || g >= first {
			return nil, nil, ray.Errorf(ray.ErrRange, "rayarrow.ReadParquet", "row group %d outside [0, %d)", g, first)
		}
	}
	if o.dictSym && len(plans) > 0 {
		for k := range plans[0].cols {
			total, all := int64(0), true
			for _, p := range plans {
				if k >= len(p.cols) {
					all = false
					break
				}
				n, ok, err := p.dictEntries(&p.cols[k])
				if err != nil {
					return nil, nil, err
				}
				total += n
				all = all && ok && total <= int64(o.symLimit)
			}
			if all {
				for _, p := range plans {
					p.cols[k].out, p.cols[k].kind = value.Sym, pkSym
				}
			}
		}
	}
	return plans, closer, nil
}

// readParquetDir reads a directory's part files as one table.
func readParquetDir(dir string, o *readOptions) (value.V, error) {
	paths, err := partFiles(dir)
	if err != nil {
		return value.V{}, err
	}
	plans, closeAll, err := dirPlans(paths, o)
	if err != nil {
		return value.V{}, err
	}
	defer closeAll()
	var parts []value.V
	defer func() { releaseAll(parts) }()
	for i, p := range plans {
		t, err := p.readRecovered(o)
		if err != nil {
			return value.V{}, withPath(err, paths[i])
		}
		parts = append(parts, t)
	}
	if len(parts) == 1 {
		return cow.Retain(parts[0]), nil
	}
	out, err := vec.ConcatAll(parts...)
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrSchema, "rayarrow.ReadParquet", err, "the part files of %s differ", dir)
	}
	return out, nil
}

// scanFiles yields the row groups of the files at paths.
func scanFiles(paths []string, o *readOptions, yield func(value.V, error) bool) {
	if len(paths) == 1 {
		fh, err := os.Open(paths[0])
		if err != nil {
			yield(value.V{}, ray.Wrap(ray.ErrIO, "rayarrow.ScanParquet", err, "opening %s", paths[0]))
			return
		}
		defer fh.Close()
		st, err := fh.Stat()
		if err != nil {
			yield(value.V{}, ray.Wrap(ray.ErrIO, "rayarrow.ScanParquet", err, "stat %s", paths[0]))
			return
		}
		ScanParquetFrom(fh, st.Size(), func(x *readOptions) { *x = *o })(yield)
		return
	}
	plans, closeAll, err := dirPlans(paths, o)
	if err != nil {
		yield(value.V{}, err)
		return
	}
	defer closeAll()
	for _, p := range plans {
		if !scanPlan(p, o, yield) {
			return
		}
	}
}

// dictEntries returns the dictionary entries of a string column's chunks
// in the plan's row groups, and whether every chunk has a dictionary.
func (p *pqPlan) dictEntries(c *pqCol) (int64, bool, error) {
	if c.kind != pkString || c.leaf < 0 {
		return 0, false, nil
	}
	total := int64(0)
	for _, g := range p.groups {
		cc, err := p.f.rdr.MetaData().RowGroup(g).ColumnChunk(c.leaf)
		if err != nil {
			return 0, false, corruptf("row group %d %v: %v", g, c, err)
		}
		n, isDict, err := p.f.dictionarySize(cc)
		if err != nil || !isDict {
			return 0, false, err
		}
		total += n
	}
	return total, true, nil
}
