package heap

import (
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/offheap"
)

// Columns mapped from files (mmod = 1) are mappings the heap makes too, so
// that one package owns every mapping. MapFile maps a whole file private:
// its first page writable (a value's header lives there, and reference
// counts change), copy-on-write so the file is never written; the rest
// read-only, so a stray write faults instead of corrupting anything. The
// mapping is recorded under the address of the value header it holds, and
// UnmapFile removes exactly what was mapped (reference §18.17). Mapped
// bytes are not charged to the budget: the kernel can always drop them.

var mapped struct {
	sync.Mutex
	m     map[uintptr]fileMapping // by value header address
	bytes uint64
}

type fileMapping struct {
	base, length uintptr
}

const pageSize = 4096

// MapFile maps the file f, of size bytes, and returns the address at
// offset hdrOff in the mapping, where the caller's value header lies; the
// page holding it must be the first one (hdrOff + HeaderSize <= 4096).
func MapFile(f *os.File, size int64, hdrOff uintptr) (unsafe.Pointer, error) {
	if size <= 0 || hdrOff+HeaderSize > pageSize || uint64(size) > 1<<47 {
		return nil, ray.Errorf(ray.ErrDomain, "heap.MapFile", "cannot map %d bytes with a header at %d", size, hdrOff)
	}
	p, err := unix.MmapPtr(int(f.Fd()), 0, nil, uintptr(size), unix.PROT_READ, unix.MAP_PRIVATE)
	if err != nil {
		return nil, ray.Wrap(ray.ErrIO, "heap.MapFile", err, "mapping %s (%d bytes)", f.Name(), size)
	}
	base := uintptr(p)
	if err := unix.Mprotect(offheap.Bytes(base, pageSize), unix.PROT_READ|unix.PROT_WRITE); err != nil {
		_ = munmap(base, uintptr(size))
		return nil, ray.Wrap(ray.ErrIO, "heap.MapFile", err, "making the header page of %s writable", f.Name())
	}
	mapped.Lock()
	if mapped.m == nil {
		mapped.m = make(map[uintptr]fileMapping)
	}
	mapped.m[base+hdrOff] = fileMapping{base, uintptr(size)}
	mapped.bytes += uint64(size)
	mapped.Unlock()
	return offheap.Ptr(base + hdrOff), nil
}

// UnmapFile removes the mapping that holds the value header at p. It
// panics if p is not the header of a mapping MapFile made.
func UnmapFile(p unsafe.Pointer) {
	mapped.Lock()
	fm, ok := mapped.m[uintptr(p)]
	delete(mapped.m, uintptr(p))
	if ok {
		mapped.bytes -= uint64(fm.length)
	}
	mapped.Unlock()
	if !ok {
		panic(fmt.Sprintf("heap: UnmapFile of %p, which heads no mapped file", p))
	}
	if err := munmap(fm.base, fm.length); err != nil {
		panic(fmt.Sprintf("heap: unmapping %#x (%d bytes): %v", fm.base, fm.length, err))
	}
}

// MappedFiles returns the number of files mapped and their bytes.
func MappedFiles() (files int, bytes uint64) {
	mapped.Lock()
	defer mapped.Unlock()
	return len(mapped.m), mapped.bytes
}
