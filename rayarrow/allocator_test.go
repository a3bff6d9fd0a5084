package rayarrow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap"
	"github.com/raygo/ray/heap/heaptest"
)

// Arrow's builders, IPC reader and Parquet reader run on the Allocator
// under Arrow's own leak check: every buffer is 64-byte aligned, lives in
// raygo's heap, and is given back when Arrow releases it.
func TestAllocatorUnderArrowsLeakCheck(t *testing.T) {
	heaptest.Check(t)
	raw := NewAllocator()
	mem := memory.NewCheckedAllocator(raw)
	defer mem.AssertSize(t, 0)
	before := heap.ReadStats().LiveBytes

	rec := typedRecord(t, 5000) // Go's allocator: the input
	defer rec.Release()
	// Built by Arrow's builders on raygo's heap.
	b := array.NewRecordBuilder(mem, rec.Schema())
	for c := range int(rec.NumCols()) {
		for i := range int(rec.NumRows()) {
			if err := b.Field(c).AppendValueFromString(rec.Column(c).ValueStr(i)); err != nil {
				t.Fatalf("column %d row %d: %v", c, i, err)
			}
		}
	}
	built := b.NewRecord()
	b.Release()
	if heap.ReadStats().LiveBytes <= before || raw.Allocated() == 0 {
		t.Errorf("the builders' buffers are not in the heap: %d live bytes, %d allocated", heap.ReadStats().LiveBytes-before, raw.Allocated())
	}
	for _, col := range built.Columns() {
		for _, buf := range col.Data().Buffers() {
			if buf != nil && buf.Len() > 0 && uintptr(unsafe.Pointer(unsafe.SliceData(buf.Bytes())))%64 != 0 {
				t.Errorf("a %v buffer at %p is not 64-byte aligned", col.DataType(), unsafe.SliceData(buf.Bytes()))
			}
		}
	}
	// Through an IPC stream read back on it.
	var stream bytes.Buffer
	w := ipc.NewWriter(&stream, ipc.WithSchema(built.Schema()), ipc.WithAllocator(mem))
	if err := w.Write(built); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rd, err := ipc.NewReader(&stream, ipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	for rd.Next() {
		if !array.RecordApproxEqual(rd.Record(), built, array.WithNaNsEqual(true)) {
			t.Error("the IPC stream read back differs")
		}
	}
	rd.Release()
	// A Parquet file read by Arrow Go's reader on it.
	var pq bytes.Buffer
	tb := writeTable(t, 3000)
	defer cow.Release(&tb)
	if err := WriteParquetTo(&pq, tb); err != nil {
		t.Fatal(err)
	}
	pf, err := file.NewParquetReader(bytes.NewReader(pq.Bytes()), file.WithReadProps(nil))
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1000}, mem)
	if err != nil {
		t.Fatal(err)
	}
	table, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if table.NumRows() != 3000 {
		t.Errorf("%d rows read", table.NumRows())
	}
	table.Release()
	pf.Close()
	built.Release()
	if n := raw.Allocated(); n != 0 {
		t.Errorf("%d bytes still allocated", n)
	}
	if err := heap.Verify(); err != nil {
		t.Fatal(err)
	}
}

// Allocate, Reallocate and Free keep the bytes, zero what they add, and
// account for every byte.
func TestAllocatorReallocates(t *testing.T) {
	heaptest.Check(t)
	a := NewAllocator()
	if b := a.Allocate(0); len(b) != 0 {
		t.Errorf("Allocate(0) = %d bytes", len(b))
	}
	b := a.Allocate(100)
	for i := range b {
		if b[i] != 0 {
			t.Fatalf("byte %d of a new buffer is %d", i, b[i])
		}
		b[i] = byte(i)
	}
	kept := 100 // bytes still holding byte(i)
	for _, size := range []int{200, 50, 5000, 1 << 20, 10} {
		old := len(b)
		b = a.Reallocate(size, b)
		if len(b) != size || a.Allocated() != int64(size) {
			t.Fatalf("Reallocate(%d): %d bytes, %d allocated", size, len(b), a.Allocated())
		}
		kept = min(kept, size)
		for i := range kept {
			if b[i] != byte(i) {
				t.Fatalf("after Reallocate(%d), byte %d is %d", size, i, b[i])
			}
		}
		for i := max(old, kept); i < size; i++ {
			if b[i] != 0 {
				t.Fatalf("after Reallocate(%d), added byte %d is %d", size, i, b[i])
			}
		}
		if uintptr(unsafe.Pointer(unsafe.SliceData(b)))%64 != 0 {
			t.Fatalf("after Reallocate(%d), the buffer is not 64-byte aligned", size)
		}
		for i := kept; i < size; i++ {
			b[i] = 0xAB // dirty what a later shrink and growth must zero
		}
	}
	a.Free(b)
	if a.Allocated() != 0 {
		t.Errorf("%d bytes allocated after Free", a.Allocated())
	}
	a.Free(a.Reallocate(64, nil))
}

// Past the heap's budget an Arrow builder panics with the heap's ErrLimit,
// which the recover pattern turns into an error, and the heap stays
// consistent: everything the builder had is given back when it is
// released.
func TestAllocatorPastTheBudget(t *testing.T) {
	heaptest.Check(t)
	a := NewAllocator()
	_, reserved := heap.Budget()
	old := heap.SetBudget(reserved + 8<<20)
	defer heap.SetBudget(old)
	b := array.NewInt64Builder(a)
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				re, ok := r.(*ray.Error)
				if !ok {
					panic(r)
				}
				err = re
			}
		}()
		for i := range 10_000_000 {
			b.Append(int64(i))
		}
		return nil
	}()
	if !errors.Is(err, ray.ErrLimit) {
		t.Errorf("%v, want ErrLimit", err)
	}
	if err := heap.Verify(); err != nil {
		t.Fatal(err)
	}
	b.Release()
	if n := a.Allocated(); n != 0 {
		t.Errorf("%d bytes allocated after the builder's release", n)
	}
}

func ExampleAllocator() {
	mem := NewAllocator()
	b := array.NewInt64Builder(mem) // its buffers are raygo heap blocks
	b.AppendValues([]int64{1, 2, 3}, nil)
	arr := b.NewInt64Array()
	b.Release()
	fmt.Println(arr, mem.Allocated() > 0)
	arr.Release()
	fmt.Println(mem.Allocated())
	// Output:
	// [1 2 3] true
	// 0
}

var _ arrow.Array = (*array.Int64)(nil)
