package atomicfile

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/fault"
)

// Write replaces the file at path with what write writes. On any failure
// the temporary file is removed, path is as it was, and the error is an
// ErrIO naming op, except that an error write returns that is a raygo
// error is returned as it is.
func Write(op, path string, write func(w *Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := createTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return ray.Wrap(ray.ErrIO, op, err, "creating a temporary file in %s", dir)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	bw := &Writer{w: bufio.NewWriterSize(fault.Writer(f), 1<<20), f: f}
	if err := write(bw); err != nil {
		if errors.As(err, new(*ray.Error)) {
			return err
		}
		return ray.Wrap(ray.ErrIO, op, err, "writing %s", tmp)
	}
	if err := bw.w.Flush(); err != nil {
		return ray.Wrap(ray.ErrIO, op, err, "writing %s", tmp)
	}
	if err := syncFile(f); err != nil {
		return ray.Wrap(ray.ErrIO, op, err, "syncing %s", tmp)
	}
	if err := f.Close(); err != nil {
		return ray.Wrap(ray.ErrIO, op, err, "closing %s", tmp)
	}
	if err := rename(tmp, path); err != nil {
		return ray.Wrap(ray.ErrIO, op, err, "renaming %s to %s", tmp, path)
	}
	if err := SyncDir(dir); err != nil {
		return ray.Wrap(ray.ErrIO, op, err, "syncing the directory %s", dir)
	}
	return nil
}

// Writer is the temporary file, buffered. Seek (which Arrow's IPC file
// writer asks for its position with) flushes the buffer first.
type Writer struct {
	w *bufio.Writer
	f *os.File
}

func (w *Writer) Write(p []byte) (int, error) { return w.w.Write(p) }

func (w *Writer) Seek(offset int64, whence int) (int64, error) {
	if err := w.w.Flush(); err != nil {
		return 0, err
	}
	return w.f.Seek(offset, whence)
}

func createTemp(dir, pattern string) (*os.File, error) {
	if err := fault.Hit(fault.Create); err != nil {
		return nil, err
	}
	return os.CreateTemp(dir, pattern)
}

func syncFile(f *os.File) error {
	if err := fault.Hit(fault.Sync); err != nil {
		return err
	}
	return f.Sync()
}

func rename(from, to string) error {
	if err := fault.Hit(fault.Rename); err != nil {
		return err
	}
	return os.Rename(from, to)
}

// SyncDir syncs the directory dir, so that the names renamed into it
// survive a crash.
func SyncDir(dir string) error {
	if err := fault.Hit(fault.Sync); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
