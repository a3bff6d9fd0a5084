package ray_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/index"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// stressFor is how long TestVerifyBesideWriters runs. CI runs it short; the
// long run is
//
//	go test -race -run TestVerifyBesideWriters -stress 10m -timeout 15m .
var stressFor = flag.Duration("stress", 0, "how long TestVerifyBesideWriters runs (default 3s, 1s with -short)")

// heap.Verify promises to run while other goroutines allocate, write and
// free: 16 goroutines do every kind of vector work (fresh blocks, copies on
// write, string pools, slices, joins, tables, indexes, lists, symbols)
// while the test goroutine calls heap.Verify in a loop. Under -race the
// heap's blocks are Go memory, so the race detector sees any header byte
// Verify reads while its block's owner writes it; and Verify must never
// report a header in transition as broken. Each worker also runs cow.Check
// on its own values: a Check beside writers of other values must stay quiet.
func TestVerifyBesideWriters(t *testing.T) {
	heaptest.Check(t)
	d := *stressFor
	if d == 0 {
		d = 3 * time.Second
		if testing.Short() {
			d = time.Second
		}
	}
	const workers = 16
	var stop atomic.Bool
	var rounds atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for !stop.Load() {
				if err := stressRound(r); err != nil {
					t.Errorf("worker %d: %v", w, err)
					stop.Store(true)
					return
				}
				rounds.Add(1)
			}
		}()
	}
	deadline := time.Now().Add(d)
	checks := 0
	for time.Now().Before(deadline) && !stop.Load() {
		if err := heap.Verify(); err != nil {
			t.Errorf("heap.Verify beside %d writers: %v", workers, err)
			break
		}
		checks++
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d Verify walks beside %d rounds of vector work in %v", checks, rounds.Load(), d)
}

// stressRound does one round of vector work on values of its own and
// releases everything it made.
func stressRound(r *rand.Rand) (err error) {
	var owned []value.V
	keep := func(v value.V, e error) value.V {
		if e != nil && err == nil {
			err = e
		}
		owned = append(owned, v)
		return v
	}
	defer func() {
		for i := range owned {
			cow.Release(&owned[i])
		}
	}()
	n := 1 + r.IntN(300)
	xs := make([]int64, n)
	for i := range xs {
		xs[i] = r.Int64N(1000)
	}
	// A shared vector written through a second reference: Cow copies it.
	a := keep(vec.FromSlice(value.I64, xs))
	keep(cow.Retain(a), nil)
	if e := vec.Set(&owned[len(owned)-1], r.IntN(n), int64(-1)); e != nil {
		return e
	}
	if e := vec.Append(&owned[len(owned)-1], int64(5)); e != nil {
		return e
	}
	if e := vec.SetNull(&owned[len(owned)-1], r.IntN(n), true); e != nil {
		return e
	}
	b := owned[len(owned)-1]
	// Strings: short (inline) and long (pooled), written through a shared
	// reference so the pool is made private.
	strs := make([]string, 1+r.IntN(100))
	for i := range strs {
		strs[i] = fmt.Sprintf("s%d%s", r.IntN(50), strings.Repeat("x", r.IntN(40)))
	}
	s := keep(vec.FromStrings(strs))
	keep(cow.Retain(s), nil)
	si := len(owned) - 1
	if e := vec.SetStr(&owned[si], r.IntN(len(strs)), "a string longer than twelve bytes"); e != nil {
		return e
	}
	if e := vec.AppendStr(&owned[si], strings.Repeat("y", r.IntN(30))); e != nil {
		return e
	}
	// Slices, joins, symbols, a table with an index.
	off := r.IntN(n)
	sl := keep(vec.Slice(a, off, n-off))
	keep(vec.Concat(sl, b))
	keep(vec.ConcatAll(a, sl, b))
	syms := make([]string, n)
	for i := range syms {
		syms[i] = fmt.Sprintf("stress%d", r.IntN(20))
	}
	sy := keep(vec.FromSyms(syms))
	keep(vec.NewTable())
	ti := len(owned) - 1
	if err != nil {
		return err
	}
	if e := vec.AddColumn(&owned[ti], "x", a); e != nil {
		return e
	}
	if e := vec.AddColumn(&owned[ti], "s", sy); e != nil {
		return e
	}
	tbl := owned[ti]
	keep(vec.Slice(tbl, 0, n/2))
	keep(cow.Copy(a))
	kind := index.Kind(1 + r.IntN(2))
	if e := index.Attach(&owned[len(owned)-1], kind); e != nil {
		return e
	}
	ix := owned[len(owned)-1]
	if kind == index.Hash {
		if _, e := index.Lookup(ix, xs[0]); e != nil {
			return e
		}
	} else if _, e := index.Range(ix, int64(10), int64(500)); e != nil {
		return e
	}
	l := keep(vec.ListOf(a, s, tbl))
	keep(cow.Retain(l), nil)
	if e := vec.ListAppend(&owned[len(owned)-1], sy); e != nil {
		return e
	}
	if err != nil {
		return err
	}
	for _, v := range owned {
		if e := cow.Check(v); e != nil {
			return fmt.Errorf("cow.Check of a %v: %w", v.Type(), e)
		}
	}
	return nil
}
