package memops

import (
	"os"
	"strconv"
	"unsafe"
)

// Config is the choice of kernels and thresholds, made once at start-up.
type Config struct {
	Family string // the CPU family the choice is keyed by: "amd", "intel" or "other"
	Kernel string // the copy kernel from Large bytes up: "go" (the runtime's memmove), "erms" or "avx2"
	Large  int    // bytes from which Kernel copies
	NT     int    // bytes from which fills and Zero store non-temporally
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
	minLarge     = 64 << 10 // Copy's inlined test: below it, always copy
	minNT        = 4 << 20
	maxNT        = 64 << 20
	maxInt       = int(^uint(0) >> 1)
)

// cpuInfo is what the choice depends on.
type cpuInfo struct {
	vendor           string // "amd", "intel", "other"
	avx2, erms, fsrm bool
	l2, l3           int
}

// choose picks the kernels for a CPU, from measurements (BenchmarkCopy,
// impl=memops against impl=gocopy; see the package comment): a kernel of
// the package's copies only where it was measured to beat the runtime's
// memmove, and the runtime everywhere else.
func choose(c cpuInfo) Config {
	cf := Config{Family: c.vendor, Kernel: "go", Large: maxInt, NT: ntThreshold(c.l2, c.l3),
		AVX2: c.avx2, ERMS: c.erms, FSRM: c.fsrm, L2: c.l2, L3: c.l3}
	if c.vendor == "amd" && c.erms && c.fsrm {
		// AMD Zen 3 on: REP MOVSB beats memmove from 1 MiB, at every size
		// measured up to 256 MiB.
		cf.Kernel, cf.Large = "erms", defaultLarge
	}
	// Intel (Xeon, Ice Lake class): memmove was faster at every size, so
	// copies stay with it. Other vendors are unmeasured: the runtime.
	if !c.avx2 {
		cf.NT = maxInt // the fill kernels are AVX2 code
	}
	return cf
}

// ntThreshold derives the fills' non-temporal threshold from the cache sizes.
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
			if k != "go" && c.Large == maxInt {
				c.Large = defaultLarge
			}
		}
	}
	if n, err := strconv.Atoi(os.Getenv("RAYGO_MEMOPS_LARGE")); err == nil && n >= minLarge {
		c.Large = n
	}
	if n, err := strconv.Atoi(os.Getenv("RAYGO_MEMOPS_NT")); err == nil && n >= 64 {
		c.NT = n
	}
}

// settle makes the choice consistent: without a kernel, no size takes one.
func settle(c *Config) {
	if c.Kernel == "go" {
		c.Large = maxInt
	}
}

// Copy copies min(len(dst), len(src)) bytes from src to dst, as copy does
// (overlap included), and returns that count. Below 64 KiB it is copy
// itself, behind one test against a constant, inlined: at small sizes the
// cost of a copy is the call.
func Copy(dst, src []byte) int {
	if len(src) < minLarge {
		return copy(dst, src)
	}
	// Only pointers and lengths cross into the large path, so that a loop
	// around an inlined Copy keeps no more live than one around copy.
	return copyLarge(unsafe.SliceData(dst), len(dst), unsafe.SliceData(src), len(src))
}

// copyLarge is Copy's large path, kept out of line so that Copy inlines.
//
//go:noinline
func copyLarge(dst *byte, nd int, src *byte, ns int) int {
	n := min(nd, ns)
	CopyPtr(unsafe.Pointer(dst), unsafe.Pointer(src), uintptr(n))
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
