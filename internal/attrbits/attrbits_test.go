package attrbits_test

import (
	"testing"

	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/internal/attrbits"
	"github.com/raygo/ray/value"
)

func bit(t *testing.T, typ value.Type, flag attrs.Flag) uint8 {
	t.Helper()
	a, err := attrs.Of(int8(typ), 0).Set(flag, true)
	if err != nil {
		t.Fatalf("%v has no %v: %v", typ, flag, err)
	}
	return a.Raw()
}

func TestBitsAgreeWithTheNamespaceTable(t *testing.T) {
	vectors := []value.Type{value.List, value.Bool, value.I64, value.I32, value.F64, value.Sym, value.Str, value.GUID}
	for _, typ := range vectors {
		for flag, want := range map[attrs.Flag]uint8{
			attrs.HasIndex: attrbits.Index, attrs.Slice: attrbits.Slice,
			attrs.NullmapExt: attrbits.NullmapExt, attrs.HasNulls: attrbits.HasNulls, attrs.Arena: attrbits.Arena,
		} {
			if got := bit(t, typ, flag); got != want {
				t.Errorf("%v %v: attrs says %#x, attrbits %#x", typ, flag, got, want)
			}
		}
	}
	for _, typ := range []value.Type{value.I32, value.I64} {
		if got := bit(t, typ, attrs.HasLink); got != attrbits.Link {
			t.Errorf("%v HAS_LINK: attrs says %#x, attrbits %#x", typ, got, attrbits.Link)
		}
	}
	if got := bit(t, -value.I64, attrs.Graph) | bit(t, -value.I64, attrs.HNSW); got != attrbits.Handles {
		t.Errorf("-I64 handle bits: attrs says %#x, attrbits %#x", got, attrbits.Handles)
	}
	for _, typ := range []value.Type{value.Dict, value.Table, -value.F64, value.Index} {
		if got := bit(t, typ, attrs.Arena); got != attrbits.Arena {
			t.Errorf("%v ARENA: attrs says %#x, attrbits %#x", typ, got, attrbits.Arena)
		}
	}
	w, err := attrs.Of(int8(value.Sym), 0).SetSymWidth(attrs.W64)
	if err != nil || w.Raw() != attrbits.SymWidth {
		t.Errorf("SYM width W64 is %#x (%v), mask %#x", w.Raw(), err, attrbits.SymWidth)
	}
}
