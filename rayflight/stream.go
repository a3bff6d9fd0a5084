package rayflight

import (
	"encoding/binary"
	"errors"

	"github.com/apache/arrow/go/v17/arrow/flight"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// Flight carries an Arrow IPC stream cut into messages: each FlightData
// holds one IPC message's flatbuffer header and its body. Both ends here
// read that data as the IPC stream it is (ipcStream), through
// rayarrow.ReadIPC, so that what arrives over the network passes the same
// verification as a file before Arrow Go decodes any of it, and allocates
// within the same bounds.

// dataReceiver is the receiving side of a DoGet or DoPut stream.
type dataReceiver interface {
	Recv() (*flight.FlightData, error)
}

// ipcStream turns FlightData messages back into an IPC stream, refusing
// one of more than limit bytes. first, when not nil, is a message already
// received (DoPut's first carries the descriptor).
type ipcStream struct {
	r       dataReceiver
	first   *flight.FlightData
	prefix  [8]byte
	pending [][]byte // what is left of the current message: prefix, header, padding, body
	total   int64
	limit   int64
	err     error // why the stream was cut, if it was cut here
}

var errTooLarge = errors.New("stream past the limit")

var zeros [8]byte

func (s *ipcStream) Read(p []byte) (int, error) {
	for len(s.pending) == 0 {
		fd := s.first
		s.first = nil
		if fd == nil {
			var err error
			if fd, err = s.r.Recv(); err != nil {
				return 0, err // io.EOF at the end of the stream
			}
		}
		if len(fd.DataHeader) == 0 {
			continue // a message of app metadata or a descriptor alone
		}
		s.total += int64(len(fd.DataHeader) + len(fd.DataBody))
		if s.limit > 0 && s.total > s.limit {
			s.err = errTooLarge
			return 0, s.err
		}
		// Continuation marker, the padded header's length, the header
		// padded to 8 bytes, the body: handed on in place, not copied
		// into one buffer first.
		pad := (8 - len(fd.DataHeader)%8) % 8
		binary.LittleEndian.PutUint32(s.prefix[:], 0xFFFFFFFF)
		binary.LittleEndian.PutUint32(s.prefix[4:], uint32(len(fd.DataHeader)+pad))
		s.pending = append(s.pending[:0], s.prefix[:], fd.DataHeader, zeros[:pad], fd.DataBody)
	}
	n := 0
	for n < len(p) && len(s.pending) > 0 {
		c := copy(p[n:], s.pending[0])
		n += c
		if s.pending[0] = s.pending[0][c:]; len(s.pending[0]) == 0 {
			s.pending = s.pending[1:]
		}
	}
	return n, nil
}

// readTable reads a whole stream into one TABLE: the record batches
// joined in order. A stream of no batch is an empty table of its schema.
func readTable(s *ipcStream, op string) (value.V, error) {
	batches, err := rayarrow.ReadIPC(s)
	if err != nil {
		if s.err == errTooLarge {
			return value.V{}, ray.Errorf(ray.ErrLimit, op, "the stream passes its limit of %d bytes", s.limit)
		}
		return value.V{}, err
	}
	if len(batches) == 0 {
		return value.V{}, ray.Errorf(ray.ErrCorrupt, op, "a stream with no schema")
	}
	return joinTables(batches, op)
}

// joinTables joins ts, in order, into one TABLE, taking over the caller's
// references.
func joinTables(ts []value.V, op string) (value.V, error) {
	defer func() {
		for i := range ts {
			cow.Release(&ts[i])
		}
	}()
	t, err := vec.ConcatAll(ts...)
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrCorrupt, op, err, "record batches of different schemas in one stream")
	}
	return t, nil
}
