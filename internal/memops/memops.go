package memops

import (
	"os"
	"strconv"
	"unsafe"
)

// Config is the choice of kernels and thresholds, made once at start-up.
type Config struct {
	Kernel string // "go" (runtime only), "avx2" or "erms": the kernel for Large <= size < NT
	Large  int    // bytes from which the package's kernels take over from the runtime
	NT     int    // bytes from which stores are non-temporal
	AVX2   bool   // what cpuid reported
	ERMS   bool
	FSRM   bool
	L2, L3 int // cache sizes cpuid reported, -1 when unknown
}

var cfg Config

// Current returns the choice of kernels and thresholds in force.
func Current() Config { return cfg }

const (
	defaultLarge = 1 << 20
	minNT        = 4 << 20
	maxNT        = 64 << 20
	maxInt       = int(^uint(0) >> 1)
)

// ntThreshold derives the non-temporal threshold from the cache sizes.
func ntThreshold(l2, l3 int) int {
	nt := 16 << 20
	switch {
	case l3 > 0:
		nt = l3 / 2
	case l2 > 0:
		nt = 16 * l2
	}
	return min(max(nt, minNT), maxNT)
}

// applyEnv lets the environment override the choice, for measurement.
func applyEnv(c *Config, haveKernels bool) {
	if k := os.Getenv("RAYGO_MEMOPS_KERNEL"); k != "" {
		switch {
		case k == "go", k == "avx2" && haveKernels && c.AVX2, k == "erms" && haveKernels && c.ERMS:
			c.Kernel = k
		}
	}
	if n, err := strconv.Atoi(os.Getenv("RAYGO_MEMOPS_LARGE")); err == nil && n >= 64 {
		c.Large = n
	}
	if n, err := strconv.Atoi(os.Getenv("RAYGO_MEMOPS_NT")); err == nil && n >= 64 {
		c.NT = n
	}
}

// Copy copies min(len(dst), len(src)) bytes from src to dst, as copy does
// (overlap included), and returns that count. Below Config.Large it is
// copy itself, inlined.
func Copy(dst, src []byte) int {
	if len(src) < large {
		return copy(dst, src)
	}
	return copyLarge(dst, src)
}

// large is cfg.Large, kept apart so that Copy stays cheap enough to inline.
var large int

func copyLarge(dst, src []byte) int {
	n := min(len(dst), len(src))
	if n < large {
		return copy(dst, src)
	}
	CopyPtr(unsafe.Pointer(&dst[0]), unsafe.Pointer(&src[0]), uintptr(n))
	return n
}

// Fill sets every byte of dst to c.
func Fill(dst []byte, c byte) {
	if len(dst) > 0 {
		FillPtr(unsafe.Pointer(&dst[0]), uintptr(len(dst)), c)
	}
}

// Zero sets every byte of dst to 0. Below Config.NT it is clear itself,
// inlined.
func Zero(dst []byte) {
	if len(dst) < cfg.NT {
		clear(dst)
		return
	}
	ZeroPtr(unsafe.Pointer(&dst[0]), uintptr(len(dst)))
}

// FillPtr sets n bytes at p to c.
func FillPtr(p unsafe.Pointer, n uintptr, c byte) {
	if n < fillKernelMin {
		b := unsafe.Slice((*byte)(p), n)
		for i := range b {
			b[i] = c
		}
		return
	}
	var pat [patternBuf / 8]uint64
	for i := range pat {
		pat[i] = uint64(c) * 0x0101010101010101
	}
	fillPattern(p, n, (*[patternBuf]byte)(unsafe.Pointer(&pat)), 1)
}

// fillKernelMin is the smallest fill the kernels take: below it a loop is
// as fast.
const fillKernelMin = 64

// FillValue sets every element of dst to v. Elements of 1, 2, 4, 8 or 16
// bytes take the fast kernels; others are written one by one.
func FillValue[T any](dst []T, v T) {
	size := unsafe.Sizeof(v)
	if len(dst) == 0 {
		return
	}
	switch size {
	case 1, 2, 4, 8, 16:
	default:
		for i := range dst {
			dst[i] = v
		}
		return
	}
	if uintptr(len(dst))*size < fillKernelMin {
		for i := range dst {
			dst[i] = v
		}
		return
	}
	var pat [patternBuf]byte
	src := unsafe.Slice((*byte)(unsafe.Pointer(&v)), size)
	for i := uintptr(0); i < patternBuf; i += size {
		copy(pat[i:], src)
	}
	fillPattern(unsafe.Pointer(&dst[0]), uintptr(len(dst))*size, &pat, size)
}

// patternBuf is the pattern repeated: enough to load 32 bytes starting at
// any phase of a 16-byte pattern.
const patternBuf = 64

// fillGeneric writes the pattern's first plen bytes, then doubles what it
// has written with copy until n bytes are done.
func fillGeneric(p unsafe.Pointer, n uintptr, pat *[patternBuf]byte) {
	dst := unsafe.Slice((*byte)(p), n)
	done := copy(dst, pat[:])
	for done < len(dst) {
		done += copy(dst[done:], dst[:done])
	}
}
