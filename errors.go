package ray

import "fmt"

// Kind is the class of an error. The kinds mirror the C runtime's error codes
// so that in-band ERROR values and Go errors speak the same language.
//
// Each Kind is itself an error, so it serves as the sentinel that errors.Is
// matches against: errors.Is(err, ray.ErrOOM).
type Kind uint8

// The error kinds, grouped by what went wrong.
const (
	// Resources.
	ErrOOM   Kind = iota + 1 // memory could not be obtained from the system
	ErrLimit                 // a configured limit (the memory budget, a maximum size) would be exceeded
	ErrIO                    // a file or system call failed

	// Arguments.
	ErrType   // a value of the wrong type
	ErrRange  // an index or offset outside its bounds
	ErrLength // lengths that must agree do not
	ErrRank   // the wrong number of arguments or dimensions
	ErrDomain // a value outside the function's domain
	ErrName   // an unknown or duplicate name
	ErrSchema // a table or dictionary shape that does not fit

	// Data.
	ErrCorrupt // bytes that do not decode, or an invariant found broken
	ErrParse   // text that does not parse

	// Control.
	ErrNYI    // not yet implemented: a valid request raygo cannot serve yet
	ErrCancel // the operation was cancelled

	numKinds = iota
)

var kindNames = [numKinds + 1]string{
	ErrOOM:     "oom",
	ErrLimit:   "limit",
	ErrIO:      "io",
	ErrType:    "type",
	ErrRange:   "range",
	ErrLength:  "length",
	ErrRank:    "rank",
	ErrDomain:  "domain",
	ErrName:    "name",
	ErrSchema:  "schema",
	ErrCorrupt: "corrupt",
	ErrParse:   "parse",
	ErrNYI:     "nyi",
	ErrCancel:  "cancel",
}

// String returns the kind's short code, as the C runtime spells it ("oom",
// "type", "corrupt", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Error makes a Kind usable as a sentinel error.
func (k Kind) Error() string { return "ray: " + k.String() }

// KindOf returns the code's Kind: the inverse of Kind.String. It reports
// false for an unknown code.
func KindOf(code string) (Kind, bool) {
	for k, name := range kindNames {
		if name != "" && name == code {
			return Kind(k), true
		}
	}
	return 0, false
}

// Error is the error type every raygo package returns: a Kind, the operation
// that failed, a message naming the value and the bound that was violated,
// and optionally the underlying cause (a system call error, say).
type Error struct {
	Kind Kind
	Op   string // the failing operation, e.g. "heap.Alloc"
	Msg  string
	Err  error // the underlying cause, or nil
}

// Errorf returns an *Error of kind k for operation op with a formatted message.
func Errorf(k Kind, op, format string, args ...any) error {
	return &Error{Kind: k, Op: op, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error of kind k for operation op whose cause is err.
func Wrap(k Kind, op string, err error, format string, args ...any) error {
	return &Error{Kind: k, Op: op, Msg: fmt.Sprintf(format, args...), Err: err}
}

func (e *Error) Error() string {
	s := "ray: " + e.Kind.String()
	if e.Op != "" {
		s += ": " + e.Op
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the error's Kind and, when there is one, its cause, so that
// errors.Is matches both.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}
