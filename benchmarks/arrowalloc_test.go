package benchmarks

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/rayarrow"
)

// BenchmarkArrowAllocator runs Arrow Go's builders on raygo's heap
// (rayarrow.Allocator, impl=raygo) and on Go's (memory.GoAllocator,
// impl=goalloc): building and releasing a 10M-row int64 array
// (op=int64) and a record batch of an int64, a float64 and a string
// column of 1M rows (op=record); and runtime.GC with 4 GiB of Arrow
// buffers live (256 MiB under -short; op=gclive, us/gc), where raygo's
// buffers are off the collector's heap; and an IPC stream read and
// imported into a raygo table (op=ipcimport, see below).
func BenchmarkArrowAllocator(b *testing.B) {
	allocators := []struct {
		name string
		mem  func() memory.Allocator
	}{
		{"raygo", func() memory.Allocator { return rayarrow.NewAllocator() }},
		{"goalloc", func() memory.Allocator { return memory.NewGoAllocator() }},
	}
	for _, a := range allocators {
		b.Run("op=int64/impl="+a.name, func(b *testing.B) {
			mem := a.mem()
			b.ReportAllocs()
			for b.Loop() {
				ib := array.NewInt64Builder(mem)
				for i := range 10_000_000 {
					ib.Append(int64(i))
				}
				arr := ib.NewArray()
				ib.Release()
				arr.Release()
			}
		})
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "px", Type: arrow.PrimitiveTypes.Float64},
		{Name: "name", Type: arrow.BinaryTypes.String},
	}, nil)
	names := make([]string, 1000)
	for i := range names {
		names[i] = fmt.Sprintf("instrument-%04d", i)
	}
	for _, a := range allocators {
		b.Run("op=record/impl="+a.name, func(b *testing.B) {
			mem := a.mem()
			b.ReportAllocs()
			for b.Loop() {
				rb := array.NewRecordBuilder(mem, schema)
				ids := rb.Field(0).(*array.Int64Builder)
				pxs := rb.Field(1).(*array.Float64Builder)
				strs := rb.Field(2).(*array.StringBuilder)
				for i := range 1_000_000 {
					ids.Append(int64(i))
					pxs.Append(float64(i) / 4)
					strs.Append(names[i%len(names)])
				}
				rec := rb.NewRecord()
				rb.Release()
				rec.Release()
			}
		})
	}
	// op=ipcimport: an IPC stream of 1M rows of int64 and float64 read by
	// Arrow Go's reader on the allocator, then rayarrow.ImportRecord: file
	// in, raygo table out. On raygo's heap the columns are adopted, on
	// Go's copied.
	ipcRec := func() []byte {
		s := arrow.NewSchema(schema.Fields()[:2], nil)
		rb := array.NewRecordBuilder(memory.NewGoAllocator(), s)
		defer rb.Release()
		for i := range 1_000_000 {
			rb.Field(0).(*array.Int64Builder).Append(int64(i))
			rb.Field(1).(*array.Float64Builder).Append(float64(i) / 4)
		}
		rec := rb.NewRecord()
		defer rec.Release()
		var buf bytes.Buffer
		w := ipc.NewWriter(&buf, ipc.WithSchema(s))
		if err := w.Write(rec); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		return buf.Bytes()
	}()
	for _, a := range allocators {
		b.Run("op=ipcimport/impl="+a.name, func(b *testing.B) {
			mem := a.mem()
			b.SetBytes(int64(len(ipcRec)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := ipc.NewReader(bytes.NewReader(ipcRec), ipc.WithAllocator(mem))
				if err != nil {
					b.Fatal(err)
				}
				for r.Next() {
					t, err := rayarrow.ImportRecord(r.Record())
					if err != nil {
						b.Fatal(err)
					}
					cow.Release(&t)
				}
				r.Release()
			}
		})
	}
	total := 4 << 30
	if testing.Short() {
		total = 256 << 20
	}
	const bufBytes = 64 << 20
	for _, a := range allocators {
		b.Run(fmt.Sprintf("op=gclive/impl=%s/GiB=%g", a.name, float64(total)/(1<<30)), func(b *testing.B) {
			mem := a.mem()
			bufs := make([]*memory.Buffer, total/bufBytes)
			for i := range bufs {
				bufs[i] = memory.NewResizableBuffer(mem)
				bufs[i].Resize(bufBytes)
			}
			runtime.GC()
			var elapsed time.Duration
			for b.Loop() {
				start := time.Now()
				runtime.GC()
				elapsed += time.Since(start)
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(elapsed.Microseconds())/float64(b.N), "us/gc")
			b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MiB-goheap")
			for _, buf := range bufs {
				buf.Release()
			}
		})
	}
}
