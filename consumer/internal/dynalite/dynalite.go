package dynalite

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/pelicanhq/pelican/internal/interop"
)

// Server is a running dynalite.
type Server struct {
	// URL is the server's endpoint, http://127.0.0.1:PORT.
	URL    string
	tables atomic.Int64
}

// Start runs dynalite on a free loopback port until the test ends. It fails the test when Node or
// the dynalite package is missing.
func Start(t testing.TB) *Server {
	t.Helper()
	node := interop.Node(t)
	modules := interop.NodeModules(t, "dynalite")
	cli := filepath.Join(modules, "dynalite", "cli.js")
	var lastErr error
	for range 5 {
		port, err := freePort()
		if err != nil {
			t.Fatalf("dynalite: %v", err)
		}
		url, err := run(t, node, cli, port)
		if err == nil {
			return &Server{URL: url}
		}
		lastErr = err
	}
	t.Fatalf("dynalite did not start: %v", lastErr)
	return nil
}

func run(t testing.TB, node, cli string, port int) (string, error) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, cli, "--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
	cmd.Env = append(cmd.Environ(), "NODE_PATH="+filepath.Dir(filepath.Dir(cli)))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return "", err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		return "", err
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "listening") {
				ready <- true
				for sc.Scan() {
				}
				return
			}
		}
		ready <- false
	}()
	stop := func() {
		cancel()
		_ = cmd.Wait()
	}
	select {
	case ok := <-ready:
		if !ok {
			stop()
			return "", fmt.Errorf("exited before listening: %s", stderr.String())
		}
	case <-time.After(30 * time.Second):
		stop()
		return "", fmt.Errorf("not listening after 30s: %s", stderr.String())
	}
	t.Cleanup(stop)
	return fmt.Sprintf("http://127.0.0.1:%d", port), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Client returns a DynamoDB client aimed at the server, with static dummy credentials.
func (s *Server) Client() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("pelican", "pelican", ""),
	})
}

// TableName returns a table name not used before on this server.
func (s *Server) TableName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, s.tables.Add(1))
}
