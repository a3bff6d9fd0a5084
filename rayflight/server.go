package rayflight

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/flight"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/rayarrow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// Config sets up a Server. The zero Config serves anyone, with the
// defaults below.
type Config struct {
	// Token is the bearer token every call must carry ("authorization:
	// Bearer <token>"); empty serves anyone.
	Token string
	// TLS, when set, makes the server speak TLS.
	TLS *tls.Config
	// PartitionRows is the rows of each endpoint (default 1<<20).
	PartitionRows int
	// BatchRows is the rows of each record batch (default 1<<16).
	BatchRows int
	// MaxStreams bounds the DoGet and DoPut streams running at once
	// (default 64); one more gets ResourceExhausted.
	MaxStreams int
	// MaxPutBytes bounds the bytes one DoPut may send (default 1 GiB).
	MaxPutBytes int64
	// MaxMessageBytes bounds one gRPC message either way (default 64 MiB).
	MaxMessageBytes int
	// Locations are the URIs endpoints name (for example
	// "grpc+tcp://node1:8815"); none means "the server you asked".
	Locations []string
}

func (c Config) withDefaults() Config {
	if c.PartitionRows <= 0 {
		c.PartitionRows = 1 << 20
	}
	if c.BatchRows <= 0 {
		c.BatchRows = 1 << 16
	}
	if c.MaxStreams <= 0 {
		c.MaxStreams = 64
	}
	if c.MaxPutBytes <= 0 {
		c.MaxPutBytes = 1 << 30
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = 64 << 20
	}
	return c
}

// Server publishes raygo tables over Arrow Flight (see the package
// comment).
type Server struct {
	flight.BaseFlightServer
	cfg     Config
	streams chan struct{}

	mu     sync.RWMutex
	tables map[string]published
	gen    uint64
}

type published struct {
	t   value.V
	gen uint64
}

// NewServer returns a server with no tables.
func NewServer(cfg Config) *Server {
	cfg = cfg.withDefaults()
	return &Server{cfg: cfg, streams: make(chan struct{}, cfg.MaxStreams), tables: map[string]published{}}
}

// Publish makes t, a TABLE, available as name, replacing any table of that
// name. The server keeps its own reference.
func (s *Server) Publish(name string, t value.V) error {
	if t.IsZero() || t.Type() != value.Table {
		return ray.Errorf(ray.ErrType, "rayflight.Publish", "want a TABLE, have %v", t.TypeName())
	}
	if err := vec.CheckColumnName(name); err != nil {
		return ray.Errorf(ray.ErrName, "rayflight.Publish", "table name %.40q: %v", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.tables[name]
	s.gen++
	s.tables[name] = published{t: cow.Retain(t), gen: s.gen}
	cow.Release(&old.t)
	return nil
}

// Drop removes the table name and reports whether there was one. Streams
// reading it finish with the rows they started on.
func (s *Server) Drop(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.tables[name]
	delete(s.tables, name)
	cow.Release(&p.t)
	return ok
}

// Close drops every table.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, p := range s.tables {
		cow.Release(&p.t)
		delete(s.tables, name)
	}
}

// table returns a reference to the table name, which the caller releases.
func (s *Server) table(name string) (published, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.tables[name]
	if ok {
		p.t = cow.Retain(p.t)
	}
	return p, ok
}

// FlightServer returns a gRPC Flight server for s, with its token check,
// TLS and limits; Init it with an address and Serve it.
func (s *Server) FlightServer(opts ...grpc.ServerOption) flight.Server {
	opts = append(opts,
		grpc.MaxRecvMsgSize(s.cfg.MaxMessageBytes),
		grpc.MaxSendMsgSize(s.cfg.MaxMessageBytes),
		grpc.ForceServerCodecV2(codec),
		grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			if err := s.authorize(ctx); err != nil {
				return nil, err
			}
			return h(ctx, req)
		}),
		grpc.ChainStreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			if err := s.authorize(ss.Context()); err != nil {
				return err
			}
			return h(srv, ss)
		}))
	if s.cfg.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(s.cfg.TLS)))
	}
	fs := flight.NewServerWithMiddleware(nil, opts...)
	fs.RegisterFlightService(s)
	return fs
}

