//go:build cgo && raycdata

package rayarrow

import (
	"testing"

	"github.com/apache/arrow/go/v17/arrow/cdata"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
)

func TestExportC(t *testing.T) {
	heaptest.Check(t)
	tb := sampleTable(t)
	want := tableRows(t, tb)
	var arr cdata.CArrowArray
	var sch cdata.CArrowSchema
	if err := ExportC(tb, &arr, &sch); err != nil {
		t.Fatal(err)
	}
	cow.Release(&tb) // the C side keeps the columns alive
	rec, err := cdata.ImportCRecordBatch(&arr, &sch)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ImportRecord(rec)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&back)
	if got := tableRows(t, back); got != want {
		t.Errorf("through the C Data Interface: %s, want %s", got, want)
	}
}
