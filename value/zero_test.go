package value_test

import (
	"errors"
	"testing"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

func TestLayoutFunctionsTakeNoValue(t *testing.T) {
	heaptest.Check(t)
	var z value.V
	if layout.DataSize(z) != 0 || layout.IndexChildren(z) != nil || layout.Slots(z, 2) != nil {
		t.Error("DataSize, IndexChildren or Slots of no value is not empty")
	}
	a, err := value.NewI64(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&a)
	if layout.IndexChildren(a) != nil || layout.Slots(a, 2) != nil {
		t.Error("an I64 atom has index children or slots")
	}
	if _, err := value.ErrorOf(nil); !errors.Is(err, ray.ErrType) {
		t.Errorf("ErrorOf(nil): %v, want ErrType", err)
	}
}
