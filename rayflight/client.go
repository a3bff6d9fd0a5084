package rayflight

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/flight"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/value"
)

// ClientConfig sets up a Client.
type ClientConfig struct {
	Token string      // the bearer token to send; empty sends none
	TLS   *tls.Config // speak TLS; nil speaks plain TCP
	// MaxFetchBytes bounds what one endpoint's stream may send (default
	// 4 GiB); the heap's budget bounds the tables it becomes.
	MaxFetchBytes int64
	// MaxMessageBytes bounds one gRPC message (default 64 MiB).
	MaxMessageBytes int
	// Streams bounds the endpoints Fetch reads at once (default 4).
	Streams int
}

// Client fetches and puts raygo tables over Arrow Flight. It is safe for
// use by several goroutines.
type Client struct {
	cfg  ClientConfig
	addr string

	mu    sync.Mutex
	conns map[string]flight.Client // by address: the first is addr's
}

// Dial connects to the Flight server at addr (host:port).
func Dial(addr string, cfg ClientConfig) (*Client, error) {
	if cfg.MaxFetchBytes <= 0 {
		cfg.MaxFetchBytes = 4 << 30
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = 64 << 20
	}
	if cfg.Streams <= 0 {
		cfg.Streams = 4
	}
	c := &Client{cfg: cfg, addr: addr, conns: map[string]flight.Client{}}
	if _, err := c.conn(addr); err != nil {
		return nil, err
	}
	return c, nil
}

// conn returns the connection to addr, dialling it the first time.
func (c *Client) conn(addr string) (flight.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if fc, ok := c.conns[addr]; ok {
		return fc, nil
	}
	creds := insecure.NewCredentials()
	if c.cfg.TLS != nil {
		creds = credentials.NewTLS(c.cfg.TLS)
	}
	fc, err := flight.NewClientWithMiddleware(addr, nil, nil, grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(c.cfg.MaxMessageBytes), grpc.MaxCallSendMsgSize(c.cfg.MaxMessageBytes),
			grpc.ForceCodecV2(codec)))
	if err != nil {
		return nil, ray.Wrap(ray.ErrIO, "rayflight.Dial", err, "connecting to %s", addr)
	}
	c.conns[addr] = fc
	return fc, nil
}

// Close closes every connection.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for addr, fc := range c.conns {
		if err := fc.Close(); err != nil && first == nil {
			first = err
		}
		delete(c.conns, addr)
	}
	return first
}

func (c *Client) ctx(ctx context.Context) context.Context {
	if c.cfg.Token == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+c.cfg.Token)
}

// Fetch reads the dataset name into one TABLE: its FlightInfo, then its
// endpoints, several at once (ClientConfig.Streams), each from the first
// location it names (the server asked when it names none).
//
// From a raygo server, whose tickets name each endpoint's row range, the
// table is filled in place (rayarrow.TableFill): each column is allocated
// once at the table's rows and every batch is copied straight into its
// rows. Ranges that overlap, leave gaps, disagree with the declared total
// or with the rows that arrive are ErrCorrupt. From other servers, whose
// tickets say nothing of rows, each endpoint is read into a table whose
// columns grow as its batches arrive, and the endpoints' tables are joined
// in endpoint order (vec.ConcatAll; a single endpoint's table is the
// result as it is).
//
// ctx cancels the fetch. On any error nothing the fetch allocated is left.
func (c *Client) Fetch(ctx context.Context, name string) (value.V, error) {
	info, err := c.info(ctx, name)
	if err != nil {
		return value.V{}, err
	}
	ranges, ok, err := rowRanges(info)
	if err != nil {
		return value.V{}, err
	}
	if ok {
		return c.fetchInto(ctx, info, ranges)
	}
	return c.fetchJoined(ctx, info)
}

// info asks for the FlightInfo of name.
func (c *Client) info(ctx context.Context, name string) (*flight.FlightInfo, error) {
	fc, err := c.conn(c.addr)
	if err != nil {
		return nil, err
	}
	info, err := fc.GetFlightInfo(c.ctx(ctx), &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{name}})
	if err != nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	if err != nil {
		return nil, ray.Wrap(ray.ErrIO, "rayflight.Fetch", err, "asking for %.80q", name)
	}
	if len(info.Endpoint) == 0 {
		return nil, ray.Errorf(ray.ErrCorrupt, "rayflight.Fetch", "%.80q has no endpoint", name)
	}
	return info, nil
}

// rowRange is the rows [from, to) an endpoint holds.
type rowRange struct{ from, to int }

