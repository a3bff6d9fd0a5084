package handles

import (
	"sync"
	"testing"
)

func TestLastDropReturnsTheObject(t *testing.T) {
	before := Count()
	obj := new(int)
	id := Add(obj)
	for range 2 {
		if !Claim(id) {
			t.Fatal("Claim of a live entry failed")
		}
	}
	for range 2 {
		if _, last, ok := Drop(id); last || !ok {
			t.Fatalf("an early Drop: last %v ok %v", last, ok)
		}
	}
	got, last, ok := Drop(id)
	if !last || !ok || got != any(obj) || Count() != before {
		t.Fatalf("the last Drop: %v %v %v, %d entries (was %d)", got, last, ok, Count(), before)
	}
	if _, _, ok := Drop(id); ok || Claim(id) {
		t.Error("a dropped entry can still be dropped or claimed")
	}
	if _, ok := Get(0); ok {
		t.Error("id 0 names an entry")
	}
}

func TestClaimsFromManyGoroutines(t *testing.T) {
	id := Add("shared")
	const n = 64
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			Claim(id)
		}()
	}
	wg.Wait()
	lasts := 0
	var mu sync.Mutex
	for range n + 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, last, _ := Drop(id); last {
				mu.Lock()
				lasts++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if lasts != 1 {
		t.Errorf("%d drops were the last", lasts)
	}
}
