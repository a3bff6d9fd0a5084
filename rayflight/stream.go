package rayflight

import (
	"encoding/binary"
	"errors"
	"io"

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

// receiver is the receiving side of a DoGet or DoPut stream:
// grpc.ServerStream and grpc.ClientStream both are.
type receiver interface {
	RecvMsg(m any) error
}

// ipcStream turns FlightData messages back into an IPC stream, refusing
// one of more than limit bytes. first, when not nil, is a message already
// received (DoPut's first carries the descriptor).
type ipcStream struct {
	r       receiver
	first   *inData
	cur     inData   // the message being read
	prefix  [8]byte  // its continuation marker and metadata length
	head    [][]byte // what is left of its prefix, metadata and padding
	total   int64
	bodyLen int64 // the body bytes of the message being read
	limit   int64
	err     error // why the stream was cut, if it was cut here
	// recvErr is the transport's error, when receiving a message failed:
	// whatever the IPC reader makes of the cut, it is the transport's.
	recvErr error
}

var errTooLarge = errors.New("stream past the limit")

var zeros [8]byte

func (s *ipcStream) Read(p []byte) (int, error) {
	for len(s.head) == 0 && s.cur.body == nil {
		s.cur.close()
		if s.first != nil {
			s.cur, s.first = *s.first, nil
		} else if err := s.r.RecvMsg(&s.cur); err != nil {
			if err != io.EOF {
				s.recvErr = err
			}
			return 0, err // io.EOF at the end of the stream
		}
		if len(s.cur.header) == 0 {
			s.cur.close()
			continue // a message of app metadata or a descriptor alone
		}
		bodyLen := 0
		if s.cur.body != nil {
			bodyLen = s.cur.body.Remaining()
		}
		s.bodyLen = int64(bodyLen)
		s.total += int64(len(s.cur.header) + bodyLen)
		if s.limit > 0 && s.total > s.limit {
			s.cur.close()
			s.err = errTooLarge
			return 0, s.err
		}
		// Continuation marker, the padded metadata's length, the metadata
		// padded to 8 bytes, then the body, read from the frames gRPC
		// received it in.
		pad := (8 - len(s.cur.header)%8) % 8
		binary.LittleEndian.PutUint32(s.prefix[:], 0xFFFFFFFF)
		binary.LittleEndian.PutUint32(s.prefix[4:], uint32(len(s.cur.header)+pad))
		s.head = append(s.head[:0], s.prefix[:], s.cur.header, zeros[:pad])
	}
	n := 0
	for n < len(p) && len(s.head) > 0 {
		c := copy(p[n:], s.head[0])
		n += c
		if s.head[0] = s.head[0][c:]; len(s.head[0]) == 0 {
			s.head = s.head[1:]
		}
	}
	if n < len(p) && len(s.head) == 0 && s.cur.body != nil {
		c, _ := s.cur.body.Read(p[n:])
		n += c
		if s.cur.body.Remaining() == 0 {
			s.cur.close()
		}
	}
	return n, nil
}

// BodyLen returns the body bytes of the message being read, for the IPC
// reader's check of what its metadata declares (rayarrow.FramedReader).
func (s *ipcStream) BodyLen() int64 { return s.bodyLen }

// close gives back the buffers of the messages not read.
func (s *ipcStream) close() {
	s.cur.close()
	if s.first != nil {
		s.first.close()
	}
}

// readTable reads a whole stream into one TABLE: the record batches
// joined in order.
func readTable(s *ipcStream, op string) (value.V, error) {
	batches, err := readBatches(s, op)
	if err != nil {
		return value.V{}, err
	}
	return joinTables(batches, op)
}

// readBatches reads every record batch of a stream, each a TABLE.
func readBatches(s *ipcStream, op string) ([]value.V, error) {
	defer s.close()
	batches, err := rayarrow.ReadIPC(s)
	if err != nil {
		if s.err == errTooLarge {
			return nil, ray.Errorf(ray.ErrLimit, op, "the stream passes its limit of %d bytes", s.limit)
		}
		return nil, err
	}
	if len(batches) == 0 {
		return nil, ray.Errorf(ray.ErrCorrupt, op, "a stream with no schema")
	}
	return batches, nil
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
		return value.V{}, ray.Wrap(ray.ErrCorrupt, op, err, "record batches of different schemas in one table")
	}
	return t, nil
}
