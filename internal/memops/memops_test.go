package memops

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unsafe"
)

const guard = 64 // bytes checked on each side of every destination

// buffers returns a source of n bytes at alignment sa and a destination of
// n bytes at alignment da inside a guarded region; the source holds a
// pattern, the destination and guards a marker.
func buffers(n, sa, da int) (src, dst, region []byte) {
	s := make([]byte, n+128)
	off := (64 - int(uintptr(unsafe.Pointer(&s[0]))%64) + sa) % 64
	src = s[off : off+n]
	for i := range src {
		src[i] = byte(i*131 + i>>8 + 1)
	}
	r := make([]byte, n+2*guard+128)
	off = (64 - int(uintptr(unsafe.Pointer(&r[0]))%64) + da) % 64
	region = r[off : off+n+2*guard]
	for i := range region {
		region[i] = 0xEE
	}
	return src, region[guard : guard+n], region
}

func checkGuards(t *testing.T, what string, region []byte, n int) {
	t.Helper()
	for i := 0; i < guard; i++ {
		if region[i] != 0xEE || region[guard+n+i] != 0xEE {
			t.Fatalf("%s: guard byte %d overwritten", what, i)
		}
	}
}

// withThresholds runs f with the package's kernels taking every size from
// largeFrom bytes and non-temporal stores (fills) from nt.
func withThresholds(largeFrom, nt int, f func()) {
	old := cfg
	defer func() { cfg = old }()
	if cfg.Kernel != "go" || cfg.AVX2 {
		cfg.Large, cfg.NT = largeFrom, nt
	}
	f()
}

// withCopyKernels runs f once with each copy kernel this CPU can run
// taking every copy from 64 bytes: f copies with copyAny.
func withCopyKernels(t *testing.T, f func(kernel string)) {
	t.Helper()
	kernels := []string{"go"}
	if cfg.AVX2 { // what cpuid reported: always false under purego
		kernels = append(kernels, "avx2")
	}
	if cfg.ERMS {
		kernels = append(kernels, "erms")
	}
	for _, k := range kernels {
		old := cfg
		cfg.Kernel = k
		withThresholds(64, cfg.NT, func() { f(k) })
		cfg = old
	}
}

// copyAny copies as Copy does, but through CopyPtr at every size, so that
// the kernels see sizes below Copy's inlined test.
func copyAny(dst, src []byte) int {
	n := min(len(dst), len(src))
	if n > 0 {
		CopyPtr(unsafe.Pointer(&dst[0]), unsafe.Pointer(&src[0]), uintptr(n))
	}
	return n
}

func TestCopyEverySmallSize(t *testing.T) {
	withCopyKernels(t, func(kernel string) {
		for n := 0; n <= 4096; n++ {
			sa, da := n%64, (n*7)%64
			src, dst, region := buffers(n, sa, da)
			if got := copyAny(dst, src); got != n {
				t.Fatalf("%s: CopyPtr copied %d, want %d", kernel, got, n)
			}
			if !bytes.Equal(dst, src) {
				t.Fatalf("%s: copy of %d bytes (src align %d, dst align %d) differs", kernel, n, sa, da)
			}
			checkGuards(t, kernel, region, n)
			src, dst, region = buffers(n, sa, da)
			if got := Copy(dst, src); got != n || !bytes.Equal(dst, src) {
				t.Fatalf("Copy of %d bytes: %d, differs: %v", n, got, !bytes.Equal(dst, src))
			}
			checkGuards(t, "Copy", region, n)
		}
	})
}

func TestCopyEveryAlignment(t *testing.T) {
	withCopyKernels(t, func(kernel string) {
		for _, n := range []int{64, 65, 127, 128, 129, 255, 1000, 4099} {
			for sa := 0; sa < 64; sa++ {
				for da := 0; da < 64; da++ {
					src, dst, region := buffers(n, sa, da)
					copyAny(dst, src)
					if !bytes.Equal(dst, src) {
						t.Fatalf("%s: n %d src align %d dst align %d: copy differs", kernel, n, sa, da)
					}
					checkGuards(t, "alignment", region, n)
				}
			}
		}
	})
}

func TestCopyLarge(t *testing.T) {
	sizes := []int{1 << 20, 1<<20 + 1, 3<<20 + 17, 8 << 20, 16<<20 - 1, 16 << 20, 33<<20 + 5}
	if !testing.Short() {
		sizes = append(sizes, 64<<20, 128<<20+3, 256<<20)
	}
	for _, n := range sizes {
		src, dst, region := buffers(n, 3, 5)
		Copy(dst, src)
		if !bytes.Equal(dst, src) {
			t.Fatalf("copy of %d bytes differs", n)
		}
		checkGuards(t, "large", region, n)
	}
}

// TestCopyOverlap checks memmove semantics both ways against Go's copy.
func TestCopyOverlap(t *testing.T) {
	withThresholds(64, 64, func() {
		for _, n := range []int{0, 1, 63, 64, 200, 5000, 2 << 20} {
			for _, shift := range []int{-65, -1, 1, 7, 64, 300} {
				buf := make([]byte, n+700)
				ref := make([]byte, n+700)
				for i := range buf {
					buf[i] = byte(i * 17)
				}
				copy(ref, buf)
				from, to := 350, 350+shift
				copyAny(buf[to:to+n], buf[from:from+n])
				copy(ref[to:to+n], ref[from:from+n])
				if !bytes.Equal(buf, ref) {
					t.Fatalf("overlapping copy of %d bytes shifted %d differs from copy", n, shift)
				}
			}
		}
	})
}

