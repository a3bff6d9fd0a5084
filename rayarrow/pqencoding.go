package rayarrow

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// The encodings of Parquet's data pages, decoded from bytes raygo has
// already bounded (a page's decompressed size is checked against its
// header and the read limit before anything here runs). Every decoder
// checks each length and count it reads against the bytes it has and the
// values it was asked for, and reports a short or inconsistent page as an
// error: nothing here allocates by a count the page declares, only by the
// values the caller asks for, which the footer's row counts bound.

var errShort = errors.New("the page ends before its values")

// Parquet encodings (parquet.thrift, Encoding).
const (
	encPlain             = 0
	encPlainDictionary   = 2
	encRLE               = 3
	encBitPacked         = 4
	encDeltaBinaryPacked = 5
	encDeltaLengthByte   = 6
	encDeltaByteArray    = 7
	encRLEDictionary     = 8
	encByteStreamSplit   = 9
)

func encodingName(e int64) string {
	switch e {
	case encPlain:
		return "PLAIN"
	case encPlainDictionary:
		return "PLAIN_DICTIONARY"
	case encRLE:
		return "RLE"
	case encBitPacked:
		return "BIT_PACKED"
	case encDeltaBinaryPacked:
		return "DELTA_BINARY_PACKED"
	case encDeltaLengthByte:
		return "DELTA_LENGTH_BYTE_ARRAY"
	case encDeltaByteArray:
		return "DELTA_BYTE_ARRAY"
	case encRLEDictionary:
		return "RLE_DICTIONARY"
	case encByteStreamSplit:
		return "BYTE_STREAM_SPLIT"
	}
	return fmt.Sprintf("encoding %d", e)
}

// hybrid decodes the RLE/bit-packed hybrid encoding of definition levels,
// dictionary indexes and RLE booleans: runs of one repeated value, and
// groups of eight values packed in width bits each, least significant
// bit first.
type hybrid struct {
	b     []byte
	width uint // bits per value, at most 32
	mask  uint64
}

func newHybrid(b []byte, width int) (hybrid, error) {
	if width < 0 || width > 32 {
		return hybrid{}, fmt.Errorf("a bit width of %d", width)
	}
	return hybrid{b: b, width: uint(width), mask: 1<<uint(width) - 1}, nil
}

// decode fills dst with the next len(dst) values.
func (h *hybrid) decode(dst []uint32) error {
	for len(dst) > 0 {
		head, n := binary.Uvarint(h.b)
		if n <= 0 {
			return errShort
		}
		h.b = h.b[n:]
		if head&1 == 0 { // a run of one value
			count := head >> 1
			nb := int(h.width+7) / 8
			if len(h.b) < nb {
				return errShort
			}
			var v uint32
			for i := nb - 1; i >= 0; i-- {
				v = v<<8 | uint32(h.b[i])
			}
			h.b = h.b[nb:]
			if uint64(v) > h.mask {
				return fmt.Errorf("a run of value %d in %d bits", v, h.width)
			}
			m := len(dst)
			if count < uint64(m) {
				m = int(count)
			}
			fill32(dst[:m], v)
			dst = dst[m:]
			continue
		}
		groups := head >> 1
		if h.width > 0 && groups > uint64(len(h.b))/uint64(h.width) {
			return errShort
		}
		groups = min(groups, 1<<40) // at width 0 only len(dst) are read
		values := groups * 8
		nbytes := int(groups) * int(h.width)
		packed := h.b[:nbytes]
		h.b = h.b[nbytes:]
		m := len(dst)
		if values < uint64(m) {
			m = int(values)
		}
		unpack32(dst[:m], packed, h.width)
		dst = dst[m:]
	}
	return nil
}

func fill32(dst []uint32, v uint32) {
	for i := range dst {
		dst[i] = v
	}
}

