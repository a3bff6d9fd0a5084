package value

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/internal/heap"
	"github.com/raygo/ray/internal/offheap"
)

// The symbol table interns names: each distinct name gets a dense id, in
// the order names were first interned, for the life of the process. SYM
// atoms and vectors hold ids; the store package saves the table so that ids
// mean the same in the next process.
//
// Everything lives off the Go heap in permanent blocks, which never move
// and are never freed, so the string SymName returns stays valid forever:
//
//   - each name is a record, its id and length (4 bytes each) then its
//     bytes, packed 8-byte aligned into 1 MiB chunks (a long name gets a
//     block of its own);
//   - ids map to records through pages of addresses, 4096 to a page, found
//     through a fixed array of page addresses;
//   - names map to ids through an open-addressing hash table of 32-byte
//     slots, at most half full, hashed with hash/maphash under a per-process
//     random seed so that no one can choose names that collide. A slot holds
//     16 bits of the hash, the name's length and id, and the name itself when
//     it is at most 24 bytes (most symbols: tickers, categories, field
//     names), else the address of its record. A lookup of a short name
//     touches one cache line of the table and nothing else.
//
// Lookups take no lock: they read the current table and the records with
// atomic loads. Interning a new name takes syms.mu, writes the record, then
// publishes the slot; growing the table builds a new one and publishes it
// whole. An old table is never freed (a reader may still be probing it),
// which costs at most as much memory again as the live table. A lookup that
// finds nothing retries under the lock, in case the table grew meanwhile.

const (
	symPageShift = 12
	symPageSize  = 1 << symPageShift
	maxSymPages  = 1 << 16
	// MaxSyms is the number of distinct symbols the table can hold.
	MaxSyms = maxSymPages * symPageSize

	symChunkSize = 1 << 20
	// MaxSymLen bounds a symbol's name.
	MaxSymLen = 1 << 24

	recordHeader = 8 // id and length, 4 bytes each

	inlineMax = 24     // names up to this length live in their slot
	longLen   = 0xFFFF // a slot's length field for names longer than inlineMax
)

// symSlot is one slot of the hash table. key is 0 for an empty slot, else
// the top 16 bits of the hash, the name's length (or longLen) in the next
// 16, and id + 1 in the low 32. It is written last, atomically, so that a
// reader that sees it sees the name too.
type symSlot struct {
	key  uint64
	name [inlineMax]byte // the name, or its record's address in the first 8 bytes
}

func slotKey(hash uint64, n int, id int64) uint64 {
	l := uint64(n)
	if n > inlineMax {
		l = longLen
	}
	return hash>>48<<48 | l<<32 | uint64(id+1)
}

var syms struct {
	seed  maphash.Seed
	count atomic.Int64 // symbols interned; every id below it is published
	pages [maxSymPages]atomic.Uintptr
	table atomic.Uintptr // the current hash table: a permanent block

	mu       sync.Mutex // serialises interning
	chunk    uintptr    // free space for records: [chunk, chunkEnd)
	chunkEnd uintptr
}

func init() { syms.seed = maphash.MakeSeed() }

// The hash table block: Word is the number of slots (a power of two), the
// data the slots.
func symEntries(t uintptr) []symSlot {
	n := heap.HeaderOf(offheap.Ptr(t)).Word
	return unsafe.Slice((*symSlot)(offheap.Ptr(t+heap.HeaderSize)), n)
}

// recordOf returns the address of symbol id's record.
func recordOf(id int64) uintptr {
	page := syms.pages[id>>symPageShift].Load()
	return *(*uintptr)(offheap.Ptr(page + uintptr(id&(symPageSize-1))*8))
}

func recordName(rec uintptr) string {
	n := *(*uint32)(offheap.Ptr(rec + 4))
	if n == 0 {
		return ""
	}
	return unsafe.String((*byte)(offheap.Ptr(rec+recordHeader)), n)
}

// find looks name up in table t; it returns -1 when it is not there.
func find(t uintptr, name string, hash uint64) int64 {
	if t == 0 {
		return -1
	}
	slots := symEntries(t)
	mask := uint64(len(slots) - 1)
	want := slotKey(hash, len(name), -1) &^ (1<<32 - 1) // tag and length
	for i := hash & mask; ; i = (i + 1) & mask {
		sl := &slots[i]
		k := atomic.LoadUint64(&sl.key)
		if k == 0 {
			return -1
		}
		if k&^(1<<32-1) != want {
			continue
		}
		id := int64(uint32(k)) - 1
		if len(name) <= inlineMax {
			if unsafe.String(&sl.name[0], len(name)) == name {
				return id
			}
		} else if recordName(*(*uintptr)(unsafe.Pointer(&sl.name[0]))) == name {
			return id
		}
	}
}

// SymID returns the id of name if it has been interned, without interning it.
func SymID(name string) (int64, bool) {
	hash := maphash.String(syms.seed, name)
	if id := find(syms.table.Load(), name, hash); id >= 0 {
		return id, true
	}
	syms.mu.Lock()
	defer syms.mu.Unlock()
	id := find(syms.table.Load(), name, hash)
	return id, id >= 0
}

