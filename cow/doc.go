// Package cow is raygo's ownership: reference counts, release, and
// copy-on-write.
//
// Every value's block counts its references (header bytes 20..23, atomic,
// so values may be shared by goroutines). Whoever holds a V either owns one
// of those references or borrows one for the length of a call:
//
//   - constructors hand the caller a reference;
//   - Retain adds one, for a second owner;
//   - Release gives one back and zeroes the caller's handle (the C runtime's
//     ray_t** convention: defer cow.Release(&v) releases whatever v holds at
//     return, and a released handle cannot be used by mistake); the last
//     release frees the block after releasing everything it owns;
//   - Cow makes the caller's handle safe to mutate: the value itself when
//     the caller holds the only reference, otherwise a shallow copy, which
//     then owns references to the same children.
//
// The lifecycle of a block, as the heap and this package see it:
//
//	allocated (rc 1) ─Retain→ shared (rc n > 1) ─Release→ ... ─→ rc 1
//	rc 1 ─Release→ children released, handle closed, block freed (rc 0)
//	shared ─Cow→ the caller gets a private copy (rc 1), the original keeps n-1
//	exported to Arrow: an Arrow buffer holds a reference until Arrow frees it
//
// The last reference is never counted down: a block whose count is 1 is
// freed as it is, and only the heap's Free, in a section no stop-the-world
// can split, sets the count to 0. So heap.Verify, run while other goroutines
// release values, never sees a live block with no references.
//
// Which slots own references is one table, internal/layout's EachOwned,
// beside the layout it describes; Copy, Release and Check all walk it, so
// a slot cannot be retained in one and forgotten in another. Package cow
// reads and writes no header field itself: reference counts, the copy of a
// header and a handle atom's id go through internal/layout's operations.
//
// ARENA values (the NULL singleton, the symbol table's blocks) are not
// counted: Retain and Release leave them alone, and Cow copies them rather
// than mutate them for everyone (ARCHITECTURE.md D17); a copy never keeps the
// ARENA bit (D16). A reference count never wraps: retaining a free block
// or releasing past zero panics with the block's address (D27). Every free
// leaves the count at 0, small blocks in runs included, so a handle kept
// past its release is caught: Retain and Release panic, Copy and Cow
// return ErrCorrupt.
//
// Mutating a slice must not write into its parent: package vec materialises
// a slice before writing to it, whatever Cow returned.
package cow
