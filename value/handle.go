package value

import (
	"io"
	"sync"
	"sync/atomic"

	"github.com/raygo/ray"
	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/internal/attrbits"
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

type handleEntry struct {
	obj  any
	refs atomic.Int64
}

var handles struct {
	sync.RWMutex
	next    uint64
	entries map[uint64]*handleEntry
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
	v.Header().Attrs = a.Raw()
	v.Header().Word = addHandle(obj)
	return v, nil
}

func addHandle(obj any) uint64 {
	e := &handleEntry{obj: obj}
	e.refs.Store(1)
	handles.Lock()
	defer handles.Unlock()
	if handles.entries == nil {
		handles.entries = make(map[uint64]*handleEntry)
	}
	handles.next++
	handles.entries[handles.next] = e
	return handles.next
}

// Handle returns the object a handle atom owns and the handle's kind.
func Handle(v V) (any, attrs.HandleKind, error) {
	if !isHandle(v) {
		return nil, attrs.NoHandle, ray.Errorf(ray.ErrType, "value.Handle", "want a handle atom, have %v", v.TypeName())
	}
	e := entry(v.Header().Word)
	if e == nil {
		return nil, attrs.NoHandle, ray.Errorf(ray.ErrCorrupt, "value.Handle", "handle %d is not in the handle table", v.Header().Word)
	}
	return e.obj, v.Attrs().Handle(), nil
}

// HandleCount returns the number of live handles, for leak checks.
func HandleCount() int {
	handles.RLock()
	defer handles.RUnlock()
	return len(handles.entries)
}

// isHandle reports whether v is a handle atom: an -I64 atom with a handle
// kind among its attributes.
func isHandle(v V) bool {
	return v.p != nil && v.Type() == -I64 && v.Attrs().Handle() != attrs.NoHandle
}

// entry returns the handle table's entry for id, or nil. The lock is held
// only for the map read, which cannot panic.
func entry(id uint64) *handleEntry {
	handles.RLock()
	defer handles.RUnlock()
	return handles.entries[id]
}

// CopyHandle gives c, a fresh copy of a handle atom, its own claim on the
// handle: a reference to a shared one, a clone of a unique one. When the
// clone fails, c is left without a handle (its bit cleared, its payload 0)
// and the error is returned. Anything but a handle atom is ErrType. Package
// cow calls it; nothing else should.
func CopyHandle(c V) error {
	if !isHandle(c) {
		return ray.Errorf(ray.ErrType, "value.CopyHandle", "want a handle atom, have %v", c.TypeName())
	}
	h := c.Header()
	e := entry(h.Word)
	if e == nil {
		dropHandleBits(c)
		return ray.Errorf(ray.ErrCorrupt, "value.CopyHandle", "handle %d is not in the handle table", h.Word)
	}
	if c.Attrs().Handle() == attrs.SharedHandle {
		e.refs.Add(1)
		return nil
	}
	clone, err := e.obj.(Cloner).Clone()
	if err != nil {
		dropHandleBits(c)
		return ray.Wrap(ray.ErrOOM, "value.CopyHandle", err, "cloning the object of a unique handle")
	}
	h.Word = addHandle(clone)
	return nil
}

func dropHandleBits(c V) {
	h := c.Header()
	h.Attrs &^= attrbits.Handles
	h.Word = 0
}

// ReleaseHandle drops v's claim on its handle, closing the object when it
// was the last. Anything but a handle atom is ErrType, and touches no
// handle: an I64 atom whose value equals a handle's id is just a number.
// Package cow calls it when v is freed; nothing else should.
func ReleaseHandle(v V) error {
	if !isHandle(v) {
		return ray.Errorf(ray.ErrType, "value.ReleaseHandle", "want a handle atom, have %v", v.TypeName())
	}
	id := v.Header().Word
	e := entry(id)
	if e == nil {
		return ray.Errorf(ray.ErrCorrupt, "value.ReleaseHandle", "handle %d is not in the handle table", id)
	}
	if n := e.refs.Add(-1); n > 0 {
		return nil
	} else if n < 0 {
		return ray.Errorf(ray.ErrCorrupt, "value.ReleaseHandle", "handle %d released more often than claimed", id)
	}
	handles.Lock()
	delete(handles.entries, id)
	handles.Unlock()
	if c, ok := e.obj.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
