package ray_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/index"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/store"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// The whole-system model test. A random sequence of operations drives
// every package together (vectors of several types with nulls, appends,
// sets, slices, copies on write, concatenation, lists, dicts, tables, hash
// indexes, column files saved, loaded and mapped, Arrow export and import
// released in either order, IPC and Parquet round trips), each value
// mirrored by a plain-Go model and compared with it after every step.
// Values live on several worker goroutines: an operation runs on the
// goroutine that holds its value, values are handed from one to another,
// and some steps read a value from every goroutine at once. Between
// batches heap.Verify and cow.Check walk everything; at the end every
// value is released and no block may be left.
//
// A failure prints the seed and the operations, shrunk to a short
// sequence that still fails; TestSystemReplay runs such a sequence again.
// -soak=10m runs new seeds for that long.

var soak = flag.Duration("soak", 0, "run the whole-system model test with new seeds for this long")

// mval is the model of a value.
type mval struct {
	typ  value.Type
	i64  []int64
	f64  []float64
	str  []string // STR and SYM
	null []bool
	// A table's column names and columns, a list's items, a dict's keys
	// (kids[0]) and values (kids[1]).
	names []string
	kids  []*mval
}

func (m *mval) len() int {
	switch m.typ {
	case value.I64:
		return len(m.i64)
	case value.F64:
		return len(m.f64)
	case value.Str, value.Sym:
		return len(m.str)
	case value.List:
		return len(m.kids)
	case value.Table:
		if len(m.kids) == 0 {
			return 0
		}
		return m.kids[0].len()
	}
	return 0
}

func (m *mval) clone() *mval {
	c := &mval{typ: m.typ, i64: slices.Clone(m.i64), f64: slices.Clone(m.f64), str: slices.Clone(m.str),
		null: slices.Clone(m.null), names: slices.Clone(m.names)}
	for _, k := range m.kids {
		c.kids = append(c.kids, k.clone())
	}
	return c
}

// slice returns rows [off, off+n) of a vector's model.
func (m *mval) slice(off, n int) *mval {
	c := &mval{typ: m.typ}
	switch m.typ {
	case value.I64:
		c.i64 = slices.Clone(m.i64[off : off+n])
	case value.F64:
		c.f64 = slices.Clone(m.f64[off : off+n])
	default:
		c.str = slices.Clone(m.str[off : off+n])
	}
	c.null = slices.Clone(m.null[off : off+n])
	return c
}

// format renders a model the way show renders a value.
func (m *mval) format() string {
	var sb strings.Builder
	m.write(&sb)
	return sb.String()
}

func (m *mval) write(sb *strings.Builder) {
	switch m.typ {
	case value.Table:
		sb.WriteString("table{")
		for i, k := range m.kids {
			fmt.Fprintf(sb, "%s:", m.names[i])
			k.write(sb)
			sb.WriteByte(' ')
		}
		sb.WriteByte('}')
	case value.List:
		sb.WriteString("list[")
		for _, k := range m.kids {
			k.write(sb)
			sb.WriteByte(' ')
		}
		sb.WriteByte(']')
	case value.Dict:
		sb.WriteString("dict(")
		m.kids[0].write(sb)
		sb.WriteString("->")
		m.kids[1].write(sb)
		sb.WriteByte(')')
	default:
		fmt.Fprintf(sb, "%v[", m.typ)
		for i := range m.len() {
			switch {
			case m.null[i]:
				sb.WriteString("_")
			case m.typ == value.I64:
				fmt.Fprint(sb, m.i64[i])
			case m.typ == value.F64:
				fmt.Fprint(sb, m.f64[i])
			default:
				fmt.Fprintf(sb, "%q", m.str[i])
			}
			sb.WriteByte(' ')
		}
		sb.WriteByte(']')
	}
}

// show renders a value by reading it through the public API.
func show(v value.V) string {
	var sb strings.Builder
	showTo(&sb, v)
	return sb.String()
}

