package benchmarks

import (
	"fmt"
	"testing"

	"github.com/raygo/ray/internal/memops"
)

var copySizes = []int{64, 4096, 262144, 1048576, 4194304, 8388608, 16777216, 67108864, 268435456}

// hotBuffers returns a source and a destination of n bytes, both written
// first: a fresh slice reads from the kernel's zero page and would show a
// bandwidth no real copy has.
func hotBuffers(n int) (src, dst []byte) {
	src, dst = make([]byte, n), make([]byte, n)
	for i := range src {
		src[i] = byte(i)
	}
	clear(dst)
	for i := 0; i < n; i += 4096 {
		dst[i] = 1
	}
	return src, dst
}

// BenchmarkCopy copies n bytes between the same two buffers again and
// again, with the package's kernels and with Go's copy (runtime memmove).
func BenchmarkCopy(b *testing.B) {
	for _, n := range copySizes {
		src, dst := hotBuffers(n)
		b.Run(fmt.Sprintf("impl=memops/size=%d", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				memops.Copy(dst, src)
			}
		})
		b.Run(fmt.Sprintf("impl=gocopy/size=%d", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				copy(dst, src)
			}
		})
	}
}

// BenchmarkFill sets n bytes to a non-zero value, with the package's kernels
// and with the loop a Go programmer writes.
func BenchmarkFill(b *testing.B) {
	for _, n := range copySizes {
		_, dst := hotBuffers(n)
		b.Run(fmt.Sprintf("impl=memops/size=%d", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				memops.Fill(dst, 0x5A)
			}
		})
		b.Run(fmt.Sprintf("impl=goloop/size=%d", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				for i := range dst {
					dst[i] = 0x5A
				}
			}
		})
	}
}
