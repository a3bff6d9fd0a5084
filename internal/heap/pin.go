package heap

import _ "unsafe" // for go:linkname

// procPin pins the calling goroutine to its P and returns the P's id; until
// procUnpin the goroutine can be neither preempted nor moved, and the world
// cannot be stopped. sync.Pool rests on the same pair. Code between the two
// must not block, make a system call, allocate Go memory or panic (the
// runtime throws on a panic with locks held): see the package comment.
//
//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

// pin and unpin are procPin and procUnpin for the heap's own use. Under
// raydebug they also count, per P, how deep its goroutine is pinned, so
// that every …Owned function can check that its caller owns the heap it
// touches (debugOwned). When the race detector watches the heap
// (vm_gomem.go) they also tell it that pinned sections of one P are
// ordered.
func pin() int {
	pid := procPin()
	if debugEnabled {
		debugPin(pid, 1)
	}
	if raceVisible {
		raceAcquirePin(pid)
	}
	return pid
}

func unpin() {
	if debugEnabled || raceVisible {
		pid := procPin()
		if debugEnabled {
			debugPin(pid, -1)
		}
		if raceVisible {
			raceReleasePin(pid)
		}
		procUnpin()
	}
	procUnpin()
}
