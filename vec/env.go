package vec

import (
	"sync"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
)

// The global environment binds names to values, for the whole process: the
// tables that linked columns refer to, and whatever else an engine names.
// It is safe for concurrent use. It holds one reference to each bound
// value; Lookup hands out a reference of the caller's own, so that a value
// cannot be freed under a reader by a concurrent Bind.
var env struct {
	sync.RWMutex
	m map[int64]value.V // by symbol id
}

// Bind binds name to v, adding a reference to v and releasing the value
// name was bound to before, if any.
func Bind(name string, v value.V) error {
	if v.IsZero() {
		return ray.Errorf(ray.ErrType, "vec.Bind", "cannot bind %q to no value", name)
	}
	id, err := value.Intern(name)
	if err != nil {
		return err
	}
	cow.Retain(v)
	env.Lock()
	if env.m == nil {
		env.m = make(map[int64]value.V)
	}
	old := env.m[id]
	env.m[id] = v
	env.Unlock()
	cow.Release(&old)
	return nil
}

// Unbind removes name's binding and releases its value; it reports whether
// there was one.
func Unbind(name string) bool {
	id, ok := value.SymID(name)
	if !ok {
		return false
	}
	env.Lock()
	old, ok := env.m[id]
	delete(env.m, id)
	env.Unlock()
	cow.Release(&old)
	return ok
}

// Bound returns the value bound to name with a reference the caller must
// release; ok is false when name is unbound.
func Bound(name string) (value.V, bool) {
	id, ok := value.SymID(name)
	if !ok {
		return value.V{}, false
	}
	return lookupID(id)
}

func lookupID(id int64) (value.V, bool) {
	env.RLock()
	defer env.RUnlock()
	v, ok := env.m[id]
	if ok {
		cow.Retain(v)
	}
	return v, ok
}
