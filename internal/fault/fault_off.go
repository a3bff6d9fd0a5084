//go:build !rayfault

package fault

import "io"

// Enabled reports whether the build counts steps (the rayfault tag).
const Enabled = false

// Hit is called before a step of kind op; it returns the error the step
// must fail with, or nil.
func Hit(op Op) error { return nil }

// Writer returns w, whose writes are steps of kind Write under rayfault.
func Writer(w io.Writer) io.Writer { return w }
