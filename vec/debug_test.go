//go:build raydebug

package vec

import (
	"fmt"
	"strings"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
)

func TestUseAfterReleaseIsReportedWithStacks(t *testing.T) {
	heaptest.Check(t)
	for name, use := range map[string]func(value.V){
		"Get":    func(v value.V) { _, _ = Get[int64](v, 0) },
		"Append": func(v value.V) { _ = Append(&v, int64(1)) },
		"Len":    func(v value.V) { _ = v.Len() },
	} {
		v := must(FromSlice(value.I64, []int64{1, 2}))
		stale := v
		cow.Release(&v)
		func() {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, "after it was freed") || !strings.Contains(msg, "allocated at:") || !strings.Contains(msg, "freed at:") {
					t.Errorf("%s through a released handle: %s", name, msg)
				}
			}()
			use(stale)
		}()
	}
}
