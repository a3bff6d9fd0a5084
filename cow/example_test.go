package cow_test

import (
	"fmt"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
)

func Example() {
	v, _ := value.NewStr("shared")
	defer cow.Release(&v) // releases whatever v holds when the function returns

	w := cow.Retain(v) // a second owner of the same value
	fmt.Println("the same value:", w.Same(v))

	// w is shared, so making it mutable copies it and drops w's reference
	// to the original.
	if err := cow.Cow(&w); err != nil {
		panic(err)
	}
	fmt.Println("after Cow, the same value:", w.Same(v))
	cow.Release(&w)
	fmt.Println("released handle is zero:", w.IsZero())
	// Output:
	// the same value: true
	// after Cow, the same value: false
	// released handle is zero: true
}
