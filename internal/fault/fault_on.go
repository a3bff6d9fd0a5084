//go:build rayfault

package fault

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"
)

const Enabled = true

// ErrInjected is what a failed step's error wraps.
var ErrInjected = errors.New("fault: injected failure")

var armed struct {
	mask atomic.Uint32 // ops counted
	fail atomic.Int64  // the hit that fails, from 1; 0 for none
	hits atomic.Int64
	done atomic.Bool // the failing hit has happened
}

// Arm starts counting the steps of the given kinds and makes the nth one
// fail (n from 1; 0 counts without failing). Later steps succeed: a
// failure is injected once.
func Arm(n int64, ops ...Op) {
	var mask uint32
	for _, op := range ops {
		mask |= 1 << op
	}
	armed.mask.Store(0)
	armed.hits.Store(0)
	armed.fail.Store(n)
	armed.done.Store(false)
	armed.mask.Store(mask)
}

// Disarm stops counting and returns how many steps were counted and
// whether the failure was injected.
func Disarm() (hits int64, injected bool) {
	armed.mask.Store(0)
	return armed.hits.Load(), armed.done.Load()
}

func Hit(op Op) error {
	if armed.mask.Load()&(1<<op) == 0 {
		return nil
	}
	if h := armed.hits.Add(1); h == armed.fail.Load() {
		armed.done.Store(true)
		return fmt.Errorf("%w: %v step %d", ErrInjected, op, h)
	}
	return nil
}

// Writer returns w with each Write a step of kind Write.
func Writer(w io.Writer) io.Writer { return faultyWriter{w} }

type faultyWriter struct{ w io.Writer }

func (f faultyWriter) Write(p []byte) (int, error) {
	if err := Hit(Write); err != nil {
		// Half the bytes reach the file, as on a disk that fills up.
		n, _ := f.w.Write(p[:len(p)/2])
		return n, err
	}
	return f.w.Write(p)
}

// Suspend stops counting until the returned function is called: for a
// test's own checks in the middle of a workload.
func Suspend() (resume func()) {
	m := armed.mask.Swap(0)
	return func() { armed.mask.Store(m) }
}
