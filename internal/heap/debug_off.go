//go:build !raydebug

package heap

import "unsafe"

// debugEnabled is true under the raydebug build tag, which records every
// block's allocation and free sites, poisons freed blocks, and reports
// double frees and frees of blocks never allocated with those sites.
const debugEnabled = false

// Debug is debugEnabled for raygo's other packages: true under the raydebug
// build tag, where they check what they would otherwise trust.
const Debug = debugEnabled

func debugAlloc(b uintptr, k uint8)  {}
func debugFree(b uintptr)            {}
func debugResize(b uintptr, k uint8) {}
func debugPermanent(b uintptr)       {}

// AllocSeq returns the number of allocations recorded so far under the
// raydebug build tag; 0 without it.
func AllocSeq() uint64 { return 0 }

// LiveAllocations describes, under the raydebug build tag, every block
// allocated after the AllocSeq value since and not yet freed, with the stack
// that allocated it. Without the tag it returns nil.
func LiveAllocations(since uint64) []string { return nil }

// CheckAccess, under the raydebug build tag, panics when p is a block the
// heap holds as free (a use after release), naming where it was allocated
// and freed. Without the tag it does nothing.
func CheckAccess(p unsafe.Pointer) {}

func debugPin(pid, delta int)      {}
func debugSlot(pid int, id uint32) {}
func (h *heapState) debugOwned()   {}
func debugCollecting(on bool)      {}
