//go:build cgo && raycdata

package rayarrow

import (
	"github.com/apache/arrow/go/v17/arrow/cdata"

	"github.com/raygo/ray/value"
)

// The Arrow C Data Interface hands columns to C, Python (pyarrow), Rust or
// DuckDB in the same process without copying. It needs cgo and the build
// tag raycdata (so that builds without it do not compile Arrow's cgo code).
// Handing raygo's memory to C is legal under cgo's rules: it is not Go
// memory, and it holds no Go pointer.

// ExportC exports table t through the C Data Interface: out and outSchema
// (allocated by the caller, typically on the C side) describe the columns
// over raygo's own memory. The consumer calls the C release callbacks when
// done; until then the columns stay alive whatever raygo does with t.
func ExportC(t value.V, out *cdata.CArrowArray, outSchema *cdata.CArrowSchema) error {
	rec, err := ExportRecord(t)
	if err != nil {
		return err
	}
	defer rec.Release()
	cdata.ExportArrowRecordBatch(rec, out, outSchema)
	return nil
}