// Intern returns the id of name, adding it to the table if it is new.
// Names longer than MaxSymLen are ErrLimit, as is a full table.
func Intern(name string) (int64, error) {
	hash := maphash.String(syms.seed, name)
	if id := find(syms.table.Load(), name, hash); id >= 0 {
		return id, nil
	}
	if len(name) > MaxSymLen {
		return -1, ray.Errorf(ray.ErrLimit, "value.Intern", "a symbol of %d bytes is longer than %d", len(name), MaxSymLen)
	}
	syms.mu.Lock()
	defer syms.mu.Unlock()
	if id := find(syms.table.Load(), name, hash); id >= 0 {
		return id, nil
	}
	return internLocked(name, hash)
}

// internLocked adds name, which is not in the table. syms.mu is held.
func internLocked(name string, hash uint64) (int64, error) {
	id := syms.count.Load()
	if id >= MaxSyms {
		return -1, ray.Errorf(ray.ErrLimit, "value.Intern", "the symbol table is full (%d symbols)", MaxSyms)
	}
	// Make room first, so that a failure leaves the table as it was.
	t := syms.table.Load()
	if t == 0 || 2*(id+1) > int64(len(symEntries(t))) {
		nt, err := growTableLocked(t)
		if err != nil {
			return -1, err
		}
		t = nt
	}
	if id&(symPageSize-1) == 0 && syms.pages[id>>symPageShift].Load() == 0 {
		p, err := heap.AllocPermanent(symPageSize * 8)
		if err != nil {
			return -1, err
		}
		markArena(p)
		syms.pages[id>>symPageShift].Store(uintptr(p) + heap.HeaderSize)
	}
	rec, err := storeRecordLocked(name, id)
	if err != nil {
		return -1, err
	}
	*(*uintptr)(offheap.Ptr(syms.pages[id>>symPageShift].Load() + uintptr(id&(symPageSize-1))*8)) = rec
	insertSlot(t, hash, name, id, rec)
	syms.count.Store(id + 1)
	return id, nil
}

// insertSlot publishes symbol id, whose record is rec, in table t.
func insertSlot(t uintptr, hash uint64, name string, id int64, rec uintptr) {
	slots := symEntries(t)
	mask := uint64(len(slots) - 1)
	i := hash & mask
	for atomic.LoadUint64(&slots[i].key) != 0 {
		i = (i + 1) & mask
	}
	sl := &slots[i]
	if len(name) <= inlineMax {
		copy(sl.name[:], name)
	} else {
		*(*uintptr)(unsafe.Pointer(&sl.name[0])) = rec
	}
	atomic.StoreUint64(&sl.key, slotKey(hash, len(name), id))
}

// growTableLocked builds a table twice the size of t holding every symbol,
// and publishes it.
func growTableLocked(t uintptr) (uintptr, error) {
	n := 1 << 10
	if t != 0 {
		n = 2 * len(symEntries(t))
	}
	p, err := heap.AllocPermanent(uintptr(n) * unsafe.Sizeof(symSlot{}))
	if err != nil {
		return 0, err
	}
	markArena(p)
	nt := uintptr(p)
	heap.HeaderOf(p).Word = uint64(n)
	clear(symEntries(nt))
	for id := range syms.count.Load() {
		rec := recordOf(id)
		name := recordName(rec)
		insertSlot(nt, maphash.String(syms.seed, name), name, id, rec)
	}
	syms.table.Store(nt)
	return nt, nil
}

// storeRecordLocked writes the record of symbol id and returns its address.
func storeRecordLocked(name string, id int64) (uintptr, error) {
	n := (recordHeader + uintptr(len(name)) + 7) &^ 7
	var rec uintptr
	if n > symChunkSize/16 {
		p, err := heap.AllocPermanent(n)
		if err != nil {
			return 0, err
		}
		markArena(p)
		rec = uintptr(p) + heap.HeaderSize
	} else {
		if syms.chunkEnd-syms.chunk < n {
			p, err := heap.AllocPermanent(symChunkSize)
			if err != nil {
				return 0, err
			}
			markArena(p)
			syms.chunk = uintptr(p) + heap.HeaderSize
			syms.chunkEnd = syms.chunk + symChunkSize
		}
		rec = syms.chunk
		syms.chunk += n
	}
	*(*uint32)(offheap.Ptr(rec)) = uint32(id)
	*(*uint32)(offheap.Ptr(rec + 4)) = uint32(len(name))
	copy(offheap.Bytes(rec+recordHeader, uintptr(len(name))), name)
	return rec, nil
}

// markArena makes a permanent block a U8 vector with the ARENA attribute, so
// that anything that meets it knows it is neither counted nor freed.
func markArena(p unsafe.Pointer) {
	h := heap.HeaderOf(p)
	h.Type = int8(U8)
	h.Attrs = attrbits.Arena
}

// SymName returns the name of symbol id. The string points into the
// table's permanent memory: it is never copied, moved or freed.
func SymName(id int64) (string, bool) {
	if id < 0 || id >= syms.count.Load() {
		return "", false
	}
	return recordName(recordOf(id)), true
}

// SymCount returns the number of symbols interned.
func SymCount() int64 { return syms.count.Load() }
