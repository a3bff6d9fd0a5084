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