// unpack32 unpacks len(dst) values of width bits (at most 32) from b,
// least significant bit first; b holds at least len(dst)*width bits.
func unpack32(dst []uint32, b []byte, width uint) {
	if width == 0 {
		clear(dst)
		return
	}
	mask := uint64(1)<<width - 1
	w := int(width)
	i := 0
	// Whole groups of 8 values (w bytes): up to 8 bits a value, one 8-byte
	// load holds the group; up to 16, two. Wider values (dictionaries of
	// more than 65536 entries) take a load each.
	switch {
	case w <= 8:
		for ; i+8 <= len(dst) && (i/8)*w+8 <= len(b); i += 8 {
			x := binary.LittleEndian.Uint64(b[(i/8)*w:])
			out := dst[i : i+8 : i+8]
			out[0] = uint32(x & mask)
			out[1] = uint32(x >> width & mask)
			out[2] = uint32(x >> (2 * width) & mask)
			out[3] = uint32(x >> (3 * width) & mask)
			out[4] = uint32(x >> (4 * width) & mask)
			out[5] = uint32(x >> (5 * width) & mask)
			out[6] = uint32(x >> (6 * width) & mask)
			out[7] = uint32(x >> (7 * width) & mask)
		}
	case w <= 16:
		for ; i+8 <= len(dst) && (i/8)*w+16 <= len(b); i += 8 {
			o := (i / 8) * w
			lo := binary.LittleEndian.Uint64(b[o:])
			hi := binary.LittleEndian.Uint64(b[o+8:])
			out := dst[i : i+8 : i+8]
			out[0] = uint32(lo & mask)
			out[1] = uint32(lo >> width & mask)
			out[2] = uint32(lo >> (2 * width) & mask)
			out[3] = uint32(lo >> (3 * width) & mask)
			s := 4 * width // 36..64: the 128 bits shifted right by s
			x := lo>>s | hi<<(64-s)
			out[4] = uint32(x & mask)
			out[5] = uint32(x >> width & mask)
			out[6] = uint32(x >> (2 * width) & mask)
			out[7] = uint32(x >> (3 * width) & mask)
		}
	default:
		for ; i+8 <= len(dst) && (i/8)*w+w+8 <= len(b); i += 8 {
			g := b[(i/8)*w : (i/8)*w+w+8]
			out := dst[i : i+8 : i+8]
			for k := range 8 {
				bit := uint(k * w)
				out[k] = uint32((binary.LittleEndian.Uint64(g[bit>>3:]) >> (bit & 7)) & mask)
			}
		}
	}
	for ; i < len(dst); i++ {
		bit := uint(i) * width
		var x uint64
		for k := uint(0); k < 8 && int(bit>>3)+int(k) < len(b); k++ {
			x |= uint64(b[int(bit>>3)+int(k)]) << (8 * k)
		}
		dst[i] = uint32((x >> (bit & 7)) & mask)
	}
}

// singleRun reports whether hybrid-encoded levels b begin with a run of
// at least n copies of the value 1 (one bit wide): a page without nulls,
// whose levels need no decoding.
func singleRun(b []byte, n int) bool {
	head, k := binary.Uvarint(b)
	return k > 0 && head&1 == 0 && head>>1 >= uint64(n) && len(b) > k && b[k] == 1
}

// bitReader reads values of up to 64 bits, least significant bit first,
// for the DELTA encodings' miniblocks.
type bitReader struct {
	b   []byte
	bit uint
}

func (r *bitReader) read(width uint) uint64 {
	if width == 0 {
		return 0
	}
	var v uint64
	got := uint(0)
	for got < width {
		byteAt := r.bit >> 3
		shift := r.bit & 7
		take := min(8-shift, width-got)
		v |= uint64((r.b[byteAt]>>shift)&byte(1<<take-1)) << got
		got += take
		r.bit += take
	}
	return v
}

