package rayflight

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/vec"
)

// selfSigned returns a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rayflight test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// With a certificate the server speaks TLS: a client that trusts it reads
// the table; one that speaks plain TCP gets nothing.
func TestTLS(t *testing.T) {
	heaptest.Check(t)
	cert, pool := selfSigned(t)
	_, addr, _ := serveSample(t, Config{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}, Token: "t"}, "t", 100)
	c, err := Dial(addr, ClientConfig{Token: "t", TLS: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.Fetch(context.Background(), "t")
	if err != nil {
		t.Fatal(err)
	}
	if vec.NumRows(got) != 100 {
		t.Errorf("%d rows over TLS", vec.NumRows(got))
	}
	cow.Release(&got)
	plain, err := Dial(addr, ClientConfig{Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := plain.Fetch(ctx, "t"); err == nil {
		t.Error("a plain TCP client read a TLS server's table")
	}
}

// Past MaxStreams, a stream is refused with ResourceExhausted; once the
// running one ends, the next is served.
func TestStreamLimit(t *testing.T) {
	heaptest.Check(t)
	_, addr, _ := serveSample(t, Config{MaxStreams: 1, PartitionRows: 1 << 22, BatchRows: 1 << 12}, "t", 200_000)
	fc, info := arrowClient(t, addr, "t")
	ctx1, cancel1 := context.WithCancel(context.Background())
	first, err := fc.DoGet(ctx1, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Recv(); err != nil { // the stream is running
		t.Fatal(err)
	}
	second, err := fc.DoGet(context.Background(), info.Endpoint[0].Ticket)
	if err == nil {
		_, err = second.Recv()
	}
	if code(err) != codes.ResourceExhausted {
		t.Errorf("a second stream past the limit of one: %v, want ResourceExhausted", err)
	}
	cancel1()
	for range 100 { // the cancelled stream ends on the server soon after
		third, err := fc.DoGet(context.Background(), info.Endpoint[0].Ticket)
		if err == nil {
			_, err = third.Recv()
		}
		if err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Error("the stream slot was never given back")
}

// The server in a process of its own (the flight example run as a
// server), fetched over loopback by raygo's client.
func TestServerInAnotherProcess(t *testing.T) {
	heaptest.Check(t)
	if testing.Short() {
		t.Skip("builds the example")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the server with")
	}
	bin := filepath.Join(t.TempDir(), "flightserver")
	build := exec.Command(gobin, "build", "-o", bin, "../examples/flight")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the server: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-role", "server", "-rows", "50000", "-token", "tk", "-partition", "12000")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("the server exited with %v", err)
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(strings.TrimSpace(line), "listening on ")
	c, err := Dial(addr, ClientConfig{Token: "tk"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	trades, err := c.Fetch(context.Background(), "trades")
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&trades)
	if vec.NumRows(trades) != 50000 {
		t.Errorf("%d trades from the other process", vec.NumRows(trades))
	}
	tb := sample(t, 1000)
	defer cow.Release(&tb)
	if err := c.Put(context.Background(), "mine", tb); err != nil {
		t.Fatal(err)
	}
	back, err := c.Fetch(context.Background(), "mine")
	if err != nil {
		t.Fatal(err)
	}
	if rows(t, back) != rows(t, tb) {
		t.Error("a table put to the other process came back different")
	}
	cow.Release(&back)
}
