package store

import (
	"encoding/binary"
	"hash/crc32"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/atomicfile"
	"github.com/raygo/ray/value"
)

// A symbol file keeps the symbol table so that SYM ids mean the same in
// the next process: "RAYGOSYM", a version, the count, then each name as a
// uint32 length and its bytes, then a CRC-32C of everything before it.
// Saving takes an exclusive flock on the file's directory entry, so that
// two processes do not write it at once; loading checks that the table in
// memory is a prefix of the file's (or the file a prefix of it), since ids
// are positions: any other difference is ErrCorrupt.

const symMagic = "RAYGOSYM"

// SaveSymbols writes every symbol to the file at path, atomically.
func SaveSymbols(path string) error {
	unlock, err := lockFile(path)
	if err != nil {
		return err
	}
	defer unlock()
	n := value.SymCount()
	return atomicfile.Write("store.SaveSymbols", path, func(w *atomicfile.Writer) error {
		crc := crc32.New(castagnoli)
		out := io.MultiWriter(w, crc)
		var hdr [20]byte
		copy(hdr[:], symMagic)
		binary.LittleEndian.PutUint32(hdr[8:], 1)
		binary.LittleEndian.PutUint64(hdr[12:], uint64(n))
		if _, err := out.Write(hdr[:]); err != nil {
			return err
		}
		var lb [4]byte
		for id := range n {
			name, _ := value.SymName(id)
			binary.LittleEndian.PutUint32(lb[:], uint32(len(name)))
			if _, err := out.Write(lb[:]); err != nil {
				return err
			}
			if _, err := io.WriteString(out, name); err != nil {
				return err
			}
		}
		binary.LittleEndian.PutUint32(lb[:], crc.Sum32())
		_, err := w.Write(lb[:])
		return err
	})
}

// lockFile takes an exclusive lock on a lock file beside path.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, ray.Wrap(ray.ErrIO, "store.SaveSymbols", err, "opening the lock for %s", path)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, ray.Wrap(ray.ErrIO, "store.SaveSymbols", err, "locking %s", path)
	}
	return func() {
		_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}

// LoadSymbols reads the symbol file at path and interns its names in
// order. The symbols already in memory must be the file's first ones (or
// the file's names the first of those in memory); otherwise the ids would
// disagree and LoadSymbols returns ErrCorrupt. The whole file is checked
// before the first name is interned (symbols are never freed, so a
// rejected file must leave none behind): a name given twice, or more
// names than the table takes, interns nothing. Only a symbol interned by
// another goroutine while LoadSymbols runs can still make it stop part way.
func LoadSymbols(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return ray.Wrap(ray.ErrIO, "store.LoadSymbols", err, "reading %s", path)
	}
	names, err := decodeSymbols(b)
	if err != nil {
		return err
	}
	if int64(len(names)) > value.MaxSyms {
		return ray.Errorf(ray.ErrLimit, "store.LoadSymbols", "%s holds %d symbols; the table takes %d", path, len(names), value.MaxSyms)
	}
	seen := make(map[string]struct{}, len(names))
	for _, name := range names {
		if _, dup := seen[name]; dup {
			return ray.Errorf(ray.ErrCorrupt, "store.LoadSymbols", "%s names %q twice", path, name)
		}
		seen[name] = struct{}{}
	}
	have := value.SymCount()
	for id := range min(int64(len(names)), have) {
		if cur, _ := value.SymName(id); cur != names[id] {
			return ray.Errorf(ray.ErrCorrupt, "store.LoadSymbols", "symbol %d is %q in memory but %q in %s", id, cur, names[id], path)
		}
	}
	for id := have; id < int64(len(names)); id++ {
		if got, ok := value.SymID(names[id]); ok { // in memory under another id
			return ray.Errorf(ray.ErrCorrupt, "store.LoadSymbols", "symbol %q is %d in memory but %d in %s", names[id], got, id, path)
		}
	}
	for id := have; id < int64(len(names)); id++ {
		got, err := value.Intern(names[id])
		if err != nil {
			return err
		}
		if got != id {
			return ray.Errorf(ray.ErrCorrupt, "store.LoadSymbols", "%s names %q twice", path, names[id])
		}
	}
	return nil
}

// decodeSymbols checks and splits a symbol file.
func decodeSymbols(b []byte) ([]string, error) {
	bad := func(format string, args ...any) ([]string, error) {
		return nil, ray.Errorf(ray.ErrCorrupt, "store.LoadSymbols", format, args...)
	}
	if len(b) < 24 || string(b[:8]) != symMagic {
		return bad("not a raygo symbol file")
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != 1 {
		if v > 1 {
			return nil, ray.Errorf(ray.ErrNYI, "store.LoadSymbols", "symbol file version %d", v)
		}
		return bad("symbol file version %d", v)
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return bad("checksum mismatch")
	}
	n := binary.LittleEndian.Uint64(b[12:])
	if n > uint64(len(body)) {
		return bad("%d symbols in %d bytes", n, len(b))
	}
	names := make([]string, 0, n)
	p := body[20:]
	for range n {
		if len(p) < 4 {
			return bad("truncated after %d symbols", len(names))
		}
		l := int(binary.LittleEndian.Uint32(p))
		p = p[4:]
		if l > len(p) || l > value.MaxSymLen {
			return bad("a name of %d bytes with %d left", l, len(p))
		}
		names = append(names, string(p[:l]))
		p = p[l:]
	}
	if len(p) != 0 {
		return bad("%d bytes after the last symbol", len(p))
	}
	return names, nil
}