// deltaBinary decodes DELTA_BINARY_PACKED integers into dst (as int64s,
// which 32-bit columns truncate, as the encoding's arithmetic wraps) and
// returns the bytes after all the values the header declares (which must
// be at least len(dst); DELTA_LENGTH_BYTE_ARRAY's strings follow their
// lengths). Values past len(dst) are skipped, not decoded, so the work is
// bounded by len(dst) and the bytes, whatever the header declares.
func deltaBinary(dst []int64, b []byte) (rest []byte, err error) {
	var hdr [3]uint64
	for i := range hdr {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errShort
		}
		hdr[i], b = v, b[n:]
	}
	blockSize, miniblocks, total := hdr[0], hdr[1], hdr[2]
	first, n := binary.Varint(b)
	if n <= 0 {
		return nil, errShort
	}
	b = b[n:]
	if blockSize == 0 || blockSize%128 != 0 || blockSize > 1<<20 || miniblocks == 0 || blockSize%miniblocks != 0 || (blockSize/miniblocks)%32 != 0 {
		return nil, fmt.Errorf("DELTA_BINARY_PACKED blocks of %d values in %d miniblocks", blockSize, miniblocks)
	}
	if total < uint64(len(dst)) {
		return nil, fmt.Errorf("DELTA_BINARY_PACKED of %d values where %d are wanted", total, len(dst))
	}
	if total == 0 {
		return b, nil
	}
	per := blockSize / miniblocks
	prev := first
	if len(dst) > 0 {
		dst[0] = first
	}
	i := 1
	left := total - 1 // values still encoded after the first
	for left > 0 {
		minDelta, n := binary.Varint(b)
		if n <= 0 || uint64(len(b)-n) < miniblocks {
			return nil, errShort
		}
		widths := b[n : n+int(miniblocks)]
		b = b[n+int(miniblocks):]
		for m := 0; m < int(miniblocks) && left > 0; m++ {
			w := uint(widths[m])
			if w > 64 {
				return nil, fmt.Errorf("a miniblock of %d-bit deltas", w)
			}
			nbytes := int(per) * int(w) / 8
			if nbytes > len(b) {
				return nil, errShort
			}
			take := min(per, left)
			if i < len(dst) {
				r := bitReader{b: b[:nbytes]}
				for range min(int(take), len(dst)-i) {
					prev += minDelta + int64(r.read(w))
					dst[i] = prev
					i++
				}
			}
			b = b[nbytes:]
			left -= take
		}
	}
	return b, nil
}

// byteArrays is a page's byte arrays (BYTE_ARRAY values), viewing the
// page: value i is data[offs[2i]:offs[2i+1]].
type byteArrays struct {
	data []byte
	offs []uint32
}

func (a *byteArrays) len() int { return len(a.offs) / 2 }

func (a *byteArrays) at(i int) []byte { return a.data[a.offs[2*i]:a.offs[2*i+1]:a.offs[2*i+1]] }

// plainByteArrays reads n PLAIN byte arrays (each a 4-byte length and its
// bytes) from b, viewing b.
func plainByteArrays(out *byteArrays, b []byte, n int) error {
	if n > len(b)/4 || len(b) > 1<<32-1 {
		return errShort
	}
	out.offs = growU32(out.offs, 2*n)
	out.data = b
	offs := out.offs
	pos := 0
	for i := range n {
		if len(b)-pos < 4 {
			return errShort
		}
		l := binary.LittleEndian.Uint32(b[pos:])
		pos += 4
		if uint64(l) > uint64(len(b)-pos) {
			return errShort
		}
		offs[2*i] = uint32(pos)
		pos += int(l)
		offs[2*i+1] = uint32(pos)
	}
	return nil
}

