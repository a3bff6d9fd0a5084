package rayarrow

import (
	"math"
	"slices"
	"sync"
	"testing"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func int64Array(mem memory.Allocator, n int) *array.Int64 {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	for i := range n {
		b.Append(int64(i*i - 500))
	}
	return b.NewInt64Array()
}

func elemsOf[T int64 | float64 | int32 | int16 | uint8](t *testing.T, v value.V) []T {
	t.Helper()
	xs, err := vec.Elems[T](v)
	if err != nil {
		t.Fatal(err)
	}
	return xs
}

// An array built on the Allocator is imported without a copy: the vector
// reads Arrow's buffer itself, and either side may let go first.
func TestImportAdoptsAllocatorBuffers(t *testing.T) {
	for _, arrowFirst := range []bool{true, false} {
		heaptest.Check(t)
		raw := NewAllocator()
		mem := memory.NewCheckedAllocator(raw)
		arr := int64Array(mem, 1000)
		want := slices.Clone(arr.Int64Values())
		v, err := Import(arr)
		if err != nil {
			t.Fatal(err)
		}
		xs := elemsOf[int64](t, v)
		if !attrs.IsSlice(v) || &xs[0] != &arr.Int64Values()[0] {
			t.Fatalf("not adopted: slice %v, same memory %v", attrs.IsSlice(v), &xs[0] == &arr.Int64Values()[0])
		}
		if err := cow.Check(v); err != nil {
			t.Fatal(err)
		}
		if arrowFirst {
			arr.Release()
			mem.AssertSize(t, 0) // Arrow's view: its buffers are given back
			if !slices.Equal(elemsOf[int64](t, v), want) {
				t.Fatal("the vector's rows changed when Arrow let go")
			}
			if err := heap.Verify(); err != nil {
				t.Fatal(err)
			}
			cow.Release(&v)
		} else {
			cow.Release(&v)
			if !slices.Equal(arr.Int64Values(), want) {
				t.Fatal("Arrow's values changed when raygo let go")
			}
			arr.Release()
			mem.AssertSize(t, 0)
		}
	}
}

// Each fixed-width type that has raygo's layout is adopted, a sliced array
// at its offset; an array with nulls, a bit-packed BOOL, a timestamp in
// another unit and an array of Go's allocator are copied; a buffer adopted
// as one type and imported as another is copied.
func TestImportAdoptsOnlyWhatItCan(t *testing.T) {
	heaptest.Check(t)
	mem := NewAllocator()
	arr := int64Array(mem, 300)
	defer arr.Release()
	sl := array.NewSlice(arr, 17, 117).(*array.Int64)
	defer sl.Release()

	build := func(dt arrow.DataType, vals ...string) arrow.Array {
		b := array.NewBuilder(mem, dt)
		defer b.Release()
		for _, s := range vals {
			if s == "null" {
				b.AppendNull()
				continue
			}
			if err := b.AppendValueFromString(s); err != nil {
				t.Fatal(err)
			}
		}
		return b.NewArray()
	}
	tsNs := &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}
	tsMs := &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	goArr := int64Array(memory.NewGoAllocator(), 10)
	defer goArr.Release()
	for _, tc := range []struct {
		name    string
		a       arrow.Array
		adopted bool
	}{
		{"int64 slice", sl, true},
		{"uint8", build(arrow.PrimitiveTypes.Uint8, "1", "2", "255"), true},
		{"int16", build(arrow.PrimitiveTypes.Int16, "-1", "2"), true},
		{"int32", build(arrow.PrimitiveTypes.Int32, "-1", "7"), true},
		{"float32", build(arrow.PrimitiveTypes.Float32, "1.5", "-2"), true},
		{"float64", build(arrow.PrimitiveTypes.Float64, "1.5", "NaN"), true},
		{"date32", build(arrow.FixedWidthTypes.Date32, "2026-12-05"), true},
		{"timestamp ns", build(tsNs, "2026-12-05T10:00:00Z"), true},
		{"timestamp ms", build(tsMs, "2026-12-05T10:00:00Z"), false},
		{"int64 with a null", build(arrow.PrimitiveTypes.Int64, "1", "null", "3"), false},
		{"bool", build(arrow.FixedWidthTypes.Boolean, "true", "false"), false},
		{"Go's memory", goArr, false},
	} {
		v, err := Import(tc.a)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if attrs.IsSlice(v) != tc.adopted {
			t.Errorf("%s: adopted %v, want %v", tc.name, attrs.IsSlice(v), tc.adopted)
		}
		for i := range tc.a.Len() {
			got, _ := vec.RowAtom(v, i)
			if s := arrowString(tc.a, i); value.IsNull(got) != tc.a.IsNull(i) || !tc.a.IsNull(i) && s != "" && !sameRow(t, got, tc.a, i) {
				t.Errorf("%s: row %d is %v, Arrow's %s", tc.name, i, got, s)
			}
			cow.Release(&got)
		}
		if err := cow.Check(v); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		cow.Release(&v)
		if tc.a != sl && tc.a != goArr {
			tc.a.Release()
		}
	}
	// The int64 buffer, adopted above, read as float64 bits: copied.
	d := array.NewData(arrow.PrimitiveTypes.Float64, arr.Len(), arr.Data().Buffers(), nil, 0, 0)
	defer d.Release()
	f := array.NewFloat64Data(d)
	defer f.Release()
	v, err := Import(f)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&v)
	if attrs.IsSlice(v) || math.Float64bits(elemsOf[float64](t, v)[3]) != uint64(arr.Value(3)) {
		t.Error("a buffer adopted as I64 was adopted again as F64, or its bits were lost")
	}
}

