package rayarrow

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go/encoding/delta"
	"github.com/parquet-go/parquet-go/encoding/rle"
)

// The decoders against another implementation's encoders (parquet-go's):
// random values, encoded by parquet-go, decoded here in batches of random
// sizes (the readers decode a page a batch at a time), give the values
// back.

func batches(r *rand.Rand, n int, f func(from, to int)) {
	for at := 0; at < n; {
		k := min(n-at, 1+r.IntN(300))
		f(at, at+k)
		at += k
	}
}

func TestHybridAgainstParquetGo(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 25))
	for round := range 300 {
		width := r.IntN(33)
		n := r.IntN(3000)
		want := make([]int32, n)
		for i := range want {
			switch {
			case width == 0:
			case i > 0 && r.IntN(3) == 0: // runs
				want[i] = want[i-1]
			default:
				want[i] = int32(r.Uint64() & (1<<uint(width) - 1))
			}
		}
		enc := rle.Encoding{BitWidth: width}
		b, err := enc.EncodeInt32(nil, want)
		if err != nil {
			t.Fatal(err)
		}
		hy, err := newHybrid(b, width)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]uint32, n)
		batches(r, n, func(from, to int) {
			if err := hy.decode(got[from:to]); err != nil {
				t.Fatalf("round %d (width %d, %d values): %v", round, width, n, err)
			}
		})
		for i := range want {
			if uint32(want[i]) != got[i] {
				t.Fatalf("round %d (width %d): value %d is %d, want %d", round, width, i, got[i], want[i])
			}
		}
	}
}

func TestDeltaBinaryPackedAgainstParquetGo(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 25))
	tail := []byte("after")
	for round := range 300 {
		n := r.IntN(3000)
		want := make([]int64, n)
		step := int64(r.IntN(1 << uint(r.IntN(62))))
		for i := range want {
			switch r.IntN(4) {
			case 0:
				want[i] = int64(r.Uint64()) // any: deltas of 64 bits
			default:
				if i > 0 {
					want[i] = want[i-1] + step - int64(r.IntN(int(min(step, 1<<20))+1))
				}
			}
		}
		var enc delta.BinaryPackedEncoding
		b, err := enc.EncodeInt64(nil, want)
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, tail...)
		var d deltaDecoder
		if err := d.init(b); err != nil {
			t.Fatal(err)
		}
		rest := d
		after, err := rest.end()
		if err != nil || !bytes.Equal(after, tail) {
			t.Fatalf("round %d: the bytes after the encoding: %q %v", round, after, err)
		}
		got := make([]int64, n)
		batches(r, n, func(from, to int) {
			if err := d.next(got[from:to]); err != nil {
				t.Fatalf("round %d (%d values): %v", round, n, err)
			}
		})
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: %v, want %v", round, got[:min(n, 8)], want[:min(n, 8)])
		}
		if err := d.next(make([]int64, 1)); err == nil {
			t.Fatalf("round %d: a value past the %d encoded", round, n)
		}
	}
}

func TestDeltaByteArraysAgainstParquetGo(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 25))
	for round := range 200 {
		n := r.IntN(2000)
		var data []byte
		offsets := []uint32{0}
		var want []string
		prev := ""
		for range n {
			s := prev[:r.IntN(len(prev)+1)] + fmt.Sprint(r.IntN(1000))
			if r.IntN(5) == 0 {
				s = ""
			}
			want = append(want, s)
			data = append(data, s...)
			offsets = append(offsets, uint32(len(data)))
			prev = s
		}
		for _, c := range []struct {
			enc int64
			b   func() ([]byte, error)
		}{
			{encDeltaByteArray, func() ([]byte, error) {
				var e delta.ByteArrayEncoding
				return e.EncodeByteArray(nil, data, offsets)
			}},
			{encDeltaLengthByte, func() ([]byte, error) {
				var e delta.LengthByteArrayEncoding
				return e.EncodeByteArray(nil, data, offsets)
			}},
		} {
			b, err := c.b()
			if err != nil {
				t.Fatal(err)
			}
			var cur valueCursor
			if err := cur.start(c.enc, b, 0, false); err != nil {
				t.Fatalf("round %d %s: %v", round, encodingName(c.enc), err)
			}
			var got []string
			batches(r, n, func(from, to int) {
				var arrays byteArrays
				if err := cur.byteArrays(&arrays, to-from); err != nil {
					t.Fatalf("round %d %s: %v", round, encodingName(c.enc), err)
				}
				for i := range to - from {
					got = append(got, string(arrays.at(i)))
				}
			})
			if !slices.Equal(got, want) && n > 0 {
				t.Fatalf("round %d %s: %q, want %q", round, encodingName(c.enc), got[:min(n, 5)], want[:min(n, 5)])
			}
		}
	}
}

// FuzzDecoders decodes any bytes with every decoder, asking for any
// number of values: an error or values, never a panic, and work bounded
// by what is asked for.
func FuzzDecoders(f *testing.F) {
	var e delta.BinaryPackedEncoding
	b, _ := e.EncodeInt64(nil, []int64{1, 5, -7, 1 << 40, 3})
	f.Add(b, uint8(0), uint16(5))
	rb, _ := (&rle.Encoding{BitWidth: 3}).EncodeInt32(nil, []int32{1, 1, 1, 7, 2, 0})
	f.Add(rb, uint8(1), uint16(6))
	f.Fuzz(func(t *testing.T, b []byte, which uint8, n uint16) {
		k := int(n)
		switch which % 6 {
		case 0:
			var d deltaDecoder
			if d.init(b) == nil {
				_ = d.next(make([]int64, k))
				_, _ = d.end()
			}
		case 1:
			if len(b) > 0 {
				if hy, err := newHybrid(b[1:], int(b[0])); err == nil {
					_ = hy.decode(make([]uint32, k))
				}
			}
		default:
			encs := []int64{encDeltaByteArray, encDeltaLengthByte, encPlain, encByteStreamSplit}
			enc := encs[int(which)%len(encs)]
			var cur valueCursor
			size := 0
			if enc == encByteStreamSplit {
				size = 8
			}
			if cur.start(enc, b, size, false) == nil {
				if size > 0 {
					_, _ = cur.fixed(k, size)
				} else {
					var arrays byteArrays
					_ = cur.byteArrays(&arrays, k)
				}
			}
		}
	})
}
