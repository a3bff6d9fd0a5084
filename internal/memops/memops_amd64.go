//go:build !purego

package memops

import (
	"unsafe"

	"github.com/klauspost/cpuid/v2"
)

func init() {
	c := cpuid.CPU
	cfg = choose(cpuInfo{
		vendor: vendorOf(c.VendorID),
		avx2:   c.Supports(cpuid.AVX2),
		erms:   c.Supports(cpuid.ERMS),
		fsrm:   c.Supports(cpuid.FSRM),
		l2:     c.Cache.L2,
		l3:     c.Cache.L3,
	})
	applyEnv(&cfg, true)
	settle(&cfg)
}

func vendorOf(v cpuid.Vendor) string {
	switch v {
	case cpuid.AMD, cpuid.Hygon:
		return "amd"
	case cpuid.Intel:
		return "intel"
	}
	return "other"
}

// CopyPtr copies n bytes from src to dst, as copy does (overlap included).
func CopyPtr(dst, src unsafe.Pointer, n uintptr) {
	if n < uintptr(cfg.Large) || overlap(dst, src, n) {
		if n > 0 {
			copy(unsafe.Slice((*byte)(dst), n), unsafe.Slice((*byte)(src), n))
		}
		return
	}
	switch cfg.Kernel {
	case "erms":
		copyERMS(dst, src, n)
	case "avx2":
		copyAVX2(dst, src, n)
	default:
		copy(unsafe.Slice((*byte)(dst), n), unsafe.Slice((*byte)(src), n))
	}
}

func overlap(dst, src unsafe.Pointer, n uintptr) bool {
	d, s := uintptr(dst), uintptr(src)
	return d < s+n && s < d+n
}

// ZeroPtr sets n bytes at p to 0.
func ZeroPtr(p unsafe.Pointer, n uintptr) {
	if n < uintptr(cfg.NT) {
		if n > 0 {
			clear(unsafe.Slice((*byte)(p), n))
		}
		return
	}
	var zero [patternBuf]byte
	fillAVX2NT(p, n, &zero[0], 0)
}

func fillPattern(p unsafe.Pointer, n uintptr, pat *[patternBuf]byte, plen uintptr) {
	switch {
	case n < fillKernelMin || !cfg.AVX2 || cfg.Kernel == "go":
		if n > 0 {
			fillGeneric(p, n, pat)
		}
	case n >= uintptr(cfg.NT):
		fillAVX2NT(p, n, &pat[0], plen-1)
	default:
		fillAVX2(p, n, &pat[0], plen-1)
	}
}

// The kernels (kernels_amd64.s). Copies need n >= 64 and no overlap; fills
// need n >= 64, pat the pattern repeated over 64 bytes and mask its length
// less one.

//go:noescape
func copyAVX2(dst, src unsafe.Pointer, n uintptr)

//go:noescape
func copyERMS(dst, src unsafe.Pointer, n uintptr)

//go:noescape
func fillAVX2(dst unsafe.Pointer, n uintptr, pat *byte, mask uintptr)

//go:noescape
func fillAVX2NT(dst unsafe.Pointer, n uintptr, pat *byte, mask uintptr)