func showTo(sb *strings.Builder, v value.V) {
	switch t := v.Type(); t {
	case value.Table:
		sb.WriteString("table{")
		for i := range vec.NumCols(v) {
			name, col, err := vec.ColumnAt(v, i)
			if err != nil {
				fmt.Fprintf(sb, "error %v", err)
				return
			}
			fmt.Fprintf(sb, "%s:", name)
			showTo(sb, col)
			sb.WriteByte(' ')
		}
		sb.WriteByte('}')
	case value.List:
		sb.WriteString("list[")
		for i := range int(v.Len()) {
			item, err := vec.ListGet(v, i)
			if err != nil {
				fmt.Fprintf(sb, "error %v", err)
				return
			}
			showTo(sb, item)
			sb.WriteByte(' ')
		}
		sb.WriteByte(']')
	case value.Dict:
		sb.WriteString("dict(")
		showTo(sb, vec.DictKeys(v))
		sb.WriteString("->")
		showTo(sb, vec.DictValues(v))
		sb.WriteByte(')')
	default:
		fmt.Fprintf(sb, "%v[", t)
		for i := range int(v.Len()) {
			null, err := vec.IsNull(v, i)
			var x any
			switch {
			case err != nil:
			case null:
				sb.WriteString("_ ")
				continue
			case t == value.I64:
				x, err = vec.Get[int64](v, i)
			case t == value.F64:
				x, err = vec.Get[float64](v, i)
			case t == value.Str:
				var s string
				s, err = vec.GetStr(v, i)
				x = fmt.Sprintf("%q", s)
			case t == value.Sym:
				var s string
				s, err = vec.GetSym(v, i)
				x = fmt.Sprintf("%q", s)
			}
			if err != nil {
				fmt.Fprintf(sb, "error %v", err)
				return
			}
			fmt.Fprint(sb, x, " ")
		}
		sb.WriteByte(']')
	}
}

// sysOp is one step: its kind and arguments, which pick slots modulo the
// number of slots, so that any subsequence of a sequence still runs.
type sysOp struct {
	Kind    int
	A, B, C int
	X       int64
}

const (
	opNewVec = iota
	opAppend
	opSet
	opSetNull
	opSlice
	opShareWrite // retain into a second slot, then write one: the other keeps its rows
	opConcat
	opList
	opDict
	opDictSet
	opTable
	opIndex
	opLookup
	opSaveLoad
	opArrow
	opIPC
	opParquet
	opRelease
	opHandOff
	opReadEverywhere
	numSysOps
)

var sysOpNames = [numSysOps]string{"new", "append", "set", "setnull", "slice", "sharewrite", "concat", "list",
	"dict", "dictset", "table", "index", "lookup", "saveload", "arrow", "ipc", "parquet", "release", "handoff", "readeverywhere"}

func (o sysOp) String() string {
	return fmt.Sprintf("{%s %d %d %d %d}", sysOpNames[o.Kind], o.A, o.B, o.C, o.X)
}

// slot is a value held by a worker, with its model.
type slot struct {
	v      value.V
	m      *mval
	worker int
}

// system runs operations on workers and checks them against the models.
type system struct {
	t       testing.TB
	dir     string
	slots   []*slot
	work    []chan func()
	wg      sync.WaitGroup
	failure string
}

const sysWorkers = 3

func newSystem(t testing.TB, dir string) *system {
	s := &system{t: t, dir: dir}
	for range sysWorkers {
		ch := make(chan func())
		s.work = append(s.work, ch)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for f := range ch {
				f()
			}
		}()
	}
	return s
}

// on runs f on worker w and waits for it; a panic becomes the failure.
func (s *system) on(w int, f func()) {
	done := make(chan struct{})
	s.work[w%sysWorkers] <- func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				s.fail("panic: %v", r)
			}
		}()
		f()
	}
	<-done
}

