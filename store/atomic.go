package store

import (
	"bufio"
	"io"
	"os"
	"path/filepath"

	"github.com/raygo/ray"
)

// The file system steps of an atomic write, replaceable by tests to inject
// failures (a full disk, a short write, a failed sync or rename).
var (
	createTemp = os.CreateTemp
	syncFile   = (*os.File).Sync
	rename     = os.Rename
	syncDir    = func(dir string) error {
		d, err := os.Open(dir)
		if err != nil {
			return err
		}
		defer d.Close()
		return d.Sync()
	}
	wrapWriter = func(w io.Writer) io.Writer { return w }
)

// writeAtomically writes the file at path with write: into a temporary file
// in the same directory, synced, renamed over path, the directory synced.
// On any failure the temporary file is removed, path is as it was, and the
// error is an ErrIO.
func writeAtomically(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := createTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return ray.Wrap(ray.ErrIO, "store.write", err, "creating a temporary file in %s", dir)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(wrapWriter(f), 1<<20)
	if err := write(bw); err != nil {
		return ray.Wrap(ray.ErrIO, "store.write", err, "writing %s", tmp)
	}
	if err := bw.Flush(); err != nil {
		return ray.Wrap(ray.ErrIO, "store.write", err, "writing %s", tmp)
	}
	if err := syncFile(f); err != nil {
		return ray.Wrap(ray.ErrIO, "store.write", err, "syncing %s", tmp)
	}
	if err := f.Close(); err != nil {
		return ray.Wrap(ray.ErrIO, "store.write", err, "closing %s", tmp)
	}
	if err := rename(tmp, path); err != nil {
		return ray.Wrap(ray.ErrIO, "store.write", err, "renaming %s to %s", tmp, path)
	}
	if err := syncDir(dir); err != nil {
		return ray.Wrap(ray.ErrIO, "store.write", err, "syncing the directory %s", dir)
	}
	return nil
}
