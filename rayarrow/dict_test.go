package rayarrow

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/vec"
)

// dictArray makes a dictionary array of the names with indices of type
// it, -1 meaning a null row; the indices are not checked.
func dictArray(t *testing.T, it arrow.DataType, names []string, keys []int) *array.Dictionary {
	t.Helper()
	mem := memory.NewGoAllocator()
	sb := array.NewStringBuilder(mem)
	sb.AppendValues(names, nil)
	dict := sb.NewArray()
	sb.Release()
	defer dict.Release()
	ib := array.NewBuilder(mem, it)
	defer ib.Release()
	for _, k := range keys {
		if k < 0 {
			ib.AppendNull()
			continue
		}
		switch b := ib.(type) {
		case *array.Int8Builder:
			b.Append(int8(k))
		case *array.Uint8Builder:
			b.Append(uint8(k))
		case *array.Int16Builder:
			b.Append(int16(k))
		case *array.Uint16Builder:
			b.Append(uint16(k))
		case *array.Int32Builder:
			b.Append(int32(k))
		case *array.Uint32Builder:
			b.Append(uint32(k))
		case *array.Int64Builder:
			b.Append(int64(k))
		case *array.Uint64Builder:
			b.Append(uint64(k))
		}
	}
	idx := ib.NewArray()
	defer idx.Release()
	dt := &arrow.DictionaryType{IndexType: it, ValueType: arrow.BinaryTypes.String}
	return array.NewDictionaryArray(dt, idx, dict)
}

// Every index type reads as its own type, nulls become null rows, and an
// index outside the dictionary is ErrCorrupt, in Import and in a fill.
func TestDictionaryIndices(t *testing.T) {
	heaptest.Check(t)
	names := []string{"dict.a", "dict.b", "dict.c"}
	for _, it := range []arrow.DataType{arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Int16,
		arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Uint64} {
		a := dictArray(t, it, names, []int{2, -1, 0, 1, 2})
		v, err := Import(a)
		if err != nil {
			t.Fatalf("%v: %v", it, err)
		}
		for i, want := range []string{"dict.c", "", "dict.a", "dict.b", "dict.c"} {
			got, _ := vec.GetSym(v, i)
			null, _ := vec.IsNull(v, i)
			if got != want || null != (i == 1) {
				t.Errorf("%v row %d: %q null %v, want %q", it, i, got, null, want)
			}
		}
		if err := cow.Check(v); err != nil {
			t.Error(err)
		}
		cow.Release(&v)
		a.Release()

		bad := dictArray(t, it, names, []int{0, 3})
		if _, err := Import(bad); !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("%v: an index past the dictionary: %v", it, err)
		}
		schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: bad.DataType(), Nullable: true}}, nil)
		rec := array.NewRecord(schema, []arrow.Array{bad}, int64(bad.Len()))
		f, err := NewTableFill(bad.Len())
		if err != nil {
			t.Fatal(err)
		}
		part, err := f.Part(0, bad.Len())
		if err != nil {
			t.Fatal(err)
		}
		if err := part.Append(rec); !errors.Is(err, ray.ErrCorrupt) {
			t.Errorf("%v: a fill with an index past the dictionary: %v", it, err)
		}
		f.Release()
		rec.Release()
		bad.Release()
	}
}

// Import's null bits are Arrow's validity inverted, at any offset of a
// sliced array and any length: a model test against Arrow's IsNull.
func TestImportNullsAtAnyOffset(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(7, 27))
	for round := range 200 {
		n := 1 + r.IntN(300)
		b := array.NewInt32Builder(memory.NewGoAllocator())
		for i := range n {
			if r.IntN(4) == 0 {
				b.AppendNull()
			} else {
				b.Append(int32(i))
			}
		}
		whole := b.NewArray()
		b.Release()
		off := r.IntN(n)
		a := array.NewSlice(whole, int64(off), int64(off+r.IntN(n-off+1)))
		whole.Release()
		v, err := Import(a)
		if err != nil {
			t.Fatal(err)
		}
		if v.Len() != int64(a.Len()) {
			t.Fatalf("round %d: %d rows, Arrow %d", round, v.Len(), a.Len())
		}
		for i := range a.Len() {
			if null, _ := vec.IsNull(v, i); null != a.IsNull(i) {
				t.Fatalf("round %d (offset %d, %d rows): row %d null %v, Arrow %v", round, off, a.Len(), i, null, a.IsNull(i))
			}
		}
		if vec.NullCount(v) != a.NullN() {
			t.Fatalf("round %d: %d nulls, Arrow %d", round, vec.NullCount(v), a.NullN())
		}
		if err := cow.Check(v); err != nil {
			t.Fatal(err)
		}
		cow.Release(&v)
		a.Release()
	}
}

// A fill's null bits are the batches' validity inverted at each batch's
// place in the part, whole bytes or not: batches of random lengths and
// offsets, against Arrow's IsNull.
func TestFillNullsAtAnyPlace(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(11, 27))
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	for round := range 30 {
		var batches []arrow.Record
		var want []bool
		for range 1 + r.IntN(6) {
			n := 1 + r.IntN(100)
			if r.IntN(2) == 0 {
				n = 8 * (1 + r.IntN(12)) // whole bytes, the fast path
			}
			b := array.NewInt64Builder(memory.NewGoAllocator())
			for i := range n + 16 {
				if r.IntN(3) == 0 {
					b.AppendNull()
				} else {
					b.Append(int64(i))
				}
			}
			whole := b.NewArray()
			b.Release()
			off := 0
			if r.IntN(2) == 0 {
				off = r.IntN(16)
			}
			a := array.NewSlice(whole, int64(off), int64(off+n))
			whole.Release()
			for i := range n {
				want = append(want, a.IsNull(i))
			}
			batches = append(batches, array.NewRecord(schema, []arrow.Array{a}, int64(n)))
			a.Release()
		}
		f, err := NewTableFill(len(want))
		if err != nil {
			t.Fatal(err)
		}
		part, err := f.Part(0, len(want))
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range batches {
			if err := part.Append(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
		}
		tb, err := f.Finish()
		if err != nil {
			t.Fatal(err)
		}
		_, col, err := vec.ColumnByName(tb, "x")
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range want {
			if null, _ := vec.IsNull(col, i); null != w {
				t.Fatalf("round %d: row %d null %v, want %v", round, i, null, w)
			}
		}
		if err := cow.Check(tb); err != nil {
			t.Fatal(err)
		}
		cow.Release(&tb)
		f.Release()
	}
}