func (s *system) fail(format string, args ...any) {
	if s.failure == "" {
		s.failure = fmt.Sprintf(format, args...)
	}
}

func (s *system) close() {
	for _, sl := range s.slots {
		s.on(sl.worker, func() { cow.Release(&sl.v) })
	}
	s.slots = nil
	for _, ch := range s.work {
		close(ch)
	}
	s.wg.Wait()
}

// check compares a slot with its model.
func (s *system) check(what string, sl *slot) {
	if got, want := show(sl.v), sl.m.format(); got != want {
		s.fail("%s: the value reads\n  %.300s\nthe model\n  %.300s", what, got, want)
	}
}

func (s *system) add(v value.V, m *mval, w int) *slot {
	sl := &slot{v: v, m: m, worker: w % sysWorkers}
	s.slots = append(s.slots, sl)
	s.check("new value", sl)
	return sl
}

// pick returns slot i (modulo) among those whose type ok accepts.
func (s *system) pick(i int, ok func(value.Type) bool) *slot {
	var c []*slot
	for _, sl := range s.slots {
		if ok(sl.m.typ) {
			c = append(c, sl)
		}
	}
	if len(c) == 0 {
		return nil
	}
	return c[((i%len(c))+len(c))%len(c)]
}

func isVec(t value.Type) bool {
	return t == value.I64 || t == value.F64 || t == value.Str || t == value.Sym
}

var vecTypes = []value.Type{value.I64, value.F64, value.Str, value.Sym}

// element x as the model holds it for a vector of type t.
func element(t value.Type, x int64) (int64, float64, string) {
	s := fmt.Sprintf("s%d", x%97)
	if x%5 == 0 {
		s = strings.Repeat("long", int(x%7)) + s // some past the 12 inline bytes
	}
	return x, float64(x) / 4, s
}

// setElem writes element x at row i of sl's value and model.
func setElem(vp *value.V, m *mval, i int, x int64) error {
	a, f, str := element(m.typ, x)
	var err error
	switch m.typ {
	case value.I64:
		err = vec.Set(vp, i, a)
	case value.F64:
		err = vec.Set(vp, i, f)
	case value.Str:
		err = vec.SetStr(vp, i, str)
	case value.Sym:
		err = vec.SetSym(vp, i, str)
	}
	if err == nil {
		err = vec.SetNull(vp, i, false)
	}
	if err == nil {
		switch m.typ {
		case value.I64:
			m.i64[i] = a
		case value.F64:
			m.f64[i] = f
		default:
			m.str[i] = str
		}
		m.null[i] = false
	}
	return err
}

func appendElem(vp *value.V, m *mval, x int64) error {
	a, f, str := element(m.typ, x)
	var err error
	switch m.typ {
	case value.I64:
		err = vec.Append(vp, a)
		m.i64 = append(m.i64, a)
	case value.F64:
		err = vec.Append(vp, f)
		m.f64 = append(m.f64, f)
	case value.Str:
		err = vec.AppendStr(vp, str)
		m.str = append(m.str, str)
	case value.Sym:
		err = vec.AppendSym(vp, str)
		m.str = append(m.str, str)
	}
	m.null = append(m.null, false)
	return err
}

