package heap

import (
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/fault"
	"github.com/raygo/ray/internal/offheap"
)

// Columns mapped from files (mmod = 1) are mappings the heap makes too, so
// that one package owns every mapping. MapFile maps a stretch of a file
// private and read-only, so the file is never written and a stray write
// faults instead of corrupting anything, right after one page of anonymous
// memory whose last 32 bytes are the value's header. The header is never
// file memory: were it, truncating the file (which on Linux discards even
// private copies of its pages) would swap the reference count and owned
// pointers for whatever the file holds next. The mapping is recorded under
// the header's address, and UnmapFile removes exactly what was mapped
// (ARCHITECTURE.md D13). Mapped bytes are not charged to the budget: the
// kernel can always drop them.
//
// A mapping reads the file as it is: a file truncated or rewritten in place
// while mapped faults (SIGBUS) on the missing pages, as with every mapped
// store. Files replaced by rename, as package store writes them, are safe:
// the mapping keeps the old file.

var mapped struct {
	sync.Mutex
	m     map[uintptr]fileMapping // by value header address
	bytes uint64
}

type fileMapping struct {
	base, length uintptr
}

const pageSize = 4096

// MapFile maps n bytes of the file f from offset off (a multiple of the
// page size) and returns the address of a writable 32-byte value header,
// marked MmodFile with one reference and otherwise zero, that the file's
// bytes follow: the data of the returned block is
// the file's bytes.
func MapFile(f *os.File, off, n int64) (unsafe.Pointer, error) {
	if f == nil {
		return nil, ray.Errorf(ray.ErrDomain, "heap.MapFile", "no file")
	}
	if off < 0 || off%pageSize != 0 || n < 0 || uint64(n) > 1<<47 {
		return nil, ray.Errorf(ray.ErrDomain, "heap.MapFile", "cannot map %d bytes at offset %d", n, off)
	}
	length := pageSize + uintptr(n)
	if err := fault.Hit(fault.Mmap); err != nil {
		return nil, ray.Wrap(ray.ErrIO, "heap.MapFile", err, "reserving %d bytes for %s", length, f.Name())
	}
	p, err := unix.MmapPtr(-1, 0, nil, length, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return nil, ray.Wrap(ray.ErrIO, "heap.MapFile", err, "reserving %d bytes for %s", length, f.Name())
	}
	base := uintptr(p)
	if n > 0 {
		_, err := unix.MmapPtr(int(f.Fd()), off, offheap.Ptr(base+pageSize), uintptr(n), unix.PROT_READ, unix.MAP_PRIVATE|unix.MAP_FIXED)
		if err != nil {
			_ = munmap(base, length)
			return nil, ray.Wrap(ray.ErrIO, "heap.MapFile", err, "mapping %s (%d bytes at %d)", f.Name(), n, off)
		}
	}
	hdr := base + pageSize - HeaderSize
	*HeaderOf(offheap.Ptr(hdr)) = Header{mmod: MmodFile, RC: RefCount{1}}
	mapped.Lock()
	if mapped.m == nil {
		mapped.m = make(map[uintptr]fileMapping)
	}
	mapped.m[hdr] = fileMapping{base, length}
	mapped.bytes += uint64(n)
	mapped.Unlock()
	return offheap.Ptr(hdr), nil
}

// UnmapFile removes the mapping that holds the value header at p. It
// panics if p is not the header of a mapping MapFile made.
func UnmapFile(p unsafe.Pointer) {
	mapped.Lock()
	fm, ok := mapped.m[uintptr(p)]
	delete(mapped.m, uintptr(p))
	if ok {
		mapped.bytes -= uint64(fm.length - pageSize)
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
