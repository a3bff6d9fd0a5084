package ray_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/index"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/store"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// Every public function that takes a value is called with no value and
// with each kind of value it does not want: none may panic, and a write
// that fails must leave its argument as it was.

func must(v value.V, err error) value.V {
	if err != nil {
		panic(err)
	}
	return v
}

// kinds returns one value of each kind, and releases them at cleanup.
func kinds(t *testing.T) map[string]value.V {
	i64 := must(vec.FromSlice(value.I64, []int64{1, 2}))
	str := must(vec.FromStrings([]string{"a", "a string long enough for the pool"}))
	list := must(vec.ListOf(i64, str))
	tbl := must(vec.NewTable())
	if err := vec.AddColumn(&tbl, "x", i64); err != nil {
		t.Fatal(err)
	}
	dict := must(vec.NewDict(i64, str))
	vs := map[string]value.V{
		"no value": {}, "NULL": value.NullValue(), "I64 atom": must(value.NewI64(3)),
		"STR atom": must(value.NewStr("s")), "I64 vector": i64, "STR vector": str,
		"LIST": list, "TABLE": tbl, "DICT": dict,
	}
	t.Cleanup(func() {
		for _, v := range vs {
			cow.Release(&v)
		}
	})
	return vs
}

func noPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v", what, r)
		}
	}()
	f()
}

func TestEveryReaderTakesAnyValue(t *testing.T) {
	heaptest.Check(t)
	dir := t.TempDir()
	readers := map[string]func(v value.V){
		"vec.Get":           func(v value.V) { _, _ = vec.Get[int64](v, 0) },
		"vec.GetStr":        func(v value.V) { _, _ = vec.GetStr(v, 0) },
		"vec.GetSym":        func(v value.V) { _, _ = vec.GetSym(v, 0) },
		"vec.StrView":       func(v value.V) { _, _ = vec.StrView(v, 0) },
		"vec.IsNull":        func(v value.V) { _, _ = vec.IsNull(v, 0) },
		"vec.NullCount":     func(v value.V) { _ = vec.NullCount(v) },
		"vec.Cap":           func(v value.V) { _ = vec.Cap(v) },
		"vec.Elems":         func(v value.V) { _, _ = vec.Elems[int64](v) },
		"vec.Slice":         func(v value.V) { s, _ := vec.Slice(v, 0, 1); cow.Release(&s) },
		"vec.ToSym":         func(v value.V) { s, _ := vec.ToSym(v); cow.Release(&s) },
		"vec.Concat":        func(v value.V) { c, _ := vec.Concat(v, v); cow.Release(&c) },
		"vec.Deref":         func(v value.V) { d, _ := vec.Deref(v, "x"); cow.Release(&d) },
		"vec.LinkTarget":    func(v value.V) { _, _ = vec.LinkTarget(v) },
		"vec.ListGet":       func(v value.V) { _, _ = vec.ListGet(v, 0) },
		"vec.ColumnAt":      func(v value.V) { _, _, _ = vec.ColumnAt(v, 0) },
		"vec.ColumnByName":  func(v value.V) { _, _, _ = vec.ColumnByName(v, "x") },
		"vec.NumCols":       func(v value.V) { _ = vec.NumCols(v) },
		"vec.NumRows":       func(v value.V) { _ = vec.NumRows(v) },
		"vec.Schema":        func(v value.V) { _ = vec.Schema(v) },
		"vec.DictFind":      func(v value.V) { _, _ = vec.DictFind(v, v) },
		"vec.DictGet":       func(v value.V) { g, _, _ := vec.DictGet(v, v); cow.Release(&g) },
		"vec.DictKeys":      func(v value.V) { _ = vec.DictKeys(v) },
		"vec.DictValues":    func(v value.V) { _ = vec.DictValues(v) },
		"vec.RowAtom":       func(v value.V) { a, _ := vec.RowAtom(v, 0); cow.Release(&a) },
		"layout.Pool":       func(v value.V) { _ = layout.Pool(v) },
		"layout.Root":       func(v value.V) { _, _ = layout.Root(v) },
		"layout.NullBits":   func(v value.V) { _, _ = layout.NullBits(v) },
		"vec.StrPool":       func(v value.V) { _, _ = vec.StrPool(v) },
		"vec.All":           func(v value.V) { _, _ = vec.All[int64](v) },
		"vec.AllNullable":   func(v value.V) { _, _ = vec.AllNullable[int64](v) },
		"vec.AllStr":        func(v value.V) { _, _ = vec.AllStr(v) },
		"vec.AllSymIDs":     func(v value.V) { _, _ = vec.AllSymIDs(v) },
		"vec.Bind":          func(v value.V) { _ = vec.Bind("sweep.bound", v); vec.Unbind("sweep.bound") },
		"value.AsI64":       func(v value.V) { _, _ = value.AsI64(v) },
		"value.AsStr":       func(v value.V) { _, _ = value.AsStr(v) },
		"value.AsError":     func(v value.V) { _, _ = value.AsError(v) },
		"value.IsNull":      func(v value.V) { _ = value.IsNull(v) },
		"value.StrBytes":    func(v value.V) { _, _ = value.StrBytes(v) },
		"value.Handle":      func(v value.V) { _, _, _ = value.Handle(v) },
		"layout.DataSize":   func(v value.V) { _ = layout.DataSize(v) },
		"layout.Slots":      func(v value.V) { _ = layout.Slots(v, 1) },
		"value.Children":    func(v value.V) { _ = layout.IndexChildren(v) },
		"cow.Copy":          func(v value.V) { c, _ := cow.Copy(v); cow.Release(&c) },
		"index.Lookup":      func(v value.V) { _, _ = index.Lookup(v, int64(1)) },
		"index.LookupBytes": func(v value.V) { _, _ = index.LookupBytes(v, []byte("a")) },
		"index.Order":       func(v value.V) { _, _ = index.Order(v) },
		"index.Range":       func(v value.V) { _, _ = index.Range(v, int64(0), int64(1)) },
		"index.InfoOf":      func(v value.V) { _, _ = index.InfoOf(v) },
		"index.ZoneOf":      func(v value.V) { _, _ = index.ZoneOf(v) },
		"index.MayContain":  func(v value.V) { _, _ = index.MayContain(v, int64(1)) },
		"index.Probe": func(v value.V) {
			_ = index.Probe(v, []int64{1}, func(int, []uint32) bool { return true })
		},
		"store.SaveColumn":      func(v value.V) { _ = store.SaveColumn(filepath.Join(dir, "c"), v) },
		"store.SaveTable":       func(v value.V) { _ = store.SaveTable(filepath.Join(dir, "t"), v) },
		"rayarrow.Export":       func(v value.V) { a, err := rayarrow.Export(v); release(a, err) },
		"rayarrow.ExportRecord": func(v value.V) { r, err := rayarrow.ExportRecord(v); release(r, err) },
		"rayarrow.WriteIPC":     func(v value.V) { _ = rayarrow.WriteIPCStream(&bytes.Buffer{}, rayarrow.Uncompressed, v) },
		"rayarrow.WriteParquet": func(v value.V) { _ = rayarrow.WriteParquet(filepath.Join(dir, "p"), v) },
	}
	for kind, v := range kinds(t) {
		for name, read := range readers {
			noPanic(t, fmt.Sprintf("%s(%s)", name, kind), func() { read(v) })
		}
	}
	noPanic(t, "value.ErrorOf(nil)", func() { _, _ = value.ErrorOf(nil) })
	noPanic(t, "heap.MapFile(nil)", func() { _, _ = heap.MapFile(nil, 0, 0) })
}