func (s *system) run(op sysOp) {
	switch op.Kind {
	case opNewVec:
		t := vecTypes[((op.A%4)+4)%4]
		n := op.B % 40
		m := &mval{typ: t}
		var v value.V
		var err error
		s.on(op.C, func() {
			if v, err = vec.New(t, 0); err != nil {
				return
			}
			for i := range n {
				if err = appendElem(&v, m, op.X+int64(i)); err != nil {
					return
				}
				if (op.X+int64(i))%7 == 3 {
					err = vec.SetNull(&v, i, true)
					m.null[i] = true
				}
			}
		})
		if err != nil {
			s.fail("new %v: %v", t, err)
			return
		}
		s.add(v, m, op.C)
	case opAppend, opSet, opSetNull:
		sl := s.pick(op.A, isVec)
		if sl == nil || (op.Kind != opAppend && sl.m.len() == 0) {
			return
		}
		var err error
		s.on(sl.worker, func() {
			switch op.Kind {
			case opAppend:
				for k := range op.B%20 + 1 {
					if err = appendElem(&sl.v, sl.m, op.X+int64(k)); err != nil {
						return
					}
				}
			case opSet:
				err = setElem(&sl.v, sl.m, op.B%sl.m.len(), op.X)
			case opSetNull:
				i := op.B % sl.m.len()
				err = vec.SetNull(&sl.v, i, true)
				sl.m.null[i] = true
			}
		})
		if err != nil {
			s.fail("%v: %v", op, err)
			return
		}
		s.on(sl.worker, func() { s.check(op.String(), sl) })
	case opSlice:
		sl := s.pick(op.A, isVec)
		if sl == nil {
			return
		}
		n := sl.m.len()
		off := op.B % (n + 1)
		cnt := op.C % (n - off + 1)
		var v value.V
		var err error
		s.on(sl.worker, func() { v, err = vec.Slice(sl.v, off, cnt) })
		if err != nil {
			s.fail("%v: %v", op, err)
			return
		}
		s.add(v, sl.m.slice(off, cnt), sl.worker+1)
	case opShareWrite:
		sl := s.pick(op.A, isVec)
		if sl == nil || sl.m.len() == 0 {
			return
		}
		shared := s.add(cow.Retain(sl.v), sl.m.clone(), sl.worker+1)
		var err error
		s.on(shared.worker, func() { err = setElem(&shared.v, shared.m, op.B%shared.m.len(), op.X) })
		if err != nil {
			s.fail("%v: %v", op, err)
			return
		}
		s.on(sl.worker, func() { s.check("the other owner after a copy on write", sl) })
		s.on(shared.worker, func() { s.check("the writer after a copy on write", shared) })
	case opConcat:
		a := s.pick(op.A, isVec)
		if a == nil {
			return
		}
		b := s.pick(op.B, func(t value.Type) bool { return t == a.m.typ })
		var v value.V
		var err error
		s.on(a.worker, func() { v, err = vec.Concat(a.v, b.v) })
		if err != nil {
			s.fail("%v: %v", op, err)
			return
		}
		m := a.m.clone()
		m.i64 = append(m.i64, b.m.i64...)
		m.f64 = append(m.f64, b.m.f64...)
		m.str = append(m.str, b.m.str...)
		m.null = append(m.null, b.m.null...)
		s.add(v, m, a.worker)
	case opList:
		a, b := s.pick(op.A, isVec), s.pick(op.B, func(value.Type) bool { return true })
		if a == nil {
			return
		}
		var v value.V
		var err error
		s.on(a.worker, func() { v, err = vec.ListOf(a.v, b.v) })
		if err != nil {
			s.fail("%v: %v", op, err)
			return
		}
		s.add(v, &mval{typ: value.List, kids: []*mval{a.m.clone(), b.m.clone()}}, a.worker)
	case opDict:
		vals := s.pick(op.A, isVec)
		if vals == nil {
			return
		}
		n := vals.m.len()
		keys := &mval{typ: value.I64, null: make([]bool, n)}
		for i := range n {
			keys.i64 = append(keys.i64, int64(i*3))
		}
		var v value.V
		var err error
		s.on(vals.worker, func() {
			k, kerr := vec.FromSlice(value.I64, keys.i64)
			if kerr != nil {
				err = kerr
				return
			}
			v, err = vec.NewDict(k, vals.v)
			cow.Release(&k)
		})
		if err != nil {
			s.fail("%v: %v", op, err)
			return
		}
		s.add(v, &mval{typ: value.Dict, kids: []*mval{keys, vals.m.clone()}}, vals.worker)
	case opDictSet:
		d := s.pick(op.A, func(t value.Type) bool { return t == value.Dict })
		if d == nil || d.m.kids[1].typ != value.I64 {
			return
		}
		key := op.X % 50
		var err error
		s.on(d.worker, func() {
			k, _ := value.NewI64(key)
			x, _ := value.NewI64(op.X)
			err = vec.DictSet(&d.v, k, x)
			cow.Release(&k)
			cow.Release(&x)
		})
		if err != nil {
			s.fail("%v: %v", op, err)
			return
		}
		keys, vals := d.m.kids[0], d.m.kids[1]
		if i := slices.Index(keys.i64, key); i >= 0 {
			vals.i64[i], vals.null[i] = op.X, false
		} else {
			keys.i64, keys.null = append(keys.i64, key), append(keys.null, false)
			vals.i64, vals.null = append(vals.i64, op.X), append(vals.null, false)
		}
		s.on(d.worker, func() { s.check(op.String(), d) })
	case opTable:
		first := s.pick(op.A, isVec)
		if first == nil {
			return
		}
		n := first.m.len()
		cols := []*slot{first}
		for k := range 2 {
			c := s.pick(op.B+k, isVec)
			if c.m.len() == n && !slices.Contains(cols, c) {
				cols = append(cols, c)
			}
		}
		m := &mval{typ: value.Table}
		var v value.V
		var err error
		s.on(first.worker, func() {
			if v, err = vec.NewTable(); err != nil {
				return
			}
			for i, c := range cols {
				name := fmt.Sprintf("c%d", i)
				if err = vec.AddColumn(&v, name, c.v); err != nil {
					return
				}
				m.names = append(m.names, name)
				m.kids = append(m.kids, c.m.clone())
			}
		})
		if err != nil {
			cow.Release(&v)
			s.fail("%v: %v", op, err)
			return
		}
		s.add(v, m, first.worker)
	case opIndex:
		sl := s.pick(op.A, func(t value.Type) bool { return t == value.I64 })
		if sl == nil {
			return
		}
		var err error
		s.on(sl.worker, func() { err = index.Attach(&sl.v, index.Hash) })
		if err != nil && !errors.Is(err, ray.ErrType) { // a slice is refused
			s.fail("%v: %v", op, err)
		}
		s.on(sl.worker, func() { s.check(op.String(), sl) })
	case opLookup:
		sl := s.pick(op.A, func(t value.Type) bool { return t == value.I64 })
		if sl == nil {
			return
		}
		key := op.X + int64(op.B%40)
		var rows []int
		var err error
		s.on(sl.worker, func() {
			seq, lerr := index.Lookup(sl.v, key)
			if err = lerr; err == nil {
				for r := range seq {
					rows = append(rows, r)
				}
			}
		})
		if err != nil {
			if !errors.Is(err, ray.ErrType) {
				s.fail("%v: %v", op, err)
			}
			return // no index on it: nothing to compare
		}
		var want []int
		for i, x := range sl.m.i64 {
			if x == key && !sl.m.null[i] {
				want = append(want, i)
			}
		}
		slices.Sort(rows)
		if !slices.Equal(rows, want) {
			s.fail("%v: lookup of %d gives rows %v, the model %v", op, key, rows, want)
		}
	case opSaveLoad:
		sl := s.pick(op.A, isVec)
		if sl == nil {
			return
		}
		path := filepath.Join(s.dir, fmt.Sprintf("s%d.col", op.B%4))
		var loaded, mapped value.V
		var err error
		s.on(sl.worker, func() {
			if err = store.SaveColumn(path, sl.v); err != nil {
				return
			}
			if loaded, err = store.LoadColumn(path); err != nil {
				return
			}
			mapped, err = store.MapColumn(path)
		})
		if err != nil {
			cow.Release(&loaded)
			s.fail("%v: %v", op, err)
			return
		}
		s.add(loaded, sl.m.clone(), sl.worker+1)
		s.add(mapped, sl.m.clone(), sl.worker+2)
	case opArrow:
		sl := s.pick(op.A, func(t value.Type) bool { return isVec(t) || t == value.Table })
		if sl == nil {
			return
		}
		var v value.V
		var err error
		s.on(sl.worker, func() {
			if sl.m.typ == value.Table {
				rec, rerr := rayarrow.ExportRecord(sl.v)
				if err = rerr; err != nil {
					return
				}
				v, err = rayarrow.ImportRecord(rec)
				rec.Release()
				return
			}
			a, aerr := rayarrow.Export(sl.v)
			if err = aerr; err != nil {
				return
			}
			if op.B%2 == 0 { // the Arrow array outlives a released copy
				c := cow.Retain(sl.v)
				cow.Release(&c)
			}
			v, err = rayarrow.Import(a)
			a.Release()
		})
		if err != nil {
			s.fail("%v: %v", op, err)
			return
		}
		s.add(v, sl.m.clone(), sl.worker+1)
	case opIPC, opParquet:
		sl := s.pick(op.A, func(t value.Type) bool { return t == value.Table })
		if sl == nil || len(sl.m.kids) == 0 {
			return
		}
		var v value.V
		var err error
		s.on(sl.worker, func() {
			if op.Kind == opIPC {
				var buf bytes.Buffer
				if err = rayarrow.WriteIPCStream(&buf, rayarrow.LZ4, sl.v); err != nil {
					return
				}
				var vs []value.V
				vs, err = rayarrow.ReadIPC(&buf)
				if err == nil && len(vs) != 1 {
					err = fmt.Errorf("%d tables read back", len(vs))
				}
				if len(vs) > 0 {
					v = vs[0]
				}
				return
			}
			path := filepath.Join(s.dir, "t.parquet")
			if err = rayarrow.WriteParquet(path, sl.v); err == nil {
				v, err = rayarrow.ReadParquet(path)
			}
		})
		if err != nil {
			s.fail("%v: %v", op, err)
			return
		}
		s.add(v, sl.m.clone(), sl.worker+2) // Parquet keeps SYM too: the Arrow schema is in the file
	case opRelease:
		if len(s.slots) == 0 {
			return
		}
		i := op.A % len(s.slots)
		sl := s.slots[i]
		s.on(sl.worker, func() { cow.Release(&sl.v) })
		s.slots = slices.Delete(s.slots, i, i+1)
	case opHandOff:
		if len(s.slots) > 0 {
			sl := s.slots[op.A%len(s.slots)]
			sl.worker = (sl.worker + 1 + op.B%2) % sysWorkers
		}
	case opReadEverywhere:
		if len(s.slots) == 0 {
			return
		}
		sl := s.slots[op.A%len(s.slots)]
		want := sl.m.format()
		var wg sync.WaitGroup
		var mu sync.Mutex
		for w := range sysWorkers {
			wg.Add(1)
			s.work[w] <- func() {
				defer wg.Done()
				c := cow.Retain(sl.v)
				got := show(c)
				cow.Release(&c)
				if got != want {
					mu.Lock()
					s.fail("%v: worker %d reads %.200s, the model %.200s", op, w, got, want)
					mu.Unlock()
				}
			}
		}
		wg.Wait()
	}
}

