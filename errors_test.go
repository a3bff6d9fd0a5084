package ray_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/raygo/ray"
)

func TestErrorIsKind(t *testing.T) {
	err := ray.Errorf(ray.ErrRange, "vec.Get", "index %d outside [0, %d)", 7, 3)
	if !errors.Is(err, ray.ErrRange) {
		t.Fatalf("errors.Is(%v, ErrRange) = false", err)
	}
	if errors.Is(err, ray.ErrType) {
		t.Fatalf("errors.Is(%v, ErrType) = true", err)
	}
	if got, want := err.Error(), "ray: range: vec.Get: index 7 outside [0, 3)"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	var k ray.Kind
	if !errors.As(err, &k) || k != ray.ErrRange {
		t.Fatalf("errors.As kind = %v, want range", k)
	}
}

func TestWrapKeepsCause(t *testing.T) {
	err := ray.Wrap(ray.ErrIO, "store.Save", fs.ErrPermission, "open %s", "x.col")
	if !errors.Is(err, ray.ErrIO) || !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("wrapped error %v does not match both kind and cause", err)
	}
}

func TestKindCodesRoundTrip(t *testing.T) {
	for k := ray.ErrOOM; k <= ray.ErrCancel; k++ {
		code := k.String()
		back, ok := ray.KindOf(code)
		if !ok || back != k {
			t.Errorf("KindOf(%q) = %v, %v; want %v", code, back, ok, k)
		}
		if len(code) > 7 {
			t.Errorf("code %q is longer than the 7 bytes an in-band error holds", code)
		}
	}
	if _, ok := ray.KindOf("bogus"); ok {
		t.Error("KindOf(bogus) reported a kind")
	}
	if s := ray.Kind(200).String(); s != "kind(200)" {
		t.Errorf("unknown kind String() = %q", s)
	}
}
