// Command flight shows raygo tables crossing process boundaries over
// Arrow Flight: a server process holds the engine example's trades and
// reference tables; a client fetches the trades in parallel partitions and
// runs the engine's query q3 (a join with the reference table) on what it
// fetched, checking the answer against plain Go; another client pushes a
// table with DoPut and reads it back.
//
//	go run ./examples/flight                 # 1M trades
//	go run ./examples/flight -rows 1e7       # 10M
//
// The server is this program run again with -role server: it prints its
// address and serves until its standard input closes.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/examples/engine/olap"
	"github.com/raygo/ray/rayflight"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

func main() {
	role := flag.String("role", "demo", "demo (start a server, then be its clients) or server")
	rows := flag.String("rows", "1e6", "trades rows")
	seed := flag.Uint64("seed", 1, "the data's seed")
	token := flag.String("token", "raygo-demo", "the bearer token the server wants")
	partition := flag.Int("partition", 1<<18, "rows per endpoint")
	flag.Parse()
	n, err := strconv.ParseFloat(*rows, 64)
	if err != nil || n < 0 {
		log.Fatalf("-rows %q: want a number", *rows)
	}
	if *role == "server" {
		err = server(int(n), *seed, *token, *partition)
	} else {
		err = demo(int(n), *seed, *token, *partition)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// server publishes the engine's tables and serves until stdin closes.
func server(rows int, seed uint64, token string, partition int) error {
	tb, err := olap.Generate(olap.Config{Rows: rows, Seed: seed}, nil)
	if err != nil {
		return err
	}
	defer tb.Release()
	s := rayflight.NewServer(rayflight.Config{Token: token, PartitionRows: partition})
	defer s.Close()
	for name, t := range map[string]value.V{"trades": tb.Trades, "ref": tb.Ref} {
		if err := s.Publish(name, t); err != nil {
			return err
		}
	}
	fs := s.FlightServer()
	if err := fs.Init("127.0.0.1:0"); err != nil {
		return err
	}
	go fs.Serve()
	defer fs.Shutdown()
	fmt.Printf("listening on %s\n", fs.Addr())
	_, _ = bufio.NewReader(os.Stdin).ReadString(0) // until stdin closes
	return nil
}

func demo(rows int, seed uint64, token string, partition int) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, "-role", "server", "-rows", fmt.Sprint(rows), "-seed", fmt.Sprint(seed), "-token", token, "-partition", fmt.Sprint(partition))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		stdin.Close()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return fmt.Errorf("the server did not start: %v", err)
	}
	addr := strings.TrimPrefix(strings.TrimSpace(line), "listening on ")
	fmt.Printf("server: pid %d at %s, %d trades generated and published in %v\n", cmd.Process.Pid, addr, rows, time.Since(start).Round(time.Millisecond))

	ctx := context.Background()
	c, err := rayflight.Dial(addr, rayflight.ClientConfig{Token: token})
	if err != nil {
		return err
	}
	defer c.Close()

	start = time.Now()
	trades, err := c.Fetch(ctx, "trades")
	if err != nil {
		return err
	}
	defer cow.Release(&trades)
	took := time.Since(start)
	ref, err := c.Fetch(ctx, "ref")
	if err != nil {
		return err
	}
	defer cow.Release(&ref)
	parts := (rows + partition - 1) / partition
	fmt.Printf("client: fetched trades, %d rows in %d partitions at once, in %v\n", vec.NumRows(trades), max(parts, 1), took.Round(time.Millisecond))

	q := olap.Queries[2] // q3: a join of trades with ref
	res, err := q.Run(&olap.Engine{}, trades, ref)
	if err != nil {
		return err
	}
	local, err := olap.Generate(olap.Config{Rows: rows, Seed: seed}, nil) // the same data, to check the answer
	if err != nil {
		return err
	}
	defer local.Release()
	if d := res.Diff(q.Plain(local.Plain, local.PlainRef)); d != "" {
		return fmt.Errorf("%s on the fetched tables differs from plain Go: %s", q.Name, d)
	}
	fmt.Printf("client: %s on the fetched tables (checked against plain Go):\n  %s\n%s", q.Name, q.SQL, res.Format(8))

	// Another client pushes a table and reads it back.
	p, err := rayflight.Dial(addr, rayflight.ClientConfig{Token: token})
	if err != nil {
		return err
	}
	defer p.Close()
	start = time.Now()
	if err := p.Put(ctx, "ref-copy", ref); err != nil {
		return err
	}
	back, err := p.Fetch(ctx, "ref-copy")
	if err != nil {
		return err
	}
	defer cow.Release(&back)
	fmt.Printf("pusher: put ref (%d rows) as ref-copy and fetched it back (%d rows) in %v\n", vec.NumRows(ref), vec.NumRows(back), time.Since(start).Round(time.Millisecond))
	if vec.NumRows(back) != vec.NumRows(ref) {
		return fmt.Errorf("ref-copy has %d rows, ref %d", vec.NumRows(back), vec.NumRows(ref))
	}
	return nil
}
