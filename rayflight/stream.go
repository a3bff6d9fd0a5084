package rayflight

import (
	"encoding/binary"
	"errors"
	"fmt"

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
	pending []byte
	total   int64
	limit   int64
	err     error // why the stream was cut, if it was cut here
}

var errTooLarge = errors.New("stream past the limit")

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
		// padded to 8 bytes, the body.
		pad := (8 - len(fd.DataHeader)%8) % 8
		msg := make([]byte, 8, 8+len(fd.DataHeader)+pad+len(fd.DataBody))
		binary.LittleEndian.PutUint32(msg, 0xFFFFFFFF)
		binary.LittleEndian.PutUint32(msg[4:], uint32(len(fd.DataHeader)+pad))
		msg = append(msg, fd.DataHeader...)
		msg = append(msg, make([]byte, pad)...)
		s.pending = append(msg, fd.DataBody...)
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
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

// joinTables appends the rows of every table to the first's, taking over
// the caller's references.
func joinTables(ts []value.V, op string) (value.V, error) {
	defer func() {
		for i := range ts {
			cow.Release(&ts[i])
		}
	}()
	if len(ts) == 1 {
		return cow.Retain(ts[0]), nil
	}
	out, err := vec.NewTable()
	if err != nil {
		return value.V{}, err
	}
	for i := range vec.NumCols(ts[0]) {
		name, col, _ := vec.ColumnAt(ts[0], i)
		col = cow.Retain(col)
		for _, t := range ts[1:] {
			_, next, err := vec.ColumnByName(t, name)
			if err == nil && vec.NumCols(t) != vec.NumCols(ts[0]) {
				err = fmt.Errorf("%d columns, then %d", vec.NumCols(ts[0]), vec.NumCols(t))
			}
			var joined value.V
			if err == nil {
				joined, err = vec.Concat(col, next)
			}
			cow.Release(&col)
			if err != nil {
				cow.Release(&out)
				return value.V{}, ray.Wrap(ray.ErrCorrupt, op, err, "record batches of different schemas in one stream")
			}
			col = joined
		}
		err := vec.AddColumn(&out, name, col)
		cow.Release(&col)
		if err != nil {
			cow.Release(&out)
			return value.V{}, err
		}
	}
	return out, nil
}
