// Package rayflight serves raygo tables over Arrow Flight and fetches
// them back, so that engines on other machines (Spark and Dremio through
// their Flight connectors, DataFusion, other raygo processes) can read
// what a raygo process holds, in parallel.
//
// # Server
//
// A Server publishes TABLEs by name. GetFlightInfo describes a table (its
// schema, rows and bytes) with one endpoint per partition: a partition is
// a range of rows, so N consumers fetch a table at once. DoGet streams a
// partition as record batches exported from the table's columns without
// copying them (rayarrow.WriteTables: SYM columns travel as dictionaries,
// and a STR batch with a pool of just its own strings);
// the stream holds a reference to the table until its last batch is
// written, so a table dropped meanwhile stays readable to it. DoPut
// receives a stream into a new TABLE: the bytes go through rayarrow's IPC
// reader, which verifies every message before Arrow Go decodes it and
// bounds what it allocates, and a stream is refused past
// Config.MaxPutBytes; a refused, partial or malformed stream publishes
// nothing and leaves no block behind. DoAction "drop" removes a table.
//
// Every call needs the bearer token when Config.Token is set (no token, no
// data: Unauthenticated). Concurrent streams are limited
// (Config.MaxStreams: ResourceExhausted past it), and so is the size of a
// message.
//
// # Tickets
//
// A ticket names a table, a row range and the table's generation (it
// changes when a table is published again under the same name), as JSON:
// {"table":"trades","from":0,"to":1048576,"gen":3}. A ticket for a table
// that has since been replaced is refused (NotFound) rather than served
// from the new table's rows.
//
// # Client
//
// Fetch asks for a dataset's FlightInfo and fetches its endpoints
// several at once (ClientConfig.Streams), each from the location it names
// (or the server asked). When every ticket is a raygo server's, Fetch
// knows each endpoint's row range and fills one table in place
// (rayarrow.TableFill): every column is allocated once at the declared
// total, each batch is copied from the stream straight into its rows, STR
// columns into one pool, so a fetch holds little more than the table
// (BenchmarkFlight reports 1.05x). The ranges must tile [0, total) in
// endpoint order and each stream must bring exactly its range's rows;
// anything else is a broken or hostile server, ErrCorrupt, and what was
// allocated is freed. From other servers, whose tickets name no rows,
// each endpoint is read into a table whose columns grow as its batches
// arrive (rayarrow.NewGrowingFill), and the endpoints' tables are joined
// in endpoint order; one endpoint's table is the result as it is. Scan yields a dataset's
// batches one at a time, endpoint after endpoint, for tables larger than
// memory. A context cancels either; the first error cancels the other
// streams.
//
// # On the wire
//
// The bytes are Flight's: FlightData messages in protobuf, so any Flight
// client or server talks to rayflight's. What differs is how they are
// made and read (codec.go). gRPC's protobuf codec would copy a batch's
// body twice on each side; rayflight's servers and clients use a codec
// that writes a FlightData straight from the exported columns into one
// pooled buffer that gRPC frames and sends, and that reads one by leaving
// its body in the frames gRPC received, for the IPC reader to copy from
// once. Its decoder is checked against protobuf's by FuzzFlightData. The
// body is copied into the pooled buffer rather than lent to gRPC, because
// gRPC drops the buffers queued on a connection that breaks without
// freeing them: a lent heap block would then stay live until Go's
// collector noticed, which could be long after.
package rayflight