// rowRanges returns each endpoint's rows when every ticket is a raygo
// server's (ok), checking that they tile [0, TotalRecords) in endpoint
// order.
func rowRanges(info *flight.FlightInfo) (ranges []rowRange, ok bool, err error) {
	for _, ep := range info.Endpoint {
		var tk ticket
		d := json.NewDecoder(bytes.NewReader(ep.GetTicket().GetTicket()))
		d.DisallowUnknownFields()
		if d.Decode(&tk) != nil || tk.Table == "" || d.More() {
			return nil, false, nil // not a raygo server's ticket
		}
		ranges = append(ranges, rowRange{tk.From, tk.To})
	}
	next := 0
	for i, r := range ranges {
		if r.from != next || r.to < r.from {
			return nil, false, ray.Errorf(ray.ErrCorrupt, "rayflight.Fetch", "endpoint %d holds rows [%d, %d) after rows [0, %d)", i, r.from, r.to, next)
		}
		next = r.to
	}
	if int64(next) != info.TotalRecords {
		return nil, false, ray.Errorf(ray.ErrCorrupt, "rayflight.Fetch", "endpoints of %d rows in all for a total of %d", next, info.TotalRecords)
	}
	return ranges, true, nil
}

// eachEndpoint runs f for every endpoint, at most ClientConfig.Streams at
// once, and returns the first error; the first error cancels the context
// the others are given.
func (c *Client) eachEndpoint(ctx context.Context, info *flight.FlightInfo, f func(ctx context.Context, i int, ep *flight.FlightEndpoint) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var first error // the error that cancelled the others
	slots := make(chan struct{}, c.cfg.Streams)
	var wg sync.WaitGroup
	for i, ep := range info.Endpoint {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			select {
			case slots <- struct{}{}:
				err = f(ctx, i, ep)
				<-slots
			case <-ctx.Done():
				err = ray.Wrap(ray.ErrIO, "rayflight.Fetch", context.Cause(ctx), "fetching")
			}
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
				cancel()
			}
		}()
	}
	wg.Wait()
	return first
}

// fetchInto fills the table from endpoints of known row ranges.
func (c *Client) fetchInto(ctx context.Context, info *flight.FlightInfo, ranges []rowRange) (value.V, error) {
	fill, err := rayarrow.NewTableFill(int(info.TotalRecords))
	if err != nil {
		return value.V{}, err
	}
	defer fill.Release()
	parts := make([]*rayarrow.FillPart, len(ranges))
	for i, r := range ranges {
		if parts[i], err = fill.Part(r.from, r.to-r.from); err != nil {
			return value.V{}, err
		}
	}
	err = c.eachEndpoint(ctx, info, func(ctx context.Context, i int, ep *flight.FlightEndpoint) error {
		return c.readEndpoint(ctx, ep, func(s *ipcStream) error { return parts[i].AppendIPC(s) })
	})
	if err != nil {
		return value.V{}, err
	}
	return fill.Finish()
}