func TestFillAndZero(t *testing.T) {
	for _, nt := range []int{maxInt, 64} {
		withThresholds(64, nt, func() {
			for n := 0; n <= 4096; n += 1 + n/64 {
				for _, da := range []int{0, 1, 31, 33, 63} {
					_, dst, region := buffers(n, 0, da)
					Fill(dst, 0x5A)
					for i, c := range dst {
						if c != 0x5A {
							t.Fatalf("Fill of %d bytes at align %d: byte %d = %#x", n, da, i, c)
						}
					}
					checkGuards(t, "fill", region, n)
					Zero(dst)
					for i, c := range dst {
						if c != 0 {
							t.Fatalf("Zero of %d bytes: byte %d = %#x", n, i, c)
						}
					}
					checkGuards(t, "zero", region, n)
				}
			}
		})
	}
	big := make([]byte, 40<<20+3)
	Fill(big, 7)
	if bytes.Count(big, []byte{7}) != len(big) {
		t.Fatal("Fill of 40 MiB")
	}
	Zero(big)
	if bytes.Count(big, []byte{0}) != len(big) {
		t.Fatal("Zero of 40 MiB")
	}
}

func fillValueCheck[T comparable](t *testing.T, v T, nt int) {
	t.Helper()
	withThresholds(64, nt, func() {
		for n := 0; n < 600; n++ {
			for off := range 3 {
				buf := make([]T, n+off+2)
				var zero T
				FillValue(buf[off:off+n], v)
				for i, x := range buf {
					want := zero
					if i >= off && i < off+n {
						want = v
					}
					if x != want {
						t.Fatalf("FillValue(%T, n %d, offset %d): element %d = %v, want %v", v, n, off, i, x, want)
					}
				}
			}
		}
	})
}

func TestFillValue(t *testing.T) {
	type pair struct{ a, b uint64 }
	type odd struct {
		a uint16
		b uint8
	}
	for _, nt := range []int{maxInt, 64} {
		fillValueCheck(t, uint8(0xAB), nt)
		fillValueCheck(t, uint16(0xA1B2), nt)
		fillValueCheck(t, int32(-7), nt)
		fillValueCheck(t, uint64(0x0102030405060708), nt)
		fillValueCheck(t, 3.25, nt)
		fillValueCheck(t, pair{0x1111, 0x2222}, nt)
		fillValueCheck(t, [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, nt)
		fillValueCheck(t, odd{5, 6}, nt)
	}
}

func TestRandomAgainstCopy(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	withCopyKernels(t, func(string) {
		for range 700 {
			n := r.IntN(1 << 17)
			src, dst, region := buffers(n, r.IntN(64), r.IntN(64))
			copyAny(dst, src)
			if !bytes.Equal(dst, src) {
				t.Fatalf("random copy of %d bytes differs", n)
			}
			checkGuards(t, "random", region, n)
		}
	})
}

func TestConfig(t *testing.T) {
	c := Current()
	if c.Kernel == "" || c.Large <= 0 || c.NT <= 0 || c.Family == "" {
		t.Fatalf("Current() = %+v", c)
	}
	if c.Kernel != "go" && c.Large < minLarge {
		t.Errorf("kernels take over at %d bytes, below Copy's inlined test (%d)", c.Large, minLarge)
	}
	for _, tc := range []struct{ l2, l3, want int }{
		{1 << 20, -1, 16 << 20}, {1 << 20, 32 << 20, 16 << 20}, {256 << 10, -1, 4 << 20}, {-1, 256 << 20, 64 << 20}, {-1, -1, 16 << 20},
	} {
		if got := ntThreshold(tc.l2, tc.l3); got != tc.want {
			t.Errorf("ntThreshold(%d, %d) = %d, want %d", tc.l2, tc.l3, got, tc.want)
		}
	}
	// Each family gets the kernel measured to beat memmove on it, or none.
	for _, tc := range []struct {
		cpu    cpuInfo
		kernel string
		large  int
	}{
		{cpuInfo{vendor: "amd", avx2: true, erms: true, fsrm: true, l2: 1 << 20, l3: -1}, "erms", 1 << 20},
		{cpuInfo{vendor: "amd", avx2: true, erms: true, l2: 512 << 10, l3: 16 << 20}, "go", maxInt}, // Zen 2: unmeasured
		{cpuInfo{vendor: "intel", avx2: true, erms: true, fsrm: true, l2: 2 << 20, l3: 480 << 20}, "go", maxInt},
		{cpuInfo{vendor: "other", avx2: true, erms: true, fsrm: true}, "go", maxInt},
	} {
		got := choose(tc.cpu)
		settle(&got)
		if got.Kernel != tc.kernel || got.Large != tc.large {
			t.Errorf("choose(%+v) = kernel %s from %d bytes, want %s from %d", tc.cpu, got.Kernel, got.Large, tc.kernel, tc.large)
		}
	}
	t.Setenv("RAYGO_MEMOPS_KERNEL", "go")
	t.Setenv("RAYGO_MEMOPS_NT", "4096")
	t.Setenv("RAYGO_MEMOPS_LARGE", "131072")
	var e Config
	applyEnv(&e, true)
	if e.Kernel != "go" || e.NT != 4096 || e.Large != 131072 {
		t.Errorf("environment overrides: %+v", e)
	}
}
