package rayarrow

import (
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"

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
