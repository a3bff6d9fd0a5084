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
// bit first. It is resumable: each decode continues where the last one
// stopped, inside a run if need be, so a page is decoded a batch of rows
// at a time.
type hybrid struct {
	b      []byte
	width  uint // bits per value, at most 32
	mask   uint64
	run    uint64 // values left in the current RLE run
	runVal uint32
	bp     []byte // the current bit-packed run's bytes
	bpNext uint64 // its next value
	bpN    uint64 // its values
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
		if h.run > 0 {
			m := uint64(len(dst))
			m = min(m, h.run)
			fill32(dst[:m], h.runVal)
			dst, h.run = dst[m:], h.run-m
			continue
		}
		if h.bpNext < h.bpN {
			m := min(uint64(len(dst)), h.bpN-h.bpNext)
			unpack32(dst[:m], h.bp, h.width, h.bpNext)
			dst, h.bpNext = dst[m:], h.bpNext+m
			continue
		}
		head, n := binary.Uvarint(h.b)
		if n <= 0 {
			return errShort
		}
		h.b = h.b[n:]
		if head&1 == 0 { // a run of one value
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
			h.run, h.runVal = head>>1, v
			continue
		}
		groups := head >> 1
		if h.width > 0 && groups > uint64(len(h.b))/uint64(h.width) {
			return errShort
		}
		groups = min(groups, 1<<40) // at width 0 only what is asked for is read
		nbytes := int(groups) * int(h.width)
		h.bp, h.b = h.b[:nbytes], h.b[nbytes:]
		h.bpNext, h.bpN = 0, groups*8
	}
	return nil
}

func fill32(dst []uint32, v uint32) {
	for i := range dst {
		dst[i] = v
	}
}

