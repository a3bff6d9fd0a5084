package offheap

import (
	"testing"
	"unsafe"
)

func TestPtrAddBytes(t *testing.T) {
	var buf [64]byte
	addr := uintptr(unsafe.Pointer(&buf[0]))
	if Ptr(addr) != unsafe.Pointer(&buf[0]) {
		t.Fatal("Ptr does not round-trip an address")
	}
	if Add(Ptr(addr), 10) != unsafe.Pointer(&buf[10]) {
		t.Fatal("Add is off")
	}
	b := Bytes(addr+8, 4)
	b[0] = 7
	if len(b) != 4 || buf[8] != 7 {
		t.Fatal("Bytes does not alias the memory")
	}
	if Bytes(addr, 0) != nil {
		t.Fatal("Bytes of length 0 is not nil")
	}
}
