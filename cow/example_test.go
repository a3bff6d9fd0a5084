package cow_test

import (
	"fmt"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
)

func Example() {
	v, _ := value.NewStr("shared")
	defer cow.Release(&v) // releases whatever v holds when the function returns

	w := cow.Retain(v) // a second owner
	fmt.Println("rc", v.RC())

	// w is shared, so making it mutable copies it and drops w's reference
	// to the original.
	if err := cow.Cow(&w); err != nil {
		panic(err)
	}
	fmt.Println("copied:", w != v, "rc", v.RC(), w.RC())
	cow.Release(&w)
	fmt.Println("released handle is zero:", w.IsZero())
	// Output:
	// rc 2
	// copied: true rc 1 1
	// released handle is zero: true
}