// unpack32 unpacks len(dst) values of width bits (at most 32) from b,
// least significant bit first, starting at value first; b holds them.
func unpack32(dst []uint32, b []byte, width uint, first uint64) {
	if width == 0 {
		clear(dst)
		return
	}
	mask := uint64(1)<<width - 1
	// One value at a time up to a group of 8 (w bytes), then whole groups.
	i := 0
	for ; i < len(dst) && (first+uint64(i))%8 != 0; i++ {
		dst[i] = unpackOne(b, (first+uint64(i))*uint64(width), mask)
	}
	g := int((first + uint64(i)) / 8 * uint64(width)) // the byte of the group
	w := int(width)
	switch {
	case w <= 8:
		for ; i+8 <= len(dst) && g+8 <= len(b); i, g = i+8, g+w {
			x := binary.LittleEndian.Uint64(b[g:])
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
		for ; i+8 <= len(dst) && g+16 <= len(b); i, g = i+8, g+w {
			lo := binary.LittleEndian.Uint64(b[g:])
			hi := binary.LittleEndian.Uint64(b[g+8:])
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
	}
	for ; i < len(dst); i++ {
		dst[i] = unpackOne(b, (first+uint64(i))*uint64(width), mask)
	}
}

// unpackOne reads the value of mask's width at bit of b.
func unpackOne(b []byte, bit uint64, mask uint64) uint32 {
	at := int(bit >> 3)
	var x uint64
	for k := 0; k < 8 && at+k < len(b); k++ {
		x |= uint64(b[at+k]) << (8 * k)
	}
	return uint32((x >> (bit & 7)) & mask)
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

// deltaDecoder decodes DELTA_BINARY_PACKED integers as int64s (32-bit
// columns truncate them, as the encoding's arithmetic wraps), resumably.
// Values are decoded only when asked for, so the work is bounded by the
// values asked for and the bytes, whatever the header declares; end
// passes the rest without decoding it.
type deltaDecoder struct {
	b          []byte // after the current block's header
	per        uint64 // values a miniblock
	miniblocks uint64
	left       uint64 // values not yet returned
	first      bool   // the first value is not yet returned
	prev       int64
	minDelta   int64
	widths     []byte // of the current block's miniblocks
	mb         int    // the current miniblock
	inMB       uint64 // its values not yet returned
	r          bitReader
	w          uint
}

func (d *deltaDecoder) init(b []byte) error {
	var hdr [3]uint64
	for i := range hdr {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return errShort
		}
		hdr[i], b = v, b[n:]
	}
	blockSize, miniblocks, total := hdr[0], hdr[1], hdr[2]
	first, n := binary.Varint(b)
	if n <= 0 {
		return errShort
	}
	if blockSize == 0 || blockSize%128 != 0 || blockSize > 1<<20 || miniblocks == 0 || blockSize%miniblocks != 0 || (blockSize/miniblocks)%32 != 0 {
		return fmt.Errorf("DELTA_BINARY_PACKED blocks of %d values in %d miniblocks", blockSize, miniblocks)
	}
	*d = deltaDecoder{b: b[n:], per: blockSize / miniblocks, miniblocks: miniblocks, left: total, first: total > 0, prev: first}
	return nil
}

// next fills dst with the next len(dst) values.
func (d *deltaDecoder) next(dst []int64) error {
	if uint64(len(dst)) > d.left {
		return fmt.Errorf("DELTA_BINARY_PACKED of %d values where more are wanted", d.left)
	}
	i := 0
	if d.first && len(dst) > 0 {
		dst[0] = d.prev
		d.first, d.left, i = false, d.left-1, 1
	}
	for i < len(dst) {
		if d.inMB == 0 {
			if err := d.nextMiniblock(); err != nil {
				return err
			}
			continue
		}
		m := min(uint64(len(dst)-i), d.inMB)
		prev, minDelta, w := d.prev, d.minDelta, d.w
		for k := range m {
			prev += minDelta + int64(d.r.read(w))
			dst[i+int(k)] = prev
		}
		d.prev = prev
		i += int(m)
		d.inMB -= m
		d.left -= m
	}
	return nil
}

// nextMiniblock moves to the next miniblock (reading a block header when
// the block is done).
func (d *deltaDecoder) nextMiniblock() error {
	if d.widths == nil || d.mb+1 >= len(d.widths) {
		minDelta, n := binary.Varint(d.b)
		if n <= 0 || uint64(len(d.b)-n) < d.miniblocks {
			return errShort
		}
		d.minDelta = minDelta
		d.widths = d.b[n : n+int(d.miniblocks)]
		d.b = d.b[n+int(d.miniblocks):]
		d.mb = -1
	}
	d.mb++
	w := uint(d.widths[d.mb])
	if w > 64 {
		return fmt.Errorf("a miniblock of %d-bit deltas", w)
	}
	nbytes := int(d.per) * int(w) / 8
	if nbytes > len(d.b) {
		return errShort
	}
	d.r, d.w = bitReader{b: d.b[:nbytes]}, w
	d.b = d.b[nbytes:]
	d.inMB = min(d.per, d.left)
	return nil
}

// end passes the values not yet returned without decoding them and
// returns the bytes after the encoding (DELTA_LENGTH_BYTE_ARRAY's strings
// follow their lengths).
func (d *deltaDecoder) end() ([]byte, error) {
	if d.first {
		d.first, d.left = false, d.left-1
	}
	d.left -= min(d.left, d.inMB)
	d.inMB = 0
	for d.left > 0 {
		if err := d.nextMiniblock(); err != nil {
			return nil, err
		}
		d.left -= d.inMB
		d.inMB = 0
	}
	return d.b, nil
}

// byteArrays is a batch of BYTE_ARRAY values: value i is
// data[offs[2i]:offs[2i+1]].
type byteArrays struct {
	data []byte
	offs []uint32
}

func (a *byteArrays) at(i int) []byte { return a.data[a.offs[2*i]:a.offs[2*i+1]:a.offs[2*i+1]] }

// plainByteArrays reads n PLAIN byte arrays (each a 4-byte length and its
// bytes) from b, viewing b, and returns the bytes after them.
func plainByteArrays(out *byteArrays, b []byte, n int) ([]byte, error) {
	if n > len(b)/4 || len(b) > 1<<32-1 {
		return nil, errShort
	}
	out.offs = growU32(out.offs, 2*n)
	out.data = b
	offs := out.offs
	pos := 0
	for i := range n {
		if len(b)-pos < 4 {
			return nil, errShort
		}
		l := binary.LittleEndian.Uint32(b[pos:])
		pos += 4
		if uint64(l) > uint64(len(b)-pos) {
			return nil, errShort
		}
		offs[2*i] = uint32(pos)
		pos += int(l)
		offs[2*i+1] = uint32(pos)
	}
	return b[pos:], nil
}

// valueCursor reads a data page's values a batch at a time, in the page's
// encoding: each call continues where the last stopped.
type valueCursor struct {
	enc    int64
	page   []byte       // the values' bytes
	pos    int          // PLAIN: the next byte (BOOLEAN: the next bit)
	hy     hybrid       // dictionary indexes, RLE booleans
	lens   deltaDecoder // DELTA_LENGTH_BYTE_ARRAY lengths, DELTA_BYTE_ARRAY suffix lengths, DELTA_BINARY_PACKED values
	pre    deltaDecoder // DELTA_BYTE_ARRAY prefix lengths
	data   []byte       // the DELTA byte arrays' bytes
	prev   []byte       // DELTA_BYTE_ARRAY: the last value
	stride int          // BYTE_STREAM_SPLIT: the values in the page
	next   int          // BYTE_STREAM_SPLIT: the next value

	// Buffers a batch is decoded into, kept from page to page.
	raw   []byte
	ints  []int64
	pres  []int64
	bits  []uint32
	built []byte
}

// start readies the cursor for a page's values in encoding enc; size is
// the bytes of a fixed-width value (0 for BYTE_ARRAY).
func (c *valueCursor) start(enc int64, page []byte, size int, dict bool) error {
	*c = valueCursor{enc: enc, page: page, prev: c.prev[:0],
		raw: c.raw, ints: c.ints, pres: c.pres, bits: c.bits, built: c.built}
	switch enc {
	case encPlain:
	case encPlainDictionary, encRLEDictionary:
		if !dict {
			return errors.New("dictionary indexes without a dictionary")
		}
		if len(page) < 1 {
			c.hy = hybrid{} // no values: any read of one is short
			return nil
		}
		var err error
		c.hy, err = newHybrid(page[1:], int(page[0]))
		return err
	case encRLE: // booleans: a 4-byte length, then the hybrid encoding
		if size != 1 || len(page) < 4 {
			return fmt.Errorf("RLE values of %d bytes", size)
		}
		l := binary.LittleEndian.Uint32(page)
		if uint64(l) > uint64(len(page)-4) {
			return errShort
		}
		c.hy, _ = newHybrid(page[4:4+l], 1)
	case encDeltaBinaryPacked:
		if size != 4 && size != 8 {
			return fmt.Errorf("DELTA_BINARY_PACKED values of %d bytes", size)
		}
		return c.lens.init(page)
	case encDeltaLengthByte:
		if size != 0 {
			return errors.New("DELTA_LENGTH_BYTE_ARRAY values of a fixed size")
		}
		return c.startLengths(page)
	case encDeltaByteArray:
		if err := c.pre.init(page); err != nil {
			return err
		}
		rest := c.pre
		suffixes, err := rest.end()
		if err != nil {
			return err
		}
		return c.startLengths(suffixes)
	case encByteStreamSplit:
		if size == 0 || size == 12 || size == 1 {
			return fmt.Errorf("BYTE_STREAM_SPLIT values of %d bytes", size)
		}
		c.stride = len(page) / size
	default:
		return fmt.Errorf("values in %s", encodingName(enc))
	}
	return nil
}

// startLengths readies c.lens for lengths at b and c.data for the bytes
// after them.
func (c *valueCursor) startLengths(b []byte) error {
	if err := c.lens.init(b); err != nil {
		return err
	}
	rest := c.lens
	data, err := rest.end()
	c.data = data
	return err
}

// indexes decodes the next len(dst) dictionary indexes, each less than n.
func (c *valueCursor) indexes(dst []uint32, n int) error {
	if err := c.hy.decode(dst); err != nil {
		return err
	}
	var most uint32
	for _, i := range dst {
		most = max(most, i)
	}
	if len(dst) > 0 && int(most) >= n {
		return fmt.Errorf("index %d into a dictionary of %d", most, n)
	}
	return nil
}

// fixed returns the next k values of size bytes, raw (little-endian, as
// PLAIN stores them): a view of the page when it can, else of the
// cursor's buffer, valid until the next call.
func (c *valueCursor) fixed(k, size int) ([]byte, error) {
	buf, ints := &c.raw, &c.ints
	switch c.enc {
	case encPlain:
		if size == 1 { // BOOLEAN: bits
			*buf = growBytes(*buf, k)
			if uint64(c.pos)+uint64(k) > uint64(len(c.page))*8 {
				return nil, errShort
			}
			out := *buf
			for i := range out {
				bit := c.pos + i
				out[i] = c.page[bit>>3] >> (bit & 7) & 1
			}
			c.pos += k
			return out, nil
		}
		if k*size > len(c.page)-c.pos {
			return nil, errShort
		}
		out := c.page[c.pos : c.pos+k*size]
		c.pos += k * size
		return out, nil
	case encRLE:
		c.bits = growU32(c.bits, k)
		bits := c.bits
		if err := c.hy.decode(bits); err != nil {
			return nil, err
		}
		*buf = growBytes(*buf, k)
		out := *buf
		for i, b := range bits {
			out[i] = byte(b)
		}
		return out, nil
	case encDeltaBinaryPacked:
		*ints = growI64(*ints, k)
		if err := c.lens.next(*ints); err != nil {
			return nil, err
		}
		*buf = growBytes(*buf, k*size)
		out := *buf
		if size == 4 {
			for i, v := range *ints {
				binary.LittleEndian.PutUint32(out[4*i:], uint32(v))
			}
		} else {
			for i, v := range *ints {
				binary.LittleEndian.PutUint64(out[8*i:], uint64(v))
			}
		}
		return out, nil
	case encByteStreamSplit:
		if c.next+k > c.stride {
			return nil, errShort
		}
		*buf = growBytes(*buf, k*size)
		out := *buf
		for j := range size {
			stream := c.page[j*c.stride+c.next : j*c.stride+c.next+k]
			for i, b := range stream {
				out[i*size+j] = b
			}
		}
		c.next += k
		return out, nil
	case encDeltaByteArray: // fixed-size binaries
		var arrays byteArrays
		if err := c.deltaByteArrays(&arrays, k); err != nil {
			return nil, err
		}
		*buf = growBytes(*buf, k*size)
		out := *buf
		for i := range k {
			v := arrays.at(i)
			if len(v) != size {
				return nil, fmt.Errorf("a value of %d bytes in a column of %d", len(v), size)
			}
			copy(out[i*size:], v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s values of %d bytes", encodingName(c.enc), size)
}

// byteArrays reads the next k BYTE_ARRAY values into out, viewing the
// page or, for DELTA_BYTE_ARRAY, the cursor's buffer (until the next
// call).
func (c *valueCursor) byteArrays(out *byteArrays, k int) error {
	switch c.enc {
	case encPlain:
		rest, err := plainByteArrays(out, c.page[c.pos:], k)
		if err != nil {
			return err
		}
		for i := range out.offs { // offsets into the page, not the rest
			out.offs[i] += uint32(c.pos)
		}
		out.data = c.page
		c.pos = len(c.page) - len(rest)
		return nil
	case encDeltaLengthByte:
		return c.lengths(out, k)
	case encDeltaByteArray:
		return c.deltaByteArrays(out, k)
	}
	return fmt.Errorf("%s values of byte arrays", encodingName(c.enc))
}

// lengths reads the next k DELTA_LENGTH_BYTE_ARRAY values (lengths from
// c.lens, bytes from c.data) into out, viewing c.data.
func (c *valueCursor) lengths(out *byteArrays, k int) error {
	c.ints = growI64(c.ints, k)
	if err := c.lens.next(c.ints); err != nil {
		return err
	}
	if len(c.data) > 1<<32-1 {
		return errShort
	}
	out.offs = growU32(out.offs, 2*k)
	out.data = c.data
	at := uint64(c.pos)
	for i, l := range c.ints {
		if l < 0 || uint64(l) > uint64(len(c.data))-at {
			return errShort
		}
		out.offs[2*i] = uint32(at)
		at += uint64(l)
		out.offs[2*i+1] = uint32(at)
	}
	c.pos = int(at)
	return nil
}

// deltaByteArrays reads the next k DELTA_BYTE_ARRAY values: each the
// prefix it shares with the value before and its suffix, built into the
// cursor's buffer, which out then views.
func (c *valueCursor) deltaByteArrays(out *byteArrays, k int) error {
	c.pres = growI64(c.pres, k)
	prefixes := c.pres
	if err := c.pre.next(prefixes); err != nil {
		return err
	}
	var suffixes byteArrays
	if err := c.lengths(&suffixes, k); err != nil {
		return err
	}
	out.offs = growU32(out.offs, 2*k)
	buf := append(c.built[:0], c.prev...) // the value before, first
	prevStart, prevEnd := 0, len(c.prev)
	for i := range k {
		p := prefixes[i]
		if p < 0 || p > int64(prevEnd-prevStart) {
			return fmt.Errorf("a prefix of %d bytes of a value of %d", p, prevEnd-prevStart)
		}
		suffix := suffixes.at(i)
		if len(buf)+int(p)+len(suffix) > 1<<31 {
			return fmt.Errorf("DELTA_BYTE_ARRAY values of more than 2 GiB")
		}
		start := len(buf)
		buf = append(buf, buf[prevStart:prevStart+int(p)]...)
		buf = append(buf, suffix...)
		prevStart, prevEnd = start, len(buf)
		out.offs[2*i], out.offs[2*i+1] = uint32(start), uint32(prevEnd)
	}
	c.prev = append(c.prev[:0], buf[prevStart:prevEnd]...)
	c.built = buf
	out.data = buf
	return nil
}

// bitPackedLevels decodes the deprecated BIT_PACKED levels: values of
// width bits, most significant bit first, from value first.
func bitPackedLevels(dst []uint32, b []byte, width uint, first int) error {
	if (uint64(first)+uint64(len(dst)))*uint64(width) > uint64(len(b))*8 {
		return errShort
	}
	bit := uint(first) * width
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