func release(x interface{ Release() }, err error) {
	if err == nil {
		x.Release()
	}
}

func TestEveryFailedWriteLeavesItsArgument(t *testing.T) {
	heaptest.Check(t)
	writers := map[string]func(vp *value.V) error{
		"vec.Append":       func(vp *value.V) error { return vec.Append(vp, int64(1)) },
		"vec.AppendSlice":  func(vp *value.V) error { return vec.AppendSlice(vp, []int64{1}) },
		"vec.AppendStr":    func(vp *value.V) error { return vec.AppendStr(vp, "s") },
		"vec.AppendSym":    func(vp *value.V) error { return vec.AppendSym(vp, "s") },
		"vec.AppendSymID":  func(vp *value.V) error { return vec.AppendSymID(vp, 0) },
		"vec.Set":          func(vp *value.V) error { return vec.Set(vp, 5, int64(1)) },
		"vec.SetNull":      func(vp *value.V) error { return vec.SetNull(vp, 5, true) },
		"vec.SetNulls":     func(vp *value.V) error { return vec.SetNulls(vp, []byte{1}, 0) },
		"vec.SetStr":       func(vp *value.V) error { return vec.SetStr(vp, 5, "s") },
		"vec.SetSymID":     func(vp *value.V) error { return vec.SetSymID(vp, 5, 0) },
		"vec.Insert":       func(vp *value.V) error { return vec.Insert(vp, 5, int64(1)) },
		"vec.Mutable":      func(vp *value.V) error { _, err := vec.Mutable[int64](vp); return err },
		"vec.CompactStr":   func(vp *value.V) error { return vec.CompactStr(vp) },
		"vec.Link":         func(vp *value.V) error { return vec.Link(vp, "sweep.nothing") },
		"vec.Unlink":       func(vp *value.V) error { return vec.Unlink(vp) },
		"vec.ListAppend":   func(vp *value.V) error { return vec.ListAppend(vp, value.V{}) },
		"vec.ListSet":      func(vp *value.V) error { return vec.ListSet(vp, 5, value.NullValue()) },
		"vec.AddColumn":    func(vp *value.V) error { return vec.AddColumn(vp, "x", value.V{}) },
		"vec.DictSet":      func(vp *value.V) error { return vec.DictSet(vp, value.V{}, value.V{}) },
		"vec.DictRemove":   func(vp *value.V) error { _, err := vec.DictRemove(vp, value.V{}); return err },
		"vec.NewAppender":  func(vp *value.V) error { _, err := vec.NewAppender[float64](vp); return err },
		"index.Detach":     func(vp *value.V) error { return index.Detach(vp) },
		"index.Attach":     func(vp *value.V) error { return index.Attach(vp, index.Kind(99)) },
		"index.AttachList": func(vp *value.V) error { return index.Attach(vp, index.Hash) },
		"cow.Cow":          func(vp *value.V) error { return cow.Cow(vp) },
	}
	for kind, v := range kinds(t) {
		for name, write := range writers {
			w := cow.Retain(v)
			before := w
			noPanic(t, fmt.Sprintf("%s(%s)", name, kind), func() {
				if err := write(&w); err != nil && w != before {
					t.Errorf("%s(%s) failed (%v) and replaced its argument", name, kind, err)
				}
			})
			cow.Release(&w)
		}
	}
}
