//go:build race

package heap

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/raygo/ray/internal/offheap"
)

// Under the race detector, pools are Go memory (vm_gomem.go), so an
// unsynchronised write to a block from two goroutines is a reported race,
// as it would be for a Go slice. The racy program runs in a child process,
// since a detected race fails the test that ran it.
func TestRaceDetectorSeesHeapBlocks(t *testing.T) {
	if os.Getenv("RAYGO_RACY_CHILD") == "1" {
		p := mustAlloc(t, 64)
		d := offheap.Bytes(uintptr(p)+HeaderSize, 8)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d[0] = byte(i) // unsynchronised: a data race
			}()
		}
		wg.Wait()
		Free(p)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRaceDetectorSeesHeapBlocks$", "-test.count=1")
	cmd.Env = append(os.Environ(), "RAYGO_RACY_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "WARNING: DATA RACE") {
		t.Fatalf("a racy write to a heap block went unreported (%v):\n%s", err, out)
	}
}
