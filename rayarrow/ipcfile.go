package rayarrow

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"

	"github.com/raygo/ray"
)

// An Arrow IPC file is defined by its footer, not by the stream between
// its magic numbers:
//
//	"ARROW1" 00 00 | messages ... | footer | int32 footer length | "ARROW1"
//
// The footer (Arrow's File.fbs) holds the schema and the position of every
// dictionary batch and record batch message (a Block: offset, metadata
// length, body length). Writers need not put a Schema message before the
// batches: apache-arrow's file writer does not. So a file is read as the
// stream its footer describes: a Schema message built around the footer's
// schema, then each dictionary block, then each record batch block, each
// read from where the footer says it is. That stream goes through
// verifiedStream like any other, so every message is checked from the bytes
// actually read, and the footer itself is only walked with the same
// bounds-checked flatbuffer reads.

const ipcMagic = "ARROW1"

// blockSize is the size of a footer Block struct: offset int64,
// metaDataLength int32 (and 4 bytes of padding), bodyLength int64.
const blockSize = 24

// ipcFileStream returns the IPC stream that the file r of size bytes
// describes in its footer. Errors are ErrCorrupt for a damaged file and
// ErrIO for failed reads.
func ipcFileStream(r io.ReaderAt, size int64) (io.Reader, error) {
	const tail = len(ipcMagic) + 4
	if size < int64(8+tail) {
		return nil, corruptIPCFile("%d bytes: not an Arrow IPC file", size)
	}
	var head [8]byte
	end := make([]byte, tail)
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, ray.Wrap(ray.ErrIO, "rayarrow.ReadIPCFile", err, "reading the file's first bytes")
	}
	if _, err := r.ReadAt(end, size-int64(tail)); err != nil {
		return nil, ray.Wrap(ray.ErrIO, "rayarrow.ReadIPCFile", err, "reading the file's last bytes")
	}
	if string(head[:len(ipcMagic)]) != ipcMagic || string(end[4:]) != ipcMagic {
		return nil, corruptIPCFile("no ARROW1 at both ends: not an Arrow IPC file")
	}
	footerLen := int64(int32(binary.LittleEndian.Uint32(end)))
	footerAt := size - int64(tail) - footerLen
	if footerLen <= 0 || footerLen > maxMetadata || footerAt < 8 {
		return nil, corruptIPCFile("a footer of %d bytes in a file of %d", footerLen, size)
	}
	footer := make([]byte, footerLen)
	if _, err := r.ReadAt(footer, footerAt); err != nil {
		return nil, ray.Wrap(ray.ErrIO, "rayarrow.ReadIPCFile", err, "reading the footer")
	}
	b := fb(footer)
	root, err := b.u32(0)
	if err != nil {
		return nil, err
	}
	f, err := b.table(root)
	if err != nil {
		return nil, err
	}
	version, err := f.u16(0)
	if err != nil {
		return nil, err
	}
	schemaAt, err := f.ref(1)
	if err != nil {
		return nil, err
	}
	if schemaAt < 0 {
		return nil, corruptIPCFile("the footer has no schema")
	}
	s := &fileStream{r: r, footer: b, end: footerAt}
	if s.dicts, s.ndicts, err = f.vector(2, blockSize); err != nil {
		return nil, err
	}
	if s.batches, s.nbatches, err = f.vector(3, blockSize); err != nil {
		return nil, err
	}
	s.cur = bytes.NewReader(schemaMessage(footer, schemaAt, uint16(version)))
	return s, nil
}

func corruptIPCFile(format string, args ...any) error {
	return ray.Errorf(ray.ErrCorrupt, "rayarrow.ReadIPCFile", format, args...)
}

// schemaMessage returns a framed IPC Message whose header is the schema
// table at schemaAt in footer. Flatbuffer offsets are relative, so the
// footer is copied whole, at the same alignment, behind a small Message
// table that points into it:
//
//	0   uint32  root: the Message table at 16
//	4   vtable  10 bytes: its size, the table's size (12), and the
//	            offsets of version (8), header_type (10) and header (4)
//	16  table   int32 back to the vtable, uint32 header, int16 version,
//	            uint8 header_type (1: Schema), a pad byte
//	28  pad     to the footer's alignment
//	    footer  as read
func schemaMessage(footer []byte, schemaAt int, version uint16) []byte {
	const tableAt, footerMin = 16, 32
	base := footerMin // footers come 8-aligned from every writer; keep any other alignment too
	meta := make([]byte, base+len(footer))
	le := binary.LittleEndian
	le.PutUint32(meta[0:], tableAt)
	le.PutUint16(meta[4:], 10) // vtable size
	le.PutUint16(meta[6:], 12) // table size
	le.PutUint16(meta[8:], 8)  // version
	le.PutUint16(meta[10:], 10)
	le.PutUint16(meta[12:], 4) // header
	le.PutUint32(meta[tableAt:], uint32(tableAt-4))
	le.PutUint32(meta[tableAt+4:], uint32(base+schemaAt-(tableAt+4)))
	le.PutUint16(meta[tableAt+8:], version)
	meta[tableAt+10] = 1 // MessageHeader Schema
	copy(meta[base:], footer)
	for len(meta)%8 != 0 {
		meta = append(meta, 0)
	}
	framed := make([]byte, 8, 8+len(meta))
	le.PutUint32(framed[0:], 0xFFFFFFFF)
	le.PutUint32(framed[4:], uint32(len(meta)))
	return append(framed, meta...)
}

// fileStream reads the messages of an IPC file in stream order: the schema
// message, the dictionary blocks, the record batch blocks, and an end
// marker. It checks each block's bounds against the file before reading it.
type fileStream struct {
	r      io.ReaderAt
	footer fb
	end    int64 // where the footer starts: every block ends before it

	dicts, ndicts     int // first Block and count, in footer
	batches, nbatches int
	next              int // blocks handed on so far, dictionaries first
	cur               io.Reader
	done              bool
}

var endOfStream = []byte{0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0}

func (s *fileStream) Read(p []byte) (int, error) {
	for {
		if s.cur != nil {
			n, err := s.cur.Read(p)
			if n > 0 || !errors.Is(err, io.EOF) {
				return n, err
			}
			s.cur = nil
		}
		if s.done {
			return 0, io.EOF
		}
		if err := s.advance(); err != nil {
			return 0, err
		}
	}
}

// advance makes the next block (or the end marker) the current reader.
func (s *fileStream) advance() error {
	i := s.next
	var at int
	switch {
	case i < s.ndicts:
		at = s.dicts + i*blockSize
	case i < s.ndicts+s.nbatches:
		at = s.batches + (i-s.ndicts)*blockSize
	default:
		s.cur, s.done = bytes.NewReader(endOfStream), true
		return nil
	}
	s.next++
	off, err := s.footer.i64(at)
	if err != nil {
		return err
	}
	meta, err := s.footer.u32(at + 8)
	if err != nil {
		return err
	}
	body, err := s.footer.i64(at + 16)
	if err != nil {
		return err
	}
	metaLen := int64(int32(meta))
	if off < 8 || metaLen < 8 || metaLen > maxMetadata+8 || body < 0 || body > s.end ||
		off > s.end-metaLen-body {
		return corruptIPCFile("block %d: %d bytes of metadata and %d of body at %d, in a file whose footer starts at %d", i, metaLen, body, off, s.end)
	}
	s.cur = io.NewSectionReader(s.r, off, metaLen+body)
	return nil
}
