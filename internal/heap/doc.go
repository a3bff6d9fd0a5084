// Package heap implements raygo's memory: an allocator of blocks that live
// outside the Go heap, in memory raygo maps itself. The public package heap
// offers its allocator, budget, statistics and checks to engines; raygo's
// own packages import this one, which also gives them the header layout,
// file mappings and permanent blocks. Every raygo value is one block (or a
// few), so that however much data an engine holds, Go's garbage collector
// has nothing to scan, and Arrow can be handed the memory as it is.
//
// This comment is the heap's design; the other files point back to it.
//
// # Blocks and the header
//
// A block is 2^k bytes for an order k from MinOrder (6, 64 bytes) to
// MaxOrder (37), aligned to its size. It starts with the 32-byte Header of
// the C runtime's ray_t (ARCHITECTURE.md, "The value header"); data follows at HeaderSize. The order
// of a request is ceil(log2(size + 32)), so the header counts: 32 data bytes
// fit the minimum block, 33 need 128 bytes. The heap owns the order and
// mmod bytes of every header and, while a block is free, its first 16 bytes
// (free-list links); the value layer owns the rest and reads those two
// through Header.Order and Header.Mmod. The fields are unexported so that
// nothing else can write them: the heap writes them only on blocks no other
// goroutine can reach (one it is handing out, or one being freed, while
// pinned), which is what lets Verify read them beside running writers. A
// block never holds a Go pointer, and the heap never reads a live block's
// other bytes.
//
// Where a buddy block is, is written in its mmod byte:
//
//	MmodHeap (0)   live: allocated and not freed
//	mmodCached     freed into its heap's slab cache
//	mmodInbox      freed on another P, waiting in its owner's inbox
//	mmodFree       on a free list; order is its order; RC is 0
//	mmodRun        a run, carved into small blocks (see Runs)
//
// A live block's mmod is always 0, so Free refuses (panics on) a block in
// any other state: a double free is caught before it corrupts a list. A
// small block's state is its run's instead; freeing it writes only its
// reference count, to 0, so that a retain or release through a stale
// handle panics (RefCount) instead of counting on memory the run will hand
// out again.
//
// # Pools
//
// Blocks are carved from pools: mappings of 2^p bytes aligned to their own
// size. A standard pool is 32 MiB (PoolOrder 25) and serves every order
// below 25. A larger block, a big block, gets a big pool of twice its size
// (up to 2^38) to itself, in its upper half; big pools belong to no per-P
// heap but to process-wide lists, and a freed one stays mapped (up to 1 GiB
// of blocks) for the next big block of its order on any P (big.go).
// Self-alignment makes buddy arithmetic a XOR: the buddy of block b of order
// k is base + ((b - base) ^ 2^k).
//
// The first 128-byte block of each pool is its header (poolHeader): the
// owning heap's id and the pool order at the C runtime's offsets, links to
// the heap's other pools, and the run map (one bit per 64 KiB: is it a
// run). It is a live block as far as merging goes, so the largest free
// block of a pool is one order below the pool.
//
// Which pool holds an address is answered by the chunk table (tables.go):
// one word per 32 MiB of address space, naming the base and order of the
// pool covering it. One load finds the pool of any address, standard or
// big, without reading the block itself (the C runtime reads the word
// at the 32 MiB boundary below, which for a block placed there can be user
// data: ARCHITECTURE.md D8).
//
// The heap owns every mapping raygo makes, columns mapped from files
// included (MapFile, UnmapFile: mapfile.go). A pool is anonymous memory,
// advised to use transparent huge pages (columns are scanned end to end, and
// on a virtual machine a 4 KiB first-touch fault costs microseconds); when
// the kernel refuses it, the pool becomes a mapping of a file in the swap
// directory (SetSwapDir, $RAYGO_HEAP_SWAP, the OS temp dir by default),
// unlinked as soon as it is mapped so that unmapping the pool or a crash
// deletes it. A refused mapping with no usable swap directory is ErrOOM.
//
// # Runs
//
// Blocks of orders 6 to 10 (64 B to 1 KiB: atoms, short strings, small
// vectors) live in runs, as Go's small objects live in spans and
// mimalloc's in pages (run.go). A run is a 64 KiB buddy block of its
// heap, marked mmodRun, serving one order; its first 448 bytes hold the
// run header: the order, the state, a count of blocks in use, a live
// bitmap (one bit per slot; the header's slots are always set), and, on
// cache lines of their own, the fields other Ps write: a remote bitmap and
// the link of the heap's run inbox. Each heap has, per small order, a
// current run that allocations take from (the lowest free slot at a
// cursor), a list of partial runs with free slots, and full runs on no
// list; an empty run goes back to the buddy heap.
//
// Free finds a small block's run without reading the block: the chunk
// table gives the pool, the pool's run map says whether the 64 KiB around
// the address is a run, and the run header is at the address rounded down
// to 64 KiB. The slot must be past the header and aligned to the order, and
// its live bit set and remote bit clear, or Free panics (an interior
// pointer, a double free). The owner clears the live bit. Another P sets
// the remote bit with one atomic OR, having first queued the run on the
// owner's run inbox (a compare-and-swap, unless the run is queued already);
// the owner takes the bits back when it next needs a run of that order,
// or in a collection. The queuing comes first so that the block still
// counts as in use while the run is on no list the owner will look at; in
// turn, an owner that has emptied a queued run keeps it until it takes the
// run off its inbox: until then another P may still be about to set a bit
// in it (TestHandOffStress caught exactly that).
//
// Runs trade a little speed where one block is freed and allocated again
// at once (a bitmap instead of a stack) for memory locality where many
// small blocks are live: a free touches one run header line, not the
// block, and never walks a free list.
//
// Runs stop at 1 KiB because above it they lose, measured: serving 2 and
// 4 KiB blocks from 64 KiB runs (31 and 15 blocks a run) made
// BenchmarkRandomMix 20-40% slower. With so few blocks a run, random frees
// leave many runs with one or two free slots, so allocation changes its
// current run every few blocks; and the lowest free slot is a cold one,
// where a slab cache hands back the block a free has just touched.
//
// # Per-P heaps
//
// There is one heap (heapState) per P, as sync.Pool keeps one pool per P:
// Go has no thread-local storage, so a goroutine pins itself to its P
// (procPin, a few nanoseconds), uses the heap in its P's slot, and unpins.
// While pinned it cannot be preempted, so nothing else touches that heap:
// the fast paths take no lock and no atomic read-modify-write. While pinned
// a goroutine must not block, make a system call, allocate Go memory or
// panic; functions that need the heap this way end in Owned.
//
// Every pool belongs to one heap (its header says which), and only that
// heap's free lists hold the pool's free blocks. So coalescing only ever
// touches the owner's own lists, and a block's free buddy is recognised by
// its header alone (mmodFree and the same order: only the owner writes
// those bytes).
//
// Allocation, Alloc(size):
//
//  1. Pin. If the P's slot has no heap, unpin and get one (ensureHeap, under
//     the ctl mutex): a spare heap or a new one.
//  2. Take back the blocks other Ps freed into the heap's inbox, if any.
//     Spend budget credit (see Budget below); reserving more is an atomic
//     add on a global counter, no lock.
//  3. For a small order (up to 10), take the lowest free slot of the
//     current run, else another run (run.go). For larger orders, pop a
//     block from the slab cache of its order (orders 11..21), else take
//     the smallest free block of order >= k (the avail bitmask says which
//     lists are non-empty) and split it, pushing the upper halves onto the
//     lower lists.
//  4. Write the header (zero except Order and RC = 1), count, unpin.
//  5. If the heap had no block: merge the heaps a smaller GOMAXPROCS left
//     behind, if there are any; else unpin, map a pool, pin
//     again (possibly on another P), give the pool to that P's heap and
//     allocate from it.
//
// Big blocks (orders 25 and up) skip steps 2-3: they come from the
// process-wide cache of big pools, or a newly mapped one (big.go).
//
// Free, Free(p):
//
//  1. Find the pool in the chunk table; check that p is a live block
//     aligned to its order (panic otherwise, naming the address).
//  2. Pin. A small block goes back to its run (see Runs). If the P's heap
//     owns the pool: push the block onto the slab cache if it has room,
//     else merge it with its free buddies order by order and put the
//     result on a free list.
//  3. If another heap owns the pool: push the block onto that heap's inbox,
//     a lock-free stack (one compare-and-swap). The owner takes the whole
//     inbox with one atomic swap at its next allocation. A big block's
//     pool, owned by no heap, goes to the big-pool cache (or is unmapped
//     past its bound).
//  4. Count the free on the freeing P's heap, add the bytes to its credit,
//     unpin.
//
// # Collections
//
// Some work must touch heaps the caller does not own: GC (return inbox and
// slab blocks, merge retired heaps, unmap free pools), ReleasePages, Verify,
// and merging the heaps of Ps that GOMAXPROCS took away. A collection
// (collect.go) empties every slot, stops the world once (the world cannot
// stop while a goroutine is pinned, so after that no one is still using a
// detached heap), does its work as the owner of every heap, and puts the
// heaps back. Goroutines that find their slot empty meanwhile wait on ctl.
// Collections cost a stop-the-world and are for maintenance, not the fast
// path.
//
// A block freed into the inbox of a heap whose pool has since moved (a merge
// raced with the free) is passed on to the new owner when drained.
//
// # Budget and statistics
//
// A process-wide budget (SetBudget; default 80% of RAM or of the cgroup
// limit) caps the bytes of live blocks; an allocation past it fails with
// ErrLimit and Pressure tells engines when to spill. Heaps reserve budget
// in 4 MiB chunks and keep at most 8 MiB unspent, so the fast path does not
// touch the shared counter.
//
// Every heap counts its own allocations and frees, and a free is counted by
// the heap of the P that made it wherever the block goes, so the live
// totals (ReadStats, LiveBlocks) are exact at quiescence and cannot drift
// (ARCHITECTURE.md D10). Verify walks every pool and recomputes them. Blocks
// of process-wide tables (the symbol table, the NULL singleton) come from
// AllocPermanent and are counted apart, so leak checks do not see them.
//
// # Checks
//
// Cheap checks are always on and panic with the address and order: freeing
// an address in no pool, inside a block, or already free; a reference count
// released below zero. Verify checks every invariant on demand. Under the
// build tag raydebug, every block's allocation and free stacks are
// recorded, freed blocks are filled with 0xDB, and a double free or the free
// of a block never allocated panics with those stacks; heaptest.Check then
// names the allocation site of each leaked block. Also under raydebug, pin
// and unpin count how deep each P's goroutine is pinned and which heap its
// slot held when it pinned, and every …Owned function first checks that its
// caller is pinned to the heap it touches or that a collection holds every
// heap (debugOwned): the rule of "Per-P heaps", enforced.
//
// # The race detector
//
// The race detector watches only memory the Go runtime allocated, so under
// -race (or the raceheap build tag) pools and tables are large Go byte
// slices instead of mappings (vm_gomem.go), and every access to a block,
// a header or a heap's lists is checked. Pinning and collections order
// memory by means the detector does not see (a P runs one goroutine at a
// time; stopping the world waits for pinned sections), so pin and unpin
// acquire and release a per-P atomic, and a collection acquires them all.
// What the detector found is fixed: words other Ps read (the run map, a
// run's live and remote bitmaps, reference counts during Verify) are read
// atomically, and the owner's stores to a live bitmap are atomic under the
// detector only (a plain 64-bit store is single-copy atomic on every
// platform raygo runs on, and an atomic one costs an allocation a few
// nanoseconds). One race is benign and marked go:norace: coalescing reads a
// buddy's header that another P may be writing (freeBuddy says why the
// answer is right either way).
package heap