func arrowString(a arrow.Array, i int) string { return a.ValueStr(i) }

// sameRow compares row i of Arrow's array with raygo's atom through the
// values both hold.
func sameRow(t *testing.T, atom value.V, a arrow.Array, i int) bool {
	t.Helper()
	switch a := a.(type) {
	case *array.Int64:
		x, _ := value.AsI64(atom)
		return x == a.Value(i)
	case *array.Uint8:
		x, _ := value.AsU8(atom)
		return x == a.Value(i)
	case *array.Int16:
		x, _ := value.AsI16(atom)
		return x == a.Value(i)
	case *array.Int32:
		x, _ := value.AsI32(atom)
		return x == a.Value(i)
	case *array.Float32:
		x, _ := value.AsF32(atom)
		return x == a.Value(i)
	case *array.Float64:
		x, _ := value.AsF64(atom)
		return x == a.Value(i) || math.IsNaN(x) && math.IsNaN(a.Value(i))
	}
	return true // dates and timestamps: the round trip tests cover their units
}

// Arrow growing a buffer a vector adopted moves it to a new block and
// leaves the vector's rows where they are.
func TestReallocateAnAdoptedBuffer(t *testing.T) {
	heaptest.Check(t)
	mem := NewAllocator()
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(8 * 100)
	xs := unsafe.Slice((*int64)(unsafe.Pointer(&buf.Bytes()[0])), 100)
	for i := range xs {
		xs[i] = int64(i)
	}
	d := array.NewData(arrow.PrimitiveTypes.Int64, 100, []*memory.Buffer{nil, buf}, nil, 0, 0)
	arr := array.NewInt64Data(d)
	d.Release()
	v, err := Import(arr)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&v)
	if !attrs.IsSlice(v) {
		t.Fatal("not adopted")
	}
	before := &buf.Bytes()[0]
	buf.Resize(1 << 20) // in place if the heap could: it must not
	if &buf.Bytes()[0] == before {
		t.Error("a buffer a vector reads was grown in place")
	}
	if got := elemsOf[int64](t, v); got[99] != 99 || got[0] != 0 {
		t.Errorf("the vector's rows moved: %d %d", got[0], got[99])
	}
	arr.Release()
	buf.Release()
	if mem.Allocated() != 0 {
		t.Errorf("%d bytes allocated", mem.Allocated())
	}
	if err := cow.Check(v); err != nil {
		t.Fatal(err)
	}
}

// Goroutines import and release the same arrays at once while Arrow
// releases them: heap.Verify and cow.Check stay quiet (run under -race).
func TestAdoptConcurrently(t *testing.T) {
	heaptest.Check(t)
	mem := NewAllocator()
	for round := range 20 {
		arr := int64Array(mem, 500+round)
		var wg sync.WaitGroup
		for range 4 {
			arr.Retain()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer arr.Release()
				for range 10 {
					v, err := Import(arr)
					if err != nil {
						t.Error(err)
						return
					}
					if err := cow.Check(v); err != nil {
						t.Error(err)
					}
					cow.Release(&v)
				}
			}()
		}
		arr.Release()
		wg.Wait()
		if err := heap.Verify(); err != nil {
			t.Fatal(err)
		}
	}
	if mem.Allocated() != 0 {
		t.Errorf("%d bytes allocated", mem.Allocated())
	}
}