func (s *Server) authorize(ctx context.Context) error {
	if s.cfg.Token == "" {
		return nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		if tok, ok := strings.CutPrefix(v, "Bearer "); ok && subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.Token)) == 1 {
			return nil
		}
	}
	return status.Error(codes.Unauthenticated, "rayflight: no valid bearer token")
}

// acquire takes a stream slot, or fails with ResourceExhausted.
func (s *Server) acquire() (release func(), err error) {
	select {
	case s.streams <- struct{}{}:
		return func() { <-s.streams }, nil
	default:
		return nil, status.Errorf(codes.ResourceExhausted, "rayflight: %d streams are running, the most this server runs at once", s.cfg.MaxStreams)
	}
}

// ticket is what DoGet is given: a table, a row range, its generation.
type ticket struct {
	Table string `json:"table"`
	From  int    `json:"from"`
	To    int    `json:"to"`
	Gen   uint64 `json:"gen"`
}

func (s *Server) info(name string, p published, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	schema, err := tableSchema(p.t)
	if err != nil {
		return nil, flightError(err)
	}
	rows := vec.NumRows(p.t)
	info := &flight.FlightInfo{
		Schema:           flight.SerializeSchema(schema, memory.DefaultAllocator),
		FlightDescriptor: desc,
		TotalRecords:     int64(rows),
		TotalBytes:       tableBytes(p.t),
	}
	var locs []*flight.Location
	for _, uri := range s.cfg.Locations {
		locs = append(locs, &flight.Location{Uri: uri})
	}
	for from := 0; from < rows || (from == 0 && rows == 0); from += s.cfg.PartitionRows {
		b, _ := json.Marshal(ticket{Table: name, From: from, To: min(from+s.cfg.PartitionRows, rows), Gen: p.gen})
		info.Endpoint = append(info.Endpoint, &flight.FlightEndpoint{Ticket: &flight.Ticket{Ticket: b}, Location: locs})
		if rows == 0 {
			break
		}
	}
	return info, nil
}

// tableSchema returns the Arrow schema t exports to.
func tableSchema(t value.V) (*arrow.Schema, error) {
	rec, err := rayarrow.ExportRecord(t)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return rec.Schema(), nil
}

// tableBytes is the bytes of t's columns' elements (a STR element counts
// its 16-byte view, not its string).
func tableBytes(t value.V) int64 {
	var n int64
	for _, c := range vec.Schema(t) {
		n += int64(vec.NumRows(t)) * int64(max(c.Type.ElemSize(), 1))
	}
	return n
}

func (s *Server) ListFlights(_ *flight.Criteria, stream flight.FlightService_ListFlightsServer) error {
	s.mu.RLock()
	names := make([]string, 0, len(s.tables))
	for name := range s.tables {
		names = append(names, name)
	}
	s.mu.RUnlock()
	for _, name := range names {
		p, ok := s.table(name)
		if !ok {
			continue // dropped meanwhile
		}
		info, err := s.info(name, p, &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{name}})
		cow.Release(&p.t)
		if err != nil {
			return err
		}
		if err := stream.Send(info); err != nil {
			return err
		}
	}
	return nil
}

func descriptorName(desc *flight.FlightDescriptor) (string, error) {
	if desc == nil || desc.Type != flight.DescriptorPATH || len(desc.Path) != 1 {
		return "", status.Error(codes.InvalidArgument, "rayflight: a descriptor is a path of one name, the table's")
	}
	return desc.Path[0], nil
}

// described returns a reference to the table a descriptor names.
func (s *Server) described(desc *flight.FlightDescriptor) (string, published, error) {
	name, err := descriptorName(desc)
	if err != nil {
		return "", published{}, err
	}
	p, ok := s.table(name)
	if !ok {
		return "", published{}, status.Errorf(codes.NotFound, "rayflight: no table %.80q", name)
	}
	return name, p, nil
}

func (s *Server) GetFlightInfo(_ context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	name, p, err := s.described(desc)
	if err != nil {
		return nil, err
	}
	defer cow.Release(&p.t)
	return s.info(name, p, desc)
}

func (s *Server) GetSchema(_ context.Context, desc *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	_, p, err := s.described(desc)
	if err != nil {
		return nil, err
	}
	defer cow.Release(&p.t)
	schema, err := tableSchema(p.t)
	if err != nil {
		return nil, flightError(err)
	}
	return &flight.SchemaResult{Schema: flight.SerializeSchema(schema, memory.DefaultAllocator)}, nil
}

