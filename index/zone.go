package index

import (
	"bytes"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func buildZone(v value.V) (value.V, error) {
	ix, pl, err := newIndex(0)
	if err != nil {
		return value.V{}, err
	}
	n := int(v.Len())
	k := newKeyer(v)
	isFloat := v.Type() == value.F64 || v.Type() == value.F32
	byName := k.t == value.Str || k.t == value.GUID || k.t == value.Sym
	var least, greatest []byte // byName: the bytes at minRow and maxRow
	for i := range n {
		if k.null(i) {
			pl.nulls++
			continue
		}
		if isFloat {
			f := k.float(i)
			if f != f { // NaN: ignored by zones
				continue
			}
			if pl.hasRange == 0 || f < pl.minF {
				pl.minF = f
			}
			if pl.hasRange == 0 || f > pl.maxF {
				pl.maxF = f
			}
		} else if k.wordKey() {
			w, _ := k.word(i)
			x := int64(w) // sign-extended ints; BOOL, U8 and SYM ids are unsigned and small
			if pl.hasRange == 0 || x < pl.minI {
				pl.minI = x
			}
			if pl.hasRange == 0 || x > pl.maxI {
				pl.maxI = x
			}
		}
		if byName {
			b := k.orderBytes(i)
			if pl.hasRange == 0 || bytes.Compare(b, least) < 0 {
				pl.minRow, least = uint64(i), b
			}
			if pl.hasRange == 0 || bytes.Compare(b, greatest) > 0 {
				pl.maxRow, greatest = uint64(i), b
			}
		}
		pl.hasRange = 1
		pl.keys++
	}
	return ix, nil
}

// orderBytes returns the bytes row i orders by: a STR's or GUID's bytes, a
// SYM's name.
func (k *keyer) orderBytes(i int) []byte {
	if k.t == value.Sym {
		w, _ := k.word(i)
		name, _ := value.SymName(int64(w))
		return unsafe.Slice(unsafe.StringData(name), len(name))
	}
	return k.bytesOf(i)
}

// ZoneInfo is what a zone index knows of a column.
type ZoneInfo struct {
	Min, Max   float64 // for float columns
	MinI, MaxI int64   // for integer, temporal and SYM-id columns
	// MinBytes and MaxBytes are the least and greatest value of a STR or
	// GUID column (bytewise), or name of a SYM column: copies.
	MinBytes, MaxBytes []byte
	Nulls              int
	Empty              bool // no value that is neither null nor NaN
}

// ZoneOf returns v's zone.
func ZoneOf(v value.V) (ZoneInfo, error) {
	_, pl, err := indexOf("index.ZoneOf", v, Zone)
	if err != nil {
		return ZoneInfo{}, err
	}
	z := ZoneInfo{Min: pl.minF, Max: pl.maxF, MinI: pl.minI, MaxI: pl.maxI, Nulls: int(pl.nulls), Empty: pl.hasRange == 0}
	if t := v.Type(); !z.Empty && (t == value.Str || t == value.GUID || t == value.Sym) {
		k := newKeyer(v)
		z.MinBytes = bytes.Clone(k.orderBytes(int(pl.minRow)))
		z.MaxBytes = bytes.Clone(k.orderBytes(int(pl.maxRow)))
	}
	return z, nil
}

// MayOverlap reports whether any value of v may lie in [lo, hi] (zone
// pruning: false means certainly not). For STR, GUID and SYM names use
// MayOverlapBytes.
func MayOverlap[T vec.Elem](v value.V, lo, hi T) (bool, error) {
	z, err := ZoneOf(v)
	if err != nil {
		return false, err
	}
	if _, err := vec.Elems[T](v); err != nil {
		return false, err
	}
	if z.Empty {
		return false, nil
	}
	var zero T
	switch any(zero).(type) {
	case float32, float64:
		return toFloat(lo) <= z.Max && toFloat(hi) >= z.Min, nil
	case bool:
		return true, nil
	}
	return toInt(lo) <= z.MaxI && toInt(hi) >= z.MinI, nil
}

// MayOverlapBytes reports whether any value of v, a STR or GUID vector
// (compared bytewise) or a SYM vector (by name), may lie in [lo, hi].
func MayOverlapBytes(v value.V, lo, hi []byte) (bool, error) {
	_, pl, err := indexOf("index.MayOverlapBytes", v, Zone)
	if err != nil {
		return false, err
	}
	if t := v.Type(); t != value.Str && t != value.GUID && t != value.Sym {
		return false, ray.Errorf(ray.ErrType, "index.MayOverlapBytes", "a %v vector has no byte order; use MayOverlap", t)
	}
	if pl.hasRange == 0 {
		return false, nil
	}
	k := newKeyer(v)
	return bytes.Compare(lo, k.orderBytes(int(pl.maxRow))) <= 0 && bytes.Compare(hi, k.orderBytes(int(pl.minRow))) >= 0, nil
}
