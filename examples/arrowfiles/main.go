// Command arrowfiles builds a raygo table, hands it to Apache Arrow without
// copying, and writes it as an Arrow IPC file (Feather v2) and as Parquet,
// then reads both back.
//
//	go run ./examples/arrowfiles [dir]
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func main() {
	log.SetFlags(0)
	dir := os.TempDir()
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	check := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}

	t, err := vec.NewTable()
	check(err)
	defer cow.Release(&t)
	sym, err := vec.FromSyms([]string{"AAPL", "MSFT", "AAPL", "NVDA"})
	check(err)
	px, err := vec.FromSlice(value.F64, []float64{189.5, 402, 190.25, 131.5})
	check(err)
	check(vec.SetNull(&px, 3, true))
	note, err := vec.FromStrings([]string{"open", "", "a note longer than twelve bytes", "close"})
	check(err)
	for _, c := range []struct {
		name string
		v    value.V
	}{{"sym", sym}, {"px", px}, {"note", note}} {
		check(vec.AddColumn(&t, c.name, c.v))
		cow.Release(&c.v)
	}

	rec, err := rayarrow.ExportRecord(t) // no copy: Arrow reads raygo's memory
	check(err)
	fmt.Println("as an Arrow record:")
	for i, col := range rec.Columns() {
		fmt.Printf("  %-5s %-24v %v\n", rec.ColumnName(i), col.DataType(), col)
	}
	rec.Release()

	ipcPath := filepath.Join(dir, "raygo-example.arrow")
	pqPath := filepath.Join(dir, "raygo-example.parquet")
	check(rayarrow.WriteIPCFile(ipcPath, rayarrow.Zstd, t))
	check(rayarrow.WriteParquet(pqPath, t))
	fmt.Println("wrote", ipcPath, "and", pqPath)

	back, err := rayarrow.ReadIPCFile(ipcPath)
	check(err)
	fmt.Println("read back from IPC:", vec.Schema(back[0]))
	for i := range back {
		cow.Release(&back[i])
	}
	pq, err := rayarrow.ReadParquet(pqPath)
	check(err)
	fmt.Println("read back from Parquet:", vec.Schema(pq))
	cow.Release(&pq)
}