// fetchJoined reads each endpoint into a table of its own, whose columns
// grow as its batches arrive (rayarrow.NewGrowingFill), and joins the
// endpoints' tables in order: one endpoint's table is the result as it is.
func (c *Client) fetchJoined(ctx context.Context, info *flight.FlightInfo) (value.V, error) {
	parts := make([]value.V, len(info.Endpoint))
	err := c.eachEndpoint(ctx, info, func(ctx context.Context, i int, ep *flight.FlightEndpoint) error {
		return c.readEndpoint(ctx, ep, func(s *ipcStream) error {
			fill, part, err := rayarrow.NewGrowingFill()
			if err != nil {
				return err
			}
			defer fill.Release()
			if err := part.AppendIPC(s); err != nil {
				return err
			}
			parts[i], err = fill.Finish()
			return err
		})
	})
	if err != nil {
		for i := range parts {
			cow.Release(&parts[i])
		}
		return value.V{}, err
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return joinTables(parts, "rayflight.Fetch")
}

// Scan yields the record batches of the dataset name one at a time, each
// a TABLE the caller owns and releases, endpoint after endpoint in order:
// the form of Fetch for a table larger than memory. The sequence stops
// after the first error it yields; ctx cancels it.
func (c *Client) Scan(ctx context.Context, name string) iter.Seq2[value.V, error] {
	return func(yield func(value.V, error) bool) {
		info, err := c.info(ctx, name)
		if err != nil {
			yield(value.V{}, err)
			return
		}
		stopped := false
		for _, ep := range info.Endpoint {
			err := c.readEndpoint(ctx, ep, func(s *ipcStream) error {
				for t, err := range rayarrow.ScanIPC(s) {
					if err != nil {
						return err
					}
					if !yield(t, nil) {
						stopped = true
						return nil
					}
				}
				return nil
			})
			if stopped {
				return
			}
			if err != nil {
				yield(value.V{}, err)
				return
			}
		}
	}
}

// readEndpoint opens an endpoint's stream and hands it to read. A stream
// past ClientConfig.MaxFetchBytes is ErrLimit; a failure of the transport
// is ErrIO.
func (c *Client) readEndpoint(ctx context.Context, ep *flight.FlightEndpoint, read func(*ipcStream) error) error {
	addr := c.addr
	if locs := ep.GetLocation(); len(locs) > 0 && locs[0].GetUri() != "" {
		var err error
		if addr, err = locationAddr(locs[0].GetUri()); err != nil {
			return err
		}
	}
	fc, err := c.conn(addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the stream when read stops early
	stream, err := fc.DoGet(c.ctx(ctx), ep.GetTicket())
	if err != nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	if err != nil {
		return ray.Wrap(ray.ErrIO, "rayflight.Fetch", err, "DoGet from %s", addr)
	}
	s := &ipcStream{r: stream, limit: c.cfg.MaxFetchBytes}
	defer s.close()
	err = read(s)
	switch {
	case err == nil:
		return nil
	case s.err == errTooLarge:
		return ray.Errorf(ray.ErrLimit, "rayflight.Fetch", "the stream passes its limit of %d bytes", s.limit)
	case s.recvErr != nil && ctx.Err() == nil: // the server or the network ended the stream
		return ray.Wrap(ray.ErrIO, "rayflight.Fetch", s.recvErr, "reading from %s", addr)
	case ctx.Err() != nil: // a stream cut by the cancellation, whatever it broke
		return ray.Wrap(ray.ErrIO, "rayflight.Fetch", context.Cause(ctx), "reading from %s", addr)
	case !errors.As(err, new(*ray.Error)):
		return ray.Wrap(ray.ErrIO, "rayflight.Fetch", err, "reading from %s", addr)
	}
	return err
}

// locationAddr returns the host:port of a Flight location URI.
func locationAddr(uri string) (string, error) {
	for _, scheme := range []string{"grpc+tcp://", "grpc://", "grpc+tls://"} {
		if rest, ok := strings.CutPrefix(uri, scheme); ok {
			return rest, nil
		}
	}
	return "", ray.Errorf(ray.ErrNYI, "rayflight.Fetch", "a location %.80q (grpc+tcp:// and grpc+tls:// are served)", uri)
}

// Put sends t as the table name, replacing any table of that name on the
// server.
func (c *Client) Put(ctx context.Context, name string, t value.V) error {
	fc, err := c.conn(c.addr)
	if err != nil {
		return err
	}
	stream, err := fc.DoPut(c.ctx(ctx))
	if err != nil {
		return ray.Wrap(ray.ErrIO, "rayflight.Put", err, "DoPut to %s", c.addr)
	}
	err = rayarrow.WriteTables(func(schema *arrow.Schema) (rayarrow.RecordWriter, error) {
		w, err := newStreamWriter(stream, schema, &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{name}})
		return putWriter{w, stream}, err
	}, t)
	if errors.Is(err, io.EOF) {
		// The server ended the stream before the table was sent (a refusal):
		// its status, not the broken send, says why.
		if _, rerr := stream.Recv(); rerr != nil && rerr != io.EOF {
			return ray.Wrap(ray.ErrIO, "rayflight.Put", rerr, "the server refused %.80q", name)
		}
	}
	if err != nil {
		return err
	}
	// The server answers once it has read and published the table.
	for {
		if _, err := stream.Recv(); err != nil {
			if err == io.EOF {
				return nil
			}
			return ray.Wrap(ray.ErrIO, "rayflight.Put", err, "the server refused %.80q", name)
		}
	}
}

// putWriter closes the sending side of a DoPut when the records are
// written.
type putWriter struct {
	*ipc.Writer
	stream flight.FlightService_DoPutClient
}

func (w putWriter) Close() error {
	if err := w.Writer.Close(); err != nil {
		return err
	}
	return w.stream.CloseSend()
}

// Drop asks the server to drop the table name.
func (c *Client) Drop(ctx context.Context, name string) error {
	fc, err := c.conn(c.addr)
	if err != nil {
		return err
	}
	stream, err := fc.DoAction(c.ctx(ctx), &flight.Action{Type: "drop", Body: []byte(name)})
	if err == nil {
		_, err = stream.Recv()
	}
	if err != nil {
		return ray.Wrap(ray.ErrIO, "rayflight.Drop", err, "dropping %.80q", name)
	}
	return nil
}
