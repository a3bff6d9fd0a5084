// Package handles is the table through which a value owns a Go object
// without a Go pointer entering off-heap memory: a handle atom's payload
// is the id of an entry here (value.NewHandle makes one). An entry counts
// the atoms that claim it; the last one to let go gets the object back, to
// close it. Package value creates entries and reads them, package cow
// claims and drops them as atoms are copied and freed.
//
// The lock is held only around map operations, which cannot panic, so a
// panic elsewhere never leaves it held.
package handles

import (
	"sync"
	"sync/atomic"
)

type entry struct {
	obj    any
	claims atomic.Int64
}

var table struct {
	sync.RWMutex
	next    uint64
	entries map[uint64]*entry
}

// Add enters obj with one claim and returns its id (never 0).
func Add(obj any) uint64 {
	e := &entry{obj: obj}
	e.claims.Store(1)
	table.Lock()
	defer table.Unlock()
	if table.entries == nil {
		table.entries = make(map[uint64]*entry)
	}
	table.next++
	table.entries[table.next] = e
	return table.next
}

func lookup(id uint64) *entry {
	table.RLock()
	defer table.RUnlock()
	return table.entries[id]
}

// Get returns the object of entry id; ok is false when there is none.
func Get(id uint64) (obj any, ok bool) {
	e := lookup(id)
	if e == nil {
		return nil, false
	}
	return e.obj, true
}

// Claim adds a claim to entry id; it reports false when there is none.
func Claim(id uint64) bool {
	e := lookup(id)
	if e == nil {
		return false
	}
	e.claims.Add(1)
	return true
}

// Drop removes a claim from entry id. When it was the last, the entry
// leaves the table and Drop returns its object with last set, for the
// caller to close. ok is false when there is no entry id.
func Drop(id uint64) (obj any, last, ok bool) {
	e := lookup(id)
	if e == nil {
		return nil, false, false
	}
	if e.claims.Add(-1) > 0 {
		return nil, false, true
	}
	table.Lock()
	delete(table.entries, id)
	table.Unlock()
	return e.obj, true, true
}

// Count returns the number of entries, for leak checks.
func Count() int {
	table.RLock()
	defer table.RUnlock()
	return len(table.entries)
}
