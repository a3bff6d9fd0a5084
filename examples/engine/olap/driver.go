package olap

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// Engine runs queries over raygo tables.
type Engine struct {
	Workers int // goroutines per query; GOMAXPROCS when 0
	Morsel  int // rows a worker takes at a time; 64K when 0
}

func (e *Engine) workers() int {
	if e.Workers > 0 {
		return e.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (e *Engine) morsel() int {
	if e.Morsel > 0 {
		return e.Morsel
	}
	return 64 << 10
}

// forMorsels runs work over rows [0, n) in morsels: each of the engine's
// workers takes the next morsel from a shared counter until none is left,
// so a slow morsel holds up only its own worker. work gets the worker's
// number (for its partial results) and the morsel's rows [lo, hi). The
// first error stops the other workers at their next morsel.
func (e *Engine) forMorsels(n int, work func(w, lo, hi int) error) error {
	var next atomic.Int64
	var failed atomic.Bool
	errs := make([]error, e.workers())
	size := int64(e.morsel())
	var wg sync.WaitGroup
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				lo := next.Add(size) - size
				if lo >= int64(n) {
					return
				}
				if err := work(w, int(lo), int(min(lo+size, int64(n)))); err != nil {
					errs[w] = err
					failed.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr(errs...)
}

// scratch is a worker's intermediates: raygo vectors made once per query
// and reused by every morsel, released when the query ends (on whatever
// goroutine ends it).
type scratch struct {
	vs []value.V
}

// vector returns a new vector of type t and n zero rows, released with
// the scratch.
func (s *scratch) vector(t value.Type, n int) (value.V, error) {
	v, err := vec.Zeros(t, n)
	if err != nil {
		return value.V{}, err
	}
	s.vs = append(s.vs, v)
	return v, nil
}

// int32s, int64s, float64s and uint8s return a new scratch vector's rows
// for writing.
func (s *scratch) int32s(n int) ([]int32, error)     { return rows[int32](s, value.I32, n) }
func (s *scratch) int64s(n int) ([]int64, error)     { return rows[int64](s, value.I64, n) }
func (s *scratch) float64s(n int) ([]float64, error) { return rows[float64](s, value.F64, n) }
func (s *scratch) uint8s(n int) ([]uint8, error)     { return rows[uint8](s, value.U8, n) }

func rows[T vec.Elem](s *scratch, t value.Type, n int) ([]T, error) {
	if _, err := s.vector(t, n); err != nil {
		return nil, err
	}
	return vec.Mutable[T](&s.vs[len(s.vs)-1]) // private to this scratch: written in place
}

// crew is a query's scratch, one per worker (indexed like forMorsels'
// workers), released together when the query ends.
type crew []scratch

func (e *Engine) crew() crew { return make(crew, e.workers()) }

func (c crew) release() {
	for i := range c {
		c[i].release()
	}
}

func (s *scratch) release() {
	for i := range s.vs {
		cow.Release(&s.vs[i])
	}
	s.vs = nil
}

// column returns the column of t named name, borrowed.
func column(t value.V, name string) (value.V, error) {
	_, c, err := vec.ColumnByName(t, name)
	return c, err
}
