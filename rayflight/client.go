package rayflight

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
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

// Fetch reads the dataset name: its FlightInfo, then every endpoint at
// once, each from the first location it names (the server asked when it
// names none), joined in endpoint order into one TABLE.
func (c *Client) Fetch(ctx context.Context, name string) (value.V, error) {
	fc, err := c.conn(c.addr)
	if err != nil {
		return value.V{}, err
	}
	info, err := fc.GetFlightInfo(c.ctx(ctx), &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{name}})
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrIO, "rayflight.Fetch", err, "asking for %.80q", name)
	}
	if len(info.Endpoint) == 0 {
		return value.V{}, ray.Errorf(ray.ErrCorrupt, "rayflight.Fetch", "%.80q has no endpoint", name)
	}
	parts := make([][]value.V, len(info.Endpoint))
	errs := make([]error, len(info.Endpoint))
	var wg sync.WaitGroup
	for i, ep := range info.Endpoint {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[i], errs[i] = c.fetchEndpoint(ctx, ep)
		}()
	}
	wg.Wait()
	// Every endpoint's batches, in order, joined at once: each row is
	// copied once into the table.
	var batches []value.V
	for _, p := range parts {
		batches = append(batches, p...)
	}
	for _, err := range errs {
		if err != nil {
			for i := range batches {
				cow.Release(&batches[i])
			}
			return value.V{}, err
		}
	}
	return joinTables(batches, "rayflight.Fetch")
}

// fetchEndpoint reads one endpoint's stream: its record batches.
func (c *Client) fetchEndpoint(ctx context.Context, ep *flight.FlightEndpoint) ([]value.V, error) {
	addr := c.addr
	if locs := ep.GetLocation(); len(locs) > 0 && locs[0].GetUri() != "" {
		var err error
		if addr, err = locationAddr(locs[0].GetUri()); err != nil {
			return nil, err
		}
	}
	fc, err := c.conn(addr)
	if err != nil {
		return nil, err
	}
	stream, err := fc.DoGet(c.ctx(ctx), ep.GetTicket())
	if err != nil {
		return nil, ray.Wrap(ray.ErrIO, "rayflight.Fetch", err, "DoGet from %s", addr)
	}
	batches, err := readBatches(&ipcStream{r: stream, limit: c.cfg.MaxFetchBytes}, "rayflight.Fetch")
	if err != nil && !errors.As(err, new(*ray.Error)) {
		err = ray.Wrap(ray.ErrIO, "rayflight.Fetch", err, "reading from %s", addr)
	}
	return batches, err
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
