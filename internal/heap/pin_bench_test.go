package heap

import "testing"

func BenchmarkPinUnpin(b *testing.B) {
	for b.Loop() {
		procPin()
		procUnpin()
	}
}

func BenchmarkPinnedHeap(b *testing.B) {
	for b.Loop() {
		pinnedHeap()
		unpin()
	}
}