func (s *Server) DoGet(tkt *flight.Ticket, stream flight.FlightService_DoGetServer) error {
	var tk ticket
	if err := json.Unmarshal(tkt.GetTicket(), &tk); err != nil {
		return status.Errorf(codes.InvalidArgument, "rayflight: a ticket that is not one of this server's: %v", err)
	}
	release, err := s.acquire()
	if err != nil {
		return err
	}
	defer release()
	p, ok := s.table(tk.Table)
	if !ok || p.gen != tk.Gen {
		if ok {
			cow.Release(&p.t)
		}
		return status.Errorf(codes.NotFound, "rayflight: no table %.80q of generation %d (dropped or published again)", tk.Table, tk.Gen)
	}
	defer cow.Release(&p.t)
	rows := vec.NumRows(p.t)
	if tk.From < 0 || tk.To < tk.From || tk.To > rows {
		return status.Errorf(codes.InvalidArgument, "rayflight: rows %d to %d of a table of %d", tk.From, tk.To, rows)
	}
	var batches []value.V
	defer func() {
		for i := range batches {
			cow.Release(&batches[i])
		}
	}()
	for from := tk.From; from < tk.To || (from == tk.From && len(batches) == 0); from += s.cfg.BatchRows {
		b, err := vec.Slice(p.t, from, min(from+s.cfg.BatchRows, tk.To)-from)
		if err != nil {
			return flightError(err)
		}
		batches = append(batches, b)
		if tk.To == tk.From {
			break
		}
	}
	err = rayarrow.WriteTables(func(schema *arrow.Schema) (rayarrow.RecordWriter, error) {
		return newStreamWriter(stream, schema, nil)
	}, batches...)
	return flightError(err)
}

func (s *Server) DoPut(stream flight.FlightService_DoPutServer) error {
	release, err := s.acquire()
	if err != nil {
		return err
	}
	defer release()
	first := new(inData)
	if err := stream.RecvMsg(first); err != nil {
		return status.Errorf(codes.InvalidArgument, "rayflight: DoPut: no first message: %v", err)
	}
	name, err := descriptorName(first.descriptor)
	if err != nil {
		return err
	}
	if err := vec.CheckColumnName(name); err != nil {
		return status.Errorf(codes.InvalidArgument, "rayflight: table name %.40q: %v", name, err)
	}
	t, err := readTable(&ipcStream{r: stream, first: first, limit: s.cfg.MaxPutBytes}, "rayflight.DoPut")
	if err != nil {
		return flightError(err)
	}
	defer cow.Release(&t)
	if err := s.Publish(name, t); err != nil {
		return flightError(err)
	}
	return stream.Send(&flight.PutResult{})
}

// DoAction runs "drop" (the body names the table).
func (s *Server) DoAction(a *flight.Action, stream flight.FlightService_DoActionServer) error {
	switch a.GetType() {
	case "drop":
		if !s.Drop(string(a.GetBody())) {
			return status.Errorf(codes.NotFound, "rayflight: no table %.80q", a.GetBody())
		}
		return stream.Send(&flight.Result{Body: []byte("dropped")})
	default:
		return status.Errorf(codes.Unimplemented, "rayflight: no action %.40q (there is drop)", a.GetType())
	}
}

func (s *Server) ListActions(_ *flight.Empty, stream flight.FlightService_ListActionsServer) error {
	return stream.Send(&flight.ActionType{Type: "drop", Description: "drop the table the body names"})
}

// flightError turns a raygo error into a gRPC status of the matching code.
func flightError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok && !errors.As(err, new(*ray.Error)) {
		return err
	}
	code := codes.Internal
	switch {
	case errors.Is(err, ray.ErrLimit), errors.Is(err, ray.ErrOOM):
		code = codes.ResourceExhausted
	case errors.Is(err, ray.ErrCorrupt), errors.Is(err, ray.ErrType), errors.Is(err, ray.ErrLength),
		errors.Is(err, ray.ErrName), errors.Is(err, ray.ErrRange), errors.Is(err, ray.ErrDomain):
		code = codes.InvalidArgument
	case errors.Is(err, ray.ErrNYI):
		code = codes.Unimplemented
	}
	return status.Error(code, fmt.Sprintf("rayflight: %v", err))
}
