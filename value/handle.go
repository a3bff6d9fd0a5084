package value

import (
	"github.com/raygo/ray"
	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/internal/handles"
)

// A handle atom lets a value own a Go object (a graph, a vector index, a
// file) without a Go pointer ever entering off-heap memory: the -I64 atom's
// payload is the id of an entry in the handle table, and its GRAPH or HNSW
// attribute bit says which kind (attrs.HandleKind):
//
//   - a shared handle (GRAPH) is shared by every copy of the atom: copying
//     adds a reference to the entry, and the object is closed when the last
//     atom referring to it is released;
//   - a unique handle (HNSW) belongs to one atom: copying the atom clones the
//     object (it must implement Cloner), and releasing the atom closes it.
//
// Closing calls the object's Close method, if it has one, exactly once.

// Cloner is implemented by objects held in unique handles.
type Cloner interface {
	// Clone returns a deep copy of the object.
	Clone() (any, error)
}

// NewHandle returns an -I64 atom that owns obj through a handle of kind k
// (attrs.SharedHandle or attrs.UniqueHandle). A unique handle's object must
// implement Cloner.
func NewHandle(obj any, k attrs.HandleKind) (V, error) {
	var flag attrs.Flag
	switch k {
	case attrs.SharedHandle:
		flag = attrs.Graph
	case attrs.UniqueHandle:
		if _, ok := obj.(Cloner); !ok {
			return V{}, ray.Errorf(ray.ErrType, "value.NewHandle", "a unique handle's object must implement Cloner; %T does not", obj)
		}
		flag = attrs.HNSW
	default:
		return V{}, ray.Errorf(ray.ErrDomain, "value.NewHandle", "%v is not a handle kind", k)
	}
	v, err := newAtom(-I64, 0, 0)
	if err != nil {
		return V{}, err
	}
	a, _ := v.Attrs().Set(flag, true)
	v.header().Attrs = a.Raw()
	v.header().Word = handles.Add(obj)
	return v, nil
}

// Handle returns the object a handle atom owns and the handle's kind.
func Handle(v V) (any, attrs.HandleKind, error) {
	if !isHandle(v) {
		return nil, attrs.NoHandle, ray.Errorf(ray.ErrType, "value.Handle", "want a handle atom, have %v", v.TypeName())
	}
	obj, ok := handles.Get(v.header().Word)
	if !ok {
		return nil, attrs.NoHandle, ray.Errorf(ray.ErrCorrupt, "value.Handle", "handle %d is not in the handle table", v.header().Word)
	}
	return obj, v.Attrs().Handle(), nil
}

// HandleCount returns the number of live handles, for leak checks.
func HandleCount() int { return handles.Count() }

// isHandle reports whether v is a handle atom: an -I64 atom with a handle
// kind among its attributes.
func isHandle(v V) bool {
	return v.p != nil && v.Type() == -I64 && v.Attrs().Handle() != attrs.NoHandle
}
