package heap

import (
	"errors"
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/fault"
	"github.com/raygo/ray/internal/offheap"
)

// This file is the heap's only contact with the kernel's virtual memory:
// reserving the lookup tables, mapping self-aligned pools (anonymous, or a
// swap file when anonymous memory is refused), returning pages and
// unmapping. None of it may run while pinned to a P.

func mmap(length uintptr, prot, flags int) (uintptr, error) {
	p, err := unix.MmapPtr(-1, 0, nil, length, prot, flags)
	if err != nil {
		return 0, err
	}
	return uintptr(p), nil
}

func munmap(addr, length uintptr) error {
	if length == 0 {
		return nil
	}
	return unix.MunmapPtr(offheap.Ptr(addr), length)
}

// swapDir is the directory of file-backed pools; "" disables them.
var swapDir struct {
	sync.Mutex
	dir string
}

func init() {
	dir, ok := os.LookupEnv("RAYGO_HEAP_SWAP")
	switch {
	case !ok:
		dir = os.TempDir()
	case dir == "off" || dir == "none":
		dir = ""
	}
	swapDir.dir = dir
}

// SetSwapDir sets the directory where the heap creates file-backed pools
// when the kernel refuses anonymous memory, and returns the previous one.
// The empty string disables the fallback: a refused mapping is then an
// ErrOOM. The default is $RAYGO_HEAP_SWAP, or the OS temp directory when it
// is unset ("off" disables).
func SetSwapDir(dir string) string {
	swapDir.Lock()
	defer swapDir.Unlock()
	old := swapDir.dir
	swapDir.dir = dir
	return old
}

// SwapDir returns the directory of file-backed pools ("" when disabled).
func SwapDir() string {
	swapDir.Lock()
	defer swapDir.Unlock()
	return swapDir.dir
}

// mappedPool is a pool mapped but not yet handed to a heap.
type mappedPool struct {
	base  uintptr
	order uint8
	swap  bool
}

// mapPool maps a self-aligned pool of 2^order bytes: base is a multiple of
// its size, which is what lets a block find its pool's first chunk with a
// mask and its buddy with an XOR. Anonymous memory first; when the kernel
// refuses it, a swap file.
func mapPool(order uint8) (mappedPool, error) {
	size := uintptr(1) << order
	base, err := uintptr(0), fault.Hit(fault.Mmap)
	if err == nil {
		base, err = mapAligned(size)
	}
	if err == nil {
		if base+size > maxAddr {
			_ = unmapPool(mappedPool{base: base, order: order})
			return mappedPool{}, ray.Errorf(ray.ErrOOM, "heap.Alloc", "the kernel mapped a pool at %#x, above the %d-bit addresses the heap handles", base, addrBits)
		}
		return mappedPool{base: base, order: order}, nil
	}
	dir := SwapDir()
	if dir == "" {
		return mappedPool{}, ray.Wrap(ray.ErrOOM, "heap.Alloc", err, "mapping a pool of %d bytes was refused and the swap fallback is off", size)
	}
	base, serr := mapSwapPool(dir, size)
	if serr != nil {
		return mappedPool{}, ray.Wrap(ray.ErrOOM, "heap.Alloc", errors.Join(err, serr), "mapping a pool of %d bytes was refused, and so was a swap file in %s", size, dir)
	}
	return mappedPool{base: base, order: order, swap: true}, nil
}

// trimAligned unmaps the parts of the 2*size mapping at raw that lie
// outside its size-aligned middle, and returns that middle.
func trimAligned(raw, size uintptr) uintptr {
	base := (raw + size - 1) &^ (size - 1)
	if head := base - raw; head > 0 {
		_ = munmap(raw, head)
	}
	if tail := raw + 2*size - (base + size); tail > 0 {
		_ = munmap(base+size, tail)
	}
	return base
}

// mapSwapPool maps a pool of size bytes over a file in dir. The address
// range is reserved first with an inaccessible mapping (which costs no
// memory, so the kernel grants it even when it refused the pool), the file
// is mapped shared over its aligned middle, and then the file is unlinked:
// the mapping keeps it alive, unmapping the pool deletes it, and a crash
// leaves nothing behind.
func mapSwapPool(dir string, size uintptr) (uintptr, error) {
	f, err := os.CreateTemp(dir, "raygo-heap-*.swap")
	if err != nil {
		return 0, err
	}
	name := f.Name()
	defer func() {
		_ = f.Close()
		_ = os.Remove(name)
	}()
	if err := f.Truncate(int64(size)); err != nil {
		return 0, err
	}
	raw, err := mmap(2*size, unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE)
	if err != nil {
		return 0, err
	}
	base := trimAligned(raw, size)
	if _, err := unix.MmapPtr(int(f.Fd()), 0, offheap.Ptr(base), size,
		unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_FIXED); err != nil {
		_ = munmap(base, size)
		return 0, err
	}
	if base+size > maxAddr {
		_ = munmap(base, size)
		return 0, errors.New("pool mapped above the heap's address range")
	}
	return base, nil
}

// releasePages tells the kernel it may drop the pages of [addr, addr+n):
// anonymous pages read back as zeros, a swap file's are punched out of it.
func releasePages(addr, n uintptr, swap bool) error {
	if swap {
		return unix.Madvise(offheap.Bytes(addr, n), unix.MADV_REMOVE)
	}
	return releaseAnonymous(addr, n)
}

// physicalMemory returns the memory this process may use: the machine's RAM,
// or the cgroup's limit when it is lower.
func physicalMemory() uint64 {
	var info unix.Sysinfo_t
	total := uint64(4 << 30)
	if unix.Sysinfo(&info) == nil && info.Totalram > 0 {
		total = uint64(info.Totalram) * uint64(info.Unit)
	}
	if lim, ok := cgroupLimit(); ok && lim < total {
		total = lim
	}
	return total
}

// cgroupLimit reads the cgroup v2 (or v1) memory limit, if one is set.
func cgroupLimit() (uint64, bool) {
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var n uint64
		digits := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + uint64(c-'0')
			digits++
		}
		if digits > 0 && n > 0 && n < 1<<62 {
			return n, true
		}
	}
	return 0, false
}