// deltaLengthByteArrays reads n DELTA_LENGTH_BYTE_ARRAY values: their
// lengths DELTA_BINARY_PACKED, then their bytes.
func deltaLengthByteArrays(out *byteArrays, b []byte, n int, scratch *[]int64) error {
	*scratch = growI64(*scratch, n)
	lens := *scratch
	rest, err := deltaBinary(lens, b)
	if err != nil {
		return err
	}
	if len(rest) > 1<<32-1 {
		return errShort
	}
	out.offs = growU32(out.offs, 2*n)
	out.data = rest
	var sum uint64
	for i, l := range lens {
		if l < 0 || uint64(l) > uint64(len(rest))-sum {
			return errShort
		}
		out.offs[2*i] = uint32(sum)
		sum += uint64(l)
		out.offs[2*i+1] = uint32(sum)
	}
	return nil
}

// deltaByteArrays reads n DELTA_BYTE_ARRAY values: the lengths of the
// prefixes they share with the value before, DELTA_BINARY_PACKED, then
// their suffixes as DELTA_LENGTH_BYTE_ARRAY. The values are built into
// *buf, which out then views.
func deltaByteArrays(out *byteArrays, b []byte, n int, s *pageScratch) error {
	s.prefixes = growI64(s.prefixes, n)
	prefixes := s.prefixes
	rest, err := deltaBinary(prefixes, b)
	if err != nil {
		return err
	}
	if err := deltaLengthByteArrays(&s.suffixes, rest, n, &s.lens); err != nil {
		return err
	}
	out.offs = growU32(out.offs, 2*n)
	buf := s.built[:0]
	prevStart, prevEnd := 0, 0
	for i := range n {
		p := prefixes[i]
		if p < 0 || p > int64(prevEnd-prevStart) {
			return fmt.Errorf("a prefix of %d bytes of a value of %d", p, prevEnd-prevStart)
		}
		suffix := s.suffixes.at(i)
		if len(buf)+int(p)+len(suffix) > 1<<31 {
			return fmt.Errorf("DELTA_BYTE_ARRAY values of more than 2 GiB")
		}
		start := len(buf)
		buf = append(buf, buf[prevStart:prevStart+int(p)]...)
		buf = append(buf, suffix...)
		prevStart, prevEnd = start, len(buf)
		out.offs[2*i], out.offs[2*i+1] = uint32(start), uint32(prevEnd)
	}
	s.built = buf
	out.data = buf
	return nil
}

// byteStreamSplit reassembles n values of k bytes each from their byte
// streams (byte j of every value, then byte j+1 ...) into dst.
func byteStreamSplit(dst, b []byte, n, k int) error {
	if len(b) < n*k {
		return errShort
	}
	for j := range k {
		s := b[j*n : (j+1)*n]
		for i, c := range s {
			dst[i*k+j] = c
		}
	}
	return nil
}

// unpackBools unpacks n PLAIN booleans (bits, least significant first)
// into bytes of 0 or 1.
func unpackBools(dst []byte, b []byte) error {
	if len(b) < (len(dst)+7)/8 {
		return errShort
	}
	for i := range dst {
		dst[i] = b[i>>3] >> (i & 7) & 1
	}
	return nil
}

// bitPackedLevels decodes the deprecated BIT_PACKED levels: n values of
// width bits, most significant bit first.
func bitPackedLevels(dst []uint32, b []byte, width uint) error {
	if uint64(len(dst))*uint64(width) > uint64(len(b))*8 {
		return errShort
	}
	bit := uint(0)
	for i := range dst {
		var v uint32
		for range width {
			v = v<<1 | uint32(b[bit>>3]>>(7-bit&7)&1)
			bit++
		}
		dst[i] = v
	}
	return nil
}

// bitWidth is the bits a value up to max needs.
func bitWidth(max uint64) int { return bits.Len64(max) }

func growU32(s []uint32, n int) []uint32 {
	if cap(s) < n {
		return make([]uint32, n, n+n/4)
	}
	return s[:n]
}

func growI64(s []int64, n int) []int64 {
	if cap(s) < n {
		return make([]int64, n, n+n/4)
	}
	return s[:n]
}

func growBytes(s []byte, n int) []byte {
	if cap(s) < n {
		return make([]byte, n, n+n/4)
	}
	return s[:n]
}
