//go:build !race && !raceheap

package heap

import (
	"golang.org/x/sys/unix"

	"github.com/raygo/ray/internal/offheap"
)

// raceVisible is true when pools are Go memory that the race detector sees
// (vm_gomem.go). Here they are anonymous mappings, which it does not.
const raceVisible = false

// mapAnonymous maps length bytes of private anonymous memory. Tests replace
// it to simulate a kernel that refuses anonymous memory.
var mapAnonymous = func(length uintptr) (uintptr, error) {
	return mmap(length, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE)
}

// mapAligned maps size bytes of anonymous memory at a multiple of size:
// twice the size, less the unaligned ends.
func mapAligned(size uintptr) (uintptr, error) {
	raw, err := mapAnonymous(2 * size)
	if err != nil {
		return 0, err
	}
	base := trimAligned(raw, size)
	// Huge pages are a hint: a kernel without them says no, and the pool
	// works the same.
	_ = unix.Madvise(offheap.Bytes(base, size), unix.MADV_HUGEPAGE)
	return base, nil
}

// unmapPool returns a pool's memory to the kernel.
func unmapPool(mp mappedPool) error { return munmap(mp.base, 1<<mp.order) }

// releaseAnonymous lets the kernel drop the pages of [addr, addr+n), which
// read back as zeros.
func releaseAnonymous(addr, n uintptr) error {
	return unix.Madvise(offheap.Bytes(addr, n), unix.MADV_DONTNEED)
}

// mmapTable reserves n bytes for a lookup table: read-write, zero until
// written, and backed by memory only where it is touched.
func mmapTable(n uintptr) (uintptr, error) {
	return mmap(n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE)
}

func raceReleasePin(pid int) {}
func raceAcquirePin(pid int) {}
func raceAcquireAll()        {}
func raceReleaseAll()        {}