// walk runs heap.Verify and cow.Check over everything.
func (s *system) walk() {
	if err := heap.Verify(); err != nil {
		s.fail("heap.Verify: %v", err)
	}
	for _, sl := range s.slots {
		if err := cow.Check(sl.v); err != nil {
			s.fail("cow.Check of a %v: %v", sl.m.typ, err)
		}
	}
}

// genOps returns n random operations.
func genOps(seed uint64, n int) []sysOp {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	weights := [numSysOps]int{opNewVec: 12, opAppend: 12, opSet: 8, opSetNull: 4, opSlice: 5, opShareWrite: 6, opConcat: 3,
		opList: 3, opDict: 2, opDictSet: 4, opTable: 4, opIndex: 3, opLookup: 6, opSaveLoad: 2, opArrow: 3, opIPC: 1,
		opParquet: 1, opRelease: 14, opHandOff: 5, opReadEverywhere: 3}
	total := 0
	for _, w := range weights {
		total += w
	}
	ops := make([]sysOp, n)
	for i := range ops {
		k, x := 0, r.IntN(total)
		for x >= weights[k] {
			x -= weights[k]
			k++
		}
		ops[i] = sysOp{Kind: k, A: r.IntN(1000), B: r.IntN(1000), C: r.IntN(1000), X: r.Int64N(200)}
	}
	return ops
}

