package rayarrow

import (
	"fmt"

	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"

	"github.com/raygo/ray"
)

// Arrow Go's Parquet page reader decompresses a page into a buffer of the
// size its header declares, but its codecs do not hold the data to it: a
// zstd frame may declare, and decode to, far more (zstd grows the buffer to
// the frame's content size), and snappy allocates what its own header
// says. So a page of a few kilobytes could make the reader allocate
// gigabytes of Go memory, past every bound verifyParquet sets. raygo
// registers, process-wide, codecs that decode into the buffer given and
// refuse data that would not fit it, with a panic the readers turn into
// ErrCorrupt. A nil buffer (a caller outside the page reader; the page
// reader passes nil only for a page of no bytes, which verifyParquet bounds)
// keeps the old behaviour. Brotli and gzip read into the buffer given
// already.
func init() {
	for _, c := range []struct {
		kind   compress.Compression
		decode func(dst, src []byte) ([]byte, error)
	}{
		{compress.Codecs.Zstd, decodeZstd},
		{compress.Codecs.Snappy, decodeSnappy},
	} {
		orig, err := compress.GetCodec(c.kind)
		if err != nil {
			continue // not compiled into this Arrow Go: nothing to bound
		}
		compress.RegisterCodec(c.kind, boundedCodec{Codec: orig, decode: c.decode})
	}
}

// boundedCodec is a Parquet codec whose Decode fills dst and never grows
// it.
type boundedCodec struct {
	compress.Codec
	decode func(dst, src []byte) ([]byte, error)
}

func (c boundedCodec) Decode(dst, src []byte) []byte {
	if dst == nil {
		return c.Codec.Decode(dst, src)
	}
	out, err := c.decode(dst, src)
	if err != nil {
		panic(ray.Wrap(ray.ErrCorrupt, "rayarrow.ReadParquet", err, "decompressing a page"))
	}
	return out
}

// zstdDecoder decodes whole pages, never past the capacity of the buffer
// it is given.
var zstdDecoder, zstdErr = zstd.NewReader(nil, zstd.WithDecodeAllCapLimit(true), zstd.WithDecoderConcurrency(0))

func decodeZstd(dst, src []byte) ([]byte, error) {
	if zstdErr != nil {
		return nil, zstdErr
	}
	return zstdDecoder.DecodeAll(src, dst[:0:len(dst)])
}

func decodeSnappy(dst, src []byte) ([]byte, error) {
	n, err := snappy.DecodedLen(src)
	if err != nil {
		return nil, err
	}
	if n > len(dst) {
		return nil, ray.Errorf(ray.ErrCorrupt, "rayarrow.ReadParquet", "a snappy block of %d bytes in a page of %d", n, len(dst))
	}
	return snappy.Decode(dst, src)
}

// pageCodec decompresses a page into dst, whose length is the page's
// declared size, never growing it; nil is an uncompressed page.
type pageCodec func(dst, src []byte) ([]byte, error)

// codecOf returns the native reader's decoder of a Parquet codec: the
// bounded zstd and snappy above, LZ4_RAW blocks (which Arrow Go v17 does
// not read) decoded into dst, and Arrow Go's gzip, brotli and LZ4 (Hadoop
// framing), which read into the buffer they are given.
func codecOf(codec int64) (pageCodec, error) {
	switch compress.Compression(codec) {
	case compress.Codecs.Uncompressed:
		return nil, nil
	case compress.Codecs.Zstd:
		return decodeZstd, nil
	case compress.Codecs.Snappy:
		return decodeSnappy, nil
	case lz4Raw:
		return decodeLZ4Raw, nil
	}
	c, err := compress.GetCodec(compress.Compression(codec))
	if err != nil || codec == int64(compress.Codecs.Lzo) {
		return nil, fmt.Errorf("the codec %d", codec)
	}
	return func(dst, src []byte) ([]byte, error) { return c.Decode(dst, src), nil }, nil
}

// lz4Raw is Parquet's LZ4_RAW codec (CompressionCodec 7).
const lz4Raw = compress.Compression(7)

func decodeLZ4Raw(dst, src []byte) ([]byte, error) {
	n, err := lz4.UncompressBlock(src, dst)
	if err != nil {
		return nil, err
	}
	return dst[:n], nil
}
