package value_test

import (
	"fmt"
	"time"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
)

func Example() {
	v, err := value.NewI64(42)
	if err != nil {
		panic(err)
	}
	defer cow.Release(&v)
	x, _ := value.AsI64(v)
	fmt.Println(v.Type(), x, v)

	s, _ := value.NewStr("off the Go heap")
	defer cow.Release(&s)
	fmt.Println(s)

	d, _ := value.DateOf(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	dv, _ := value.NewDate(d)
	defer cow.Release(&dv)
	fmt.Println(d, dv)
	// Output:
	// -I64 42 42
	// "off the Go heap"
	// 20784 2026-11-27
}

func ExampleIntern() {
	a, _ := value.Intern("example.price")
	b, _ := value.Intern("example.price")
	name, _ := value.SymName(a)
	fmt.Println(a == b, name)
	// Output: true example.price
}