// runOps runs ops on a fresh system and returns the index of the first
// failing step and what failed, or -1.
func runOps(t testing.TB, dir string, ops []sysOp) (int, string) {
	start := heap.LiveBlocks()
	s := newSystem(t, dir)
	failed := -1
	for i, op := range ops {
		s.run(op)
		if s.failure == "" && (i%64 == 63 || i == len(ops)-1) {
			s.walk()
		}
		if s.failure != "" {
			failed = i
			break
		}
	}
	s.close()
	if failed < 0 {
		if got := heap.LiveBlocks(); got != start {
			return len(ops) - 1, fmt.Sprintf("%d live blocks after releasing everything, %d before", got, start)
		}
	}
	return failed, s.failure
}

// shrink removes operations from a failing sequence while it still fails,
// halving the chunks it tries to remove, for at most budget runs.
func shrink(t testing.TB, dir string, ops []sysOp, budget int) []sysOp {
	for chunk := len(ops) / 2; chunk >= 1 && budget > 0; chunk /= 2 {
		for i := 0; i+chunk <= len(ops) && budget > 0; {
			try := slices.Concat(ops[:i], ops[i+chunk:])
			budget--
			if n, _ := runOps(t, dir, try); n >= 0 {
				ops = try[:n+1]
				continue
			}
			i += chunk
		}
	}
	return ops
}

