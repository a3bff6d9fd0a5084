package main

import (
	"fmt"
	"log"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// vectors builds two small tables, links one to the other and follows the
// link: the shape of a star schema, all of it off the Go heap.
func vectors() {
	check := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	// A dimension table of instruments, bound by name so links can find it.
	names, err := vec.FromSyms([]string{"AAPL", "MSFT", "NVDA"})
	check(err)
	desc, err := vec.FromStrings([]string{"Apple", "Microsoft Corporation", "NVIDIA"})
	check(err)
	instruments, err := vec.NewTable()
	check(err)
	check(vec.AddColumn(&instruments, "sym", names))
	check(vec.AddColumn(&instruments, "name", desc))
	cow.Release(&names)
	cow.Release(&desc)
	check(vec.Bind("instruments", instruments))
	defer vec.Unbind("instruments")
	cow.Release(&instruments)

	// A fact column of trades: which instrument (a link), and a price.
	inst, err := vec.FromSlice(value.I64, []int64{0, 2, 1, 2, 7})
	check(err)
	defer cow.Release(&inst)
	check(vec.Link(&inst, "instruments"))
	px, err := vec.New(value.F64, 0)
	check(err)
	defer cow.Release(&px)
	a, err := vec.NewAppender[float64](&px)
	check(err)
	for _, p := range []float64{189.5, 131.25, 402.0, 131.5, 1} {
		check(a.Append(p))
	}
	check(vec.SetNull(&px, 4, true)) // a trade without a price

	// Follow the link: row 4 points outside the table, so it is null.
	who, err := vec.Deref(inst, "name")
	check(err)
	defer cow.Release(&who)
	for i := range int(px.Len()) {
		name, _ := vec.GetStr(who, i)
		if null, _ := vec.IsNull(who, i); null {
			name = "(no instrument)"
		}
		p, _ := vec.Get[float64](px, i)
		if null, _ := vec.IsNull(px, i); null {
			fmt.Printf("  trade %d: %-22s  no price\n", i, name)
			continue
		}
		fmt.Printf("  trade %d: %-22s  %8.2f\n", i, name, p)
	}

	// An O(1) slice, and copy-on-write when it is written.
	last, err := vec.Slice(px, 1, 3)
	check(err)
	defer cow.Release(&last)
	check(vec.Set(&last, 0, 0.0))
	orig, _ := vec.Get[float64](px, 1)
	fmt.Printf("writing a slice copied it: the column still holds %.2f\n", orig)
}
