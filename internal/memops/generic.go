//go:build purego || !amd64

package memops

import "unsafe"

func init() {
	cfg = Config{Family: "other", Kernel: "go", Large: maxInt, NT: maxInt, L2: -1, L3: -1}
	applyEnv(&cfg, false)
	settle(&cfg)
}

// CopyPtr copies n bytes from src to dst, as copy does (overlap included).
func CopyPtr(dst, src unsafe.Pointer, n uintptr) {
	if n > 0 {
		copy(unsafe.Slice((*byte)(dst), n), unsafe.Slice((*byte)(src), n))
	}
}

// ZeroPtr sets n bytes at p to 0.
func ZeroPtr(p unsafe.Pointer, n uintptr) {
	if n > 0 {
		clear(unsafe.Slice((*byte)(p), n))
	}
}

func fillPattern(p unsafe.Pointer, n uintptr, pat *[patternBuf]byte, plen uintptr) {
	if n > 0 {
		fillGeneric(p, n, pat)
	}
}
