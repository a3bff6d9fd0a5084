package value_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

// graph is a Go object a handle atom owns; it counts its closes.
type graph struct {
	name   string
	closed *atomic.Int32
}

func (g *graph) Close() error { g.closed.Add(1); return nil }

// index is a uniquely owned object: copies clone it.
type index struct {
	graph
	clones   *atomic.Int32
	failNext bool
}

func (x *index) Clone() (any, error) {
	if x.failNext {
		return nil, errors.New("no memory for the clone")
	}
	x.clones.Add(1)
	return &index{graph: graph{x.name + "'", x.closed}, clones: x.clones}, nil
}

func TestSharedHandleClosedOnceUnderManyGoroutines(t *testing.T) {
	heaptest.Check(t)
	handles := value.HandleCount()
	var closed atomic.Int32
	v := must(value.NewHandle(&graph{"g", &closed}, value.SharedHandle))
	if v.Type() != -value.I64 || layout.HandleKind(v) != attrbits.SharedHandle {
		t.Fatalf("handle atom: %v %v", v.Type(), attrs.Describe(v))
	}
	if _, err := value.AsI64(v); !errors.Is(err, ray.ErrType) {
		t.Errorf("AsI64 of a handle atom = %v, want ErrType", err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		cow.Retain(v)
		go func() {
			defer wg.Done()
			mine := v // this goroutine's reference, taken above
			for i := range 1000 {
				c := cow.Retain(mine)
				if i%3 == g%3 {
					cp, err := cow.Copy(c) // a copy shares the handle
					if err != nil {
						t.Error(err)
					}
					cow.Release(&cp)
				}
				cow.Release(&c)
			}
			cow.Release(&mine)
		}()
	}
	wg.Wait()
	obj, kind, err := value.Handle(v)
	if err != nil || kind != value.SharedHandle || obj.(*graph).name != "g" || closed.Load() != 0 {
		t.Fatalf("Handle = %v, %v, %v; closed %d", obj, kind, err, closed.Load())
	}
	cow.Release(&v)
	if closed.Load() != 1 || value.HandleCount() != handles {
		t.Errorf("closed %d times; %d handles live, %d before", closed.Load(), value.HandleCount(), handles)
	}
}

func TestUniqueHandleIsClonedOnCopy(t *testing.T) {
	heaptest.Check(t)
	var closed, clones atomic.Int32
	obj := &index{graph: graph{"ix", &closed}, clones: &clones}
	v := must(value.NewHandle(obj, value.UniqueHandle))
	c, err := cow.Copy(v)
	if err != nil {
		t.Fatal(err)
	}
	got, kind, _ := value.Handle(c)
	if kind != value.UniqueHandle || got == any(obj) || got.(*index).name != "ix'" || clones.Load() != 1 {
		t.Fatalf("copy holds %v (%v), clones %d", got, kind, clones.Load())
	}
	cow.Release(&c)
	if closed.Load() != 1 {
		t.Errorf("releasing the copy closed %d objects, want its clone", closed.Load())
	}
	// A failed clone leaves the copy without a handle and says why.
	obj.failNext = true
	c, err = cow.Copy(v)
	if err == nil || c.IsZero() || layout.HandleKind(c) != attrbits.NoHandle || layout.Header(c).Word != 0 {
		t.Fatalf("failed clone: copy %v, handle %v, err %v", c, layout.HandleKind(c), err)
	}
	cow.Release(&c)
	// Cow on a shared unique handle: the clone failure leaves v as it was.
	cow.Retain(v)
	w := v
	if err := cow.Cow(&w); err == nil || w != v || layout.RC(v) != 2 {
		t.Errorf("Cow with a failing clone: %v, handle changed %v, rc %d", err, w != v, layout.RC(v))
	}
	cow.Release(&w)
	cow.Release(&v)
	if closed.Load() != 2 {
		t.Errorf("closed %d objects, want 2 (clone, original)", closed.Load())
	}
	if _, err := value.NewHandle(&graph{"no clone", &closed}, value.UniqueHandle); !errors.Is(err, ray.ErrType) {
		t.Errorf("a unique handle without Cloner: %v", err)
	}
	if _, err := value.NewHandle(1, value.NoHandle); !errors.Is(err, ray.ErrDomain) {
		t.Errorf("NoHandle: %v", err)
	}
}

func TestWhatIsNoHandleTouchesNoHandle(t *testing.T) {
	heaptest.Check(t)
	var closed atomic.Int32
	h, err := value.NewHandle(&graph{"g", &closed}, value.SharedHandle)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&h)
	before := value.HandleCount()
	id, _ := value.AsI64(h) // a plain number equal to the handle's id
	for _, v := range []value.V{{}, value.NullValue()} {
		if _, _, err := value.Handle(v); !errors.Is(err, ray.ErrType) {
			t.Errorf("Handle(%v): %v, want ErrType", v.TypeName(), err)
		}
	}
	num, _ := value.NewI64(id)
	if _, _, err := value.Handle(num); !errors.Is(err, ray.ErrType) {
		t.Errorf("Handle of an I64 equal to a handle id: %v, want ErrType", err)
	}
	c, err := cow.Copy(num)
	if err != nil {
		t.Fatal(err)
	}
	cow.Release(&c)
	cow.Release(&num)
	if closed.Load() != 0 || value.HandleCount() != before {
		t.Errorf("a number equal to a handle id closed it: closes %d, handles %d -> %d", closed.Load(), before, value.HandleCount())
	}
	// The table is still usable: no call above left its lock held.
	h2, err := value.NewHandle(&graph{"g2", &closed}, value.SharedHandle)
	if err != nil {
		t.Fatal(err)
	}
	cow.Release(&h2)
	if closed.Load() != 1 {
		t.Errorf("closes %d, want 1", closed.Load())
	}
}
