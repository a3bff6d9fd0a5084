package benchmarks

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/store"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// BenchmarkSaveI64 writes 10M int64 (80 MB) as a column file (synced and
// renamed into place); the rival writes the same bytes with os.WriteFile
// (not synced).
func BenchmarkSaveI64(b *testing.B) {
	xs := make([]int64, appendN)
	for i := range xs {
		xs[i] = int64(i)
	}
	dir := b.TempDir()
	b.Run("impl=raygo", func(b *testing.B) {
		v, err := vec.FromSlice(value.I64, xs)
		if err != nil {
			b.Fatal(err)
		}
		defer cow.Release(&v)
		b.SetBytes(8 * appendN)
		for b.Loop() {
			if err := store.SaveColumn(filepath.Join(dir, "x.col"), v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=osWriteFile", func(b *testing.B) {
		raw := unsafe.Slice((*byte)(unsafe.Pointer(&xs[0])), 8*len(xs))
		b.SetBytes(8 * appendN)
		for b.Loop() {
			if err := os.WriteFile(filepath.Join(dir, "x.raw"), raw, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMapI64 maps a 10M-row column (no checksum): O(1) in the rows.
// BenchmarkLoadI64 reads it into the heap.
func BenchmarkMapI64(b *testing.B) {
	path := savedI64(b)
	b.ReportAllocs()
	for b.Loop() {
		v, err := store.MapColumn(path)
		if err != nil {
			b.Fatal(err)
		}
		cow.Release(&v)
	}
}

func BenchmarkLoadI64(b *testing.B) {
	path := savedI64(b)
	b.Run("impl=raygo", func(b *testing.B) {
		b.SetBytes(8 * appendN)
		steady(b, func() {
			v, err := store.LoadColumn(path)
			if err != nil {
				b.Fatal(err)
			}
			cow.Release(&v)
		})
	})
	// The rival reads the same bytes into Go memory with nothing checked.
	b.Run("impl=osreadfile", func(b *testing.B) {
		b.SetBytes(8 * appendN)
		steady(b, func() {
			raw, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			sinkBytes = raw
		})
		sinkBytes = nil
	})
}

var sinkBytes []byte

func savedI64(b *testing.B) string {
	v, err := vec.FromSlice(value.I64, make([]int64, appendN))
	if err != nil {
		b.Fatal(err)
	}
	defer cow.Release(&v)
	path := filepath.Join(b.TempDir(), "x.col")
	if err := store.SaveColumn(path, v); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkSaveTable saves the engine's trades table (10M rows, 1M under
// -short: timestamps, SYM, F64 with nulls, I64, SYM, STR) as a table
// directory, each column file synced and renamed into place; the rival,
// impl=osWriteFileSync, writes files of the same bytes (read back from
// the saved directory) with os.Create, Write and Sync.
func BenchmarkSaveTable(b *testing.B) {
	trades, dir, files := savedTrades(b)
	var total int64
	for _, f := range files {
		total += int64(len(f.b))
	}
	b.Run("impl=raygo", func(b *testing.B) {
		b.SetBytes(total)
		b.ReportAllocs()
		for b.Loop() {
			if err := store.SaveTable(dir, trades); err != nil {
				b.Fatal(err)
			}
		}
	})
	out := b.TempDir()
	b.Run("impl=osWriteFileSync", func(b *testing.B) {
		b.SetBytes(total)
		b.ReportAllocs()
		for b.Loop() {
			for _, f := range files {
				fh, err := os.Create(filepath.Join(out, f.name))
				if err == nil {
					_, err = fh.Write(f.b)
				}
				if err == nil {
					err = fh.Sync()
				}
				if err == nil {
					err = fh.Close()
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkMapTable maps the saved trades table back (its numeric and SYM
// columns mapped, its STR column loaded, SYM ids and the rest checked);
// the rival, impl=osReadFile, reads every file of the directory with
// os.ReadFile: the STR column's bytes, which mapping must read too, and a
// single pass over the others', what the checks cost at least.
func BenchmarkMapTable(b *testing.B) {
	_, dir, files := savedTrades(b)
	b.Run("impl=raygo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			t, err := store.MapTable(dir)
			if err != nil {
				b.Fatal(err)
			}
			cow.Release(&t)
		}
	})
	b.Run("impl=osReadFile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, f := range files {
				if _, err := os.ReadFile(filepath.Join(dir, f.name)); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// savedTrades saves the engine's trades table as a table directory and
// returns the table, the directory and its files' bytes.
func savedTrades(b *testing.B) (value.V, string, []namedFile) {
	tb, err := engineData()
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "trades")
	if err := store.SaveTable(dir, tb.Trades); err != nil {
		b.Fatal(err)
	}
	return tb.Trades, dir, tableFiles(b, dir)
}

type namedFile struct {
	name string
	b    []byte
}

// tableFiles reads the files of a saved table directory.
func tableFiles(b *testing.B, dir string) []namedFile {
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	var out []namedFile
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, namedFile{e.Name(), data})
	}
	return out
}
