package value

import (
	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/handles"
)

// A handle atom lets a value own a Go object (a graph, a vector index, a
// file) without a Go pointer ever entering off-heap memory: the -I64 atom's
// payload is the id of an entry in the handle table, and its GRAPH or HNSW
// attribute bit says which kind (HandleKind):
//
//   - a shared handle (GRAPH) is shared by every copy of the atom: copying
//     adds a reference to the entry, and the object is closed when the last
//     atom referring to it is released;
//   - a unique handle (HNSW) belongs to one atom: copying the atom clones the
//     object (it must implement Cloner), and releasing the atom closes it.
//
// Closing calls the object's Close method, if it has one, exactly once.

// HandleKind is the kind of handle an atom holds.
type HandleKind uint8

const (
	NoHandle     HandleKind = iota // not a handle atom
	SharedHandle                   // GRAPH: shared by copies, closed when the last reference goes
	UniqueHandle                   // HNSW: owned by one atom, cloned on copy
)

// The kinds are attrbits' numbering of them.
var _ = [1]struct{}{}[NoHandle-HandleKind(attrbits.NoHandle)+SharedHandle-HandleKind(attrbits.SharedHandle)+UniqueHandle-HandleKind(attrbits.UniqueHandle)]

func (k HandleKind) String() string { return attrbits.HandleKind(k).String() }

// Cloner is implemented by objects held in unique handles.
type Cloner interface {
	// Clone returns a deep copy of the object.
	Clone() (any, error)
}

// NewHandle returns an -I64 atom that owns obj through a handle of kind k
// (SharedHandle or UniqueHandle). A unique handle's object must
// implement Cloner.
func NewHandle(obj any, k HandleKind) (V, error) {
	var flag attrbits.Flag
	switch k {
	case SharedHandle:
		flag = attrbits.FlagGraph
	case UniqueHandle:
		if _, ok := obj.(Cloner); !ok {
			return V{}, ray.Errorf(ray.ErrType, "value.NewHandle", "a unique handle's object must implement Cloner; %T does not", obj)
		}
		flag = attrbits.FlagHNSW
	default:
		return V{}, ray.Errorf(ray.ErrDomain, "value.NewHandle", "%v is not a handle kind", k)
	}
	v, err := newAtom(-I64, 0, 0)
	if err != nil {
		return V{}, err
	}
	a, _ := v.attrs().Set(flag, true)
	v.header().Attrs = a.Raw()
	v.header().Word = handles.Add(obj)
	return v, nil
}

// Handle returns the object a handle atom owns and the handle's kind.
func Handle(v V) (any, HandleKind, error) {
	if !isHandle(v) {
		return nil, NoHandle, ray.Errorf(ray.ErrType, "value.Handle", "want a handle atom, have %v", v.TypeName())
	}
	obj, ok := handles.Get(v.header().Word)
	if !ok {
		return nil, NoHandle, ray.Errorf(ray.ErrCorrupt, "value.Handle", "handle %d is not in the handle table", v.header().Word)
	}
	return obj, HandleKind(v.attrs().Handle()), nil
}

// HandleCount returns the number of live handles, for leak checks.
func HandleCount() int { return handles.Count() }

// isHandle reports whether v is a handle atom: an -I64 atom with a handle
// kind among its attributes.
func isHandle(v V) bool {
	return v.p != nil && v.Type() == -I64 && v.attrs().Handle() != attrbits.NoHandle
}