func systemSeed(t *testing.T, seed uint64, n int) {
	t.Helper()
	ops := genOps(seed, n)
	dir := t.TempDir()
	i, msg := runOps(t, dir, ops)
	if i < 0 {
		return
	}
	small := shrink(t, dir, ops[:i+1], 300)
	_, smallMsg := runOps(t, dir, small)
	t.Fatalf("seed %d fails at step %d: %s\nshrunk to %d steps (%s):\n%v\nrun them again with TestSystemReplay", seed, i, msg, len(small), smallMsg, small)
}

func TestSystem(t *testing.T) {
	heaptest.Check(t)
	seeds, n := 4, 1500
	if testing.Short() {
		seeds, n = 2, 600
	}
	for seed := range uint64(seeds) {
		systemSeed(t, seed+1, n)
	}
	if *soak > 0 {
		deadline, ops := time.Now().Add(*soak), 0
		seed := uint64(time.Now().UnixNano())
		first := seed
		for ; time.Now().Before(deadline); seed++ {
			systemSeed(t, seed, 2000)
			ops += 2000
		}
		t.Logf("soak: %d operations, seeds %d to %d", ops, first, seed-1)
	}
}

// TestSystemReplay runs a sequence a failure printed: paste it into replay.
func TestSystemReplay(t *testing.T) {
	heaptest.Check(t)
	replay := []sysOp{{Kind: opNewVec, A: 2, B: 12, C: 1, X: 5}, {Kind: opShareWrite, B: 3, X: 9}, {Kind: opReadEverywhere}}
	if i, msg := runOps(t, t.TempDir(), replay); i >= 0 {
		t.Fatalf("step %d: %s", i, msg)
	}
}
