package rayarrow

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// Files and streams written by apache-arrow 21.2 (interop/write.mjs): its
// file writer puts the schema only in the footer, so the body starts with
// a batch. ReadIPCFile reads files by their footer and gives the same
// tables as ReadIPC gives for the same data written as a stream.
func TestReadsIPCFilesWithTheSchemaInTheFooter(t *testing.T) {
	heaptest.Check(t)
	readApacheArrowFiles(t, filepath.Join("testdata", "ipc"))
}

// readApacheArrowFiles reads the files interop/write.mjs wrote into dir.
func readApacheArrowFiles(t *testing.T, dir string) {
	t.Helper()
	for name, want := range map[string]string{
		"numbers": "i:[1 -2 3 null 2147483647] f:[0.5 -1.25 3e+10 4 null] ",
		"dict":    "d:[`x `y `x null `zz] s:[`a `bb null `dddd `a long string of more than twelve bytes] ",
	} {
		path := filepath.Join(dir, "apache-arrow-"+name)
		fromFile, err := ReadIPCFile(path + ".arrow")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, err := os.Open(path + ".arrows")
		if err != nil {
			t.Fatal(err)
		}
		fromStream, err := ReadIPC(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s stream: %v", name, err)
		}
		if len(fromFile) != 1 || len(fromStream) != 1 {
			t.Fatalf("%s: %d tables from the file, %d from the stream", name, len(fromFile), len(fromStream))
		}
		if got := tableRows(t, fromFile[0]); got != want {
			t.Errorf("%s file: %s\nwant %s", name, got, want)
		}
		if got := tableRows(t, fromStream[0]); got != want {
			t.Errorf("%s stream: %s\nwant %s", name, got, want)
		}
		checked(t, fromFile...)
		releaseAll(fromFile)
		releaseAll(fromStream)
	}
	// int8 and uint32 have no raygo type of their own: they widen to the
	// next raygo integer that holds them.
	for _, ext := range []string{".arrow", ".arrows"} {
		path := filepath.Join(dir, "apache-arrow-narrow"+ext)
		var tables []value.V
		var err error
		if ext == ".arrow" {
			tables, err = ReadIPCFile(path)
		} else {
			f, _ := os.Open(path)
			tables, err = ReadIPC(f)
			f.Close()
		}
		if err != nil || len(tables) != 1 {
			t.Fatalf("%s: %d tables, %v", path, len(tables), err)
		}
		const want = "b:[-128 0 127 null 1] u:[0 1 4294967295 7 null] "
		if got := tableRows(t, tables[0]); got != want {
			t.Errorf("%s: %s\nwant %s", path, got, want)
		}
		_, b, _ := vec.ColumnAt(tables[0], 0)
		_, u, _ := vec.ColumnAt(tables[0], 1)
		if b.Type() != value.I16 || u.Type() != value.I64 {
			t.Errorf("%s: int8 read as %v, uint32 as %v", path, b.Type(), u.Type())
		}
		releaseAll(tables)
	}
}

// A footer that points anywhere is refused as ErrCorrupt, never read past
// the file or before its body.
func TestDamagedIPCFooterIsRefused(t *testing.T) {
	heaptest.Check(t)
	good, err := os.ReadFile(filepath.Join("testdata", "ipc", "apache-arrow-numbers.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	n := 0
	// Every byte of the footer and its length, set to 0xFF and to 0x80.
	footerLen := int(int32(uint32(good[len(good)-10]) | uint32(good[len(good)-9])<<8 | uint32(good[len(good)-8])<<16 | uint32(good[len(good)-7])<<24))
	for i := len(good) - 10 - footerLen; i < len(good)-6; i++ {
		for _, x := range []byte{0xFF, 0x80, 0x00} {
			b := append([]byte(nil), good...)
			if b[i] == x {
				continue
			}
			b[i] = x
			path := filepath.Join(dir, "d.arrow")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			tables, err := ReadIPCFile(path)
			if err != nil && !errors.Is(err, ray.ErrCorrupt) && !errors.Is(err, ray.ErrNYI) && !errors.Is(err, ray.ErrLimit) {
				t.Errorf("byte %d set to %#x: %v", i, x, err)
			}
			checked(t, tables...)
			releaseAll(tables)
			n++
		}
	}
	if n < 100 {
		t.Errorf("only %d damaged footers", n)
	}
}

// TestReadIPCFileOptions: the Parquet readers' options choose columns,
// record batches and SYM columns of an IPC file too, and ScanIPCFile
// yields what ReadIPCFile returns, a batch at a time.
func TestReadIPCFileOptions(t *testing.T) {
	heaptest.Check(t)
	tb := sampleTable(t)
	defer cow.Release(&tb)
	path := filepath.Join(t.TempDir(), "t.arrow")
	if err := WriteIPCFile(path, Zstd, tb, tb, tb); err != nil {
		t.Fatal(err)
	}
	got, err := ReadIPCFile(path, Columns("name", "id"), RowGroups(2, 0), AsSym("name"))
	if err != nil {
		t.Fatal(err)
	}
	defer releaseAll(got)
	if len(got) != 2 {
		t.Fatalf("%d batches, want 2", len(got))
	}
	for _, b := range got {
		name0, c0, _ := vec.ColumnAt(b, 0)
		name1, c1, _ := vec.ColumnAt(b, 1)
		if vec.NumCols(b) != 2 || name0 != "name" || name1 != "id" || c0.Type() != value.Sym || c1.Type() != value.I64 {
			t.Errorf("batch: %s", tableRows(t, b))
		}
		if cell(c0, 2) != "`c" || cell(c0, 1) != "null" || cell(c1, 0) != "1" {
			t.Errorf("batch rows: %s", tableRows(t, b))
		}
	}
	n := 0
	for b, err := range ScanIPCFile(path, ColumnIndexes(6)) {
		if err != nil {
			t.Fatal(err)
		}
		if _, c, _ := vec.ColumnAt(b, 0); vec.NumCols(b) != 1 || c.Type() != value.Sym {
			t.Errorf("scanned batch: %s", tableRows(t, b))
		}
		cow.Release(&b)
		n++
	}
	if n != 3 {
		t.Errorf("scanned %d batches, want 3", n)
	}
	for _, c := range []struct {
		opts []ReadOption
		kind error
	}{
		{[]ReadOption{Columns("nope")}, ray.ErrName},
		{[]ReadOption{ColumnIndexes(7)}, ray.ErrRange},
		{[]ReadOption{RowGroups(3)}, ray.ErrRange},
		{[]ReadOption{AsSym("id")}, ray.ErrType},
		{[]ReadOption{RowGroupsInRange("id", 1, 2)}, ray.ErrNYI},
	} {
		if vs, err := ReadIPCFile(path, c.opts...); !errors.Is(err, c.kind) {
			releaseAll(vs)
			t.Errorf("want %v, have %v", c.kind, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadIPCFile(path, WithContext(ctx)); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled read: %v", err)
	}
}
