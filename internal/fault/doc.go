// Package fault makes chosen steps of the runtime fail, for tests: the Nth
// mapping of memory, block allocation, file creation, write, sync or
// rename from the moment a test arms it.
//
// Each such step calls Hit with its Op just before it would do its work,
// and fails the way the kernel or the disk would make it fail when Hit
// returns an error: the heap with ErrOOM, the file writers with ErrIO. A
// sweep (the module root's TestFaultSweep) counts the steps of a workload,
// then runs it again failing at each step in turn and checks that every
// failure is clean: an error of the right kind, the caller's values as
// they were, nothing leaked, heap.Verify satisfied, files on disk either
// the old version or the new.
//
// Only the build tag rayfault compiles the counting in; without it Hit is
// an empty function the compiler removes, so the steps cost nothing.
package fault

// Op is a kind of step that can fail.
type Op uint8

const (
	Mmap   Op = iota // mapping a pool of memory
	Alloc            // allocating a heap block
	Create           // creating a file
	Write            // writing to a file
	Sync             // syncing a file or directory
	Rename           // renaming a file into place
	numOps
)

var opNames = [numOps]string{"mmap", "alloc", "create", "write", "sync", "rename"}

func (op Op) String() string {
	if op < numOps {
		return opNames[op]
	}
	return "unknown"
}
