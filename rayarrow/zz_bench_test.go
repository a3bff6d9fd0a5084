package rayarrow

import (
	"os"
	"testing"

	"github.com/raygo/ray/cow"
)

func BenchmarkZZFile(b *testing.B) {
	path := os.Getenv("PQFILE")
	if path == "" {
		b.Skip()
	}
	for b.Loop() {
		v, err := ReadParquet(path)
		if err != nil {
			b.Fatal(err)
		}
		cow.Release(&v)
	}
}
