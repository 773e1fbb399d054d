// Package cluster runs a three-node NATS JetStream cluster inside a test
// process, from the nats-server Go module: each node listens on loopback
// ports of its own, keeps its JetStream files in the test's temporary
// directory and syncs every write to disk before acknowledging it
// (SyncAlways, the file setting sync_interval: always). Tests point the bus
// at URL() with Replicas: 3, and can stop and restart a node to see what
// survives.
//
// # Concurrency
//
// A Cluster's methods may be called from several goroutines; stopping and
// starting nodes is serialised.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Size is the number of nodes: the smallest cluster that keeps a quorum
// with one node down.
const Size = 3

// readyTimeout bounds how long a node may take to start and catch up.
const readyTimeout = 60 * time.Second

// Cluster is a running test cluster.
type Cluster struct {
	tb    testing.TB
	name  string
	mu    sync.Mutex
	nodes [Size]*node
}

type node struct {
	name        string
	dir         string
	clientPort  int
	clusterPort int
	srv         *server.Server // nil while stopped
}

// Start starts a cluster for tb and stops it in tb.Cleanup. It returns
// when every node serves clients and JetStream has a meta leader.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	c := &Cluster{tb: tb, name: "mosaic-test"}
	dir := tb.TempDir()
	ports, err := freePorts(2 * Size)
	if err != nil {
		tb.Fatalf("nats cluster: %v", err)
	}
	for i := range c.nodes {
		name := fmt.Sprintf("n%d", i+1)
		c.nodes[i] = &node{name: name, dir: filepath.Join(dir, name), clientPort: ports[2*i], clusterPort: ports[2*i+1]}
	}
	tb.Cleanup(c.shutdown)
	for i := range c.nodes {
		if err := c.startNode(i); err != nil {
			tb.Fatalf("nats cluster: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		tb.Fatalf("nats cluster: %v", err)
	}
	return c
}

// options returns node i's server options (fresh each start: the server
// keeps and changes the ones it is given).
func (c *Cluster) options(i int) *server.Options {
	n := c.nodes[i]
	var routes []*url.URL
	for j, o := range c.nodes {
		if j != i {
			routes = append(routes, &url.URL{Scheme: "nats-route", Host: fmt.Sprintf("127.0.0.1:%d", o.clusterPort)})
		}
	}
	return &server.Options{
		ServerName: n.name,
		Host:       "127.0.0.1",
		Port:       n.clientPort,
		Cluster: server.ClusterOpts{
			Name: c.name,
			Host: "127.0.0.1",
			Port: n.clusterPort,
		},
		Routes:             routes,
		JetStream:          true,
		StoreDir:           n.dir,
		SyncAlways:         true, // fsync before acknowledging: see docs/storage.md
		JetStreamMaxMemory: 64 << 20,
		JetStreamMaxStore:  1 << 30,
		MaxPayload:         8 << 20,
		NoSigs:             true,
		NoLog:              true,
	}
}

func (c *Cluster) startNode(i int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.nodes[i]
	if n.srv != nil {
		return nil
	}
	srv, err := server.NewServer(c.options(i))
	if err != nil {
		return fmt.Errorf("node %s: %w", n.name, err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(readyTimeout) {
		srv.Shutdown()
		return fmt.Errorf("node %s: not accepting connections after %v", n.name, readyTimeout)
	}
	n.srv = srv
	return nil
}

// URLs returns the client URL of every node.
func (c *Cluster) URLs() []string {
	out := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = fmt.Sprintf("nats://127.0.0.1:%d", n.clientPort)
	}
	return out
}

// URL returns the client URLs joined by commas, as bus.Connect takes them.
func (c *Cluster) URL() string { return strings.Join(c.URLs(), ",") }

// Names returns the nodes' server names, in index order.
func (c *Cluster) Names() []string {
	out := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = n.name
	}
	return out
}

// Index returns the index of the node called name, or -1.
func (c *Cluster) Index(name string) int {
	for i, n := range c.nodes {
		if n.name == name {
			return i
		}
	}
	return -1
}

// Stop shuts node i down (cleanly: the process does not crash, but its
// clients and routes are cut) and waits until it has stopped.
func (c *Cluster) Stop(i int) {
	c.mu.Lock()
	srv := c.nodes[i].srv
	c.nodes[i].srv = nil
	c.mu.Unlock()
	if srv != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
	}
}

// Restart starts node i again (after Stop) with the same ports and files,
// and waits until the cluster is whole and current again.
func (c *Cluster) Restart(ctx context.Context, i int) error {
	if err := c.startNode(i); err != nil {
		return err
	}
	return c.WaitReady(ctx)
}

// WaitReady waits until every running node serves JetStream, one of them
// leads the meta group, and every node's replicas of the meta group,
// streams and consumers are current (the node's health check passes).
func (c *Cluster) WaitReady(ctx context.Context) error {
	for {
		if err := c.ready(); err == nil {
			return nil
		} else if ctx.Err() != nil {
			return fmt.Errorf("cluster not ready: %w", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *Cluster) ready() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	leaders := 0
	for _, n := range c.nodes {
		if n.srv == nil {
			continue
		}
		if !n.srv.JetStreamEnabled() {
			return fmt.Errorf("node %s: JetStream not enabled yet", n.name)
		}
		if n.srv.NumRoutes() < Size-1 && c.running() == Size {
			return fmt.Errorf("node %s: %d routes", n.name, n.srv.NumRoutes())
		}
		if n.srv.JetStreamIsLeader() {
			leaders++
			// The leader places new streams only on peers it has
			// stats from; until then creating an R3 stream fails
			// with "no suitable peers for placement, peer offline".
			if on := len(n.srv.JetStreamClusterPeers()); on < c.running() {
				return fmt.Errorf("meta leader %s sees %d of %d peers online", n.name, on, c.running())
			}
		}
		if !n.srv.JetStreamIsCurrent() {
			return fmt.Errorf("node %s: JetStream not current", n.name)
		}
		// Every stream and consumer replica on the node has caught up.
		if h := n.srv.Healthz(nil); h.Status != "ok" {
			return fmt.Errorf("node %s: %s %s", n.name, h.Status, h.Error)
		}
	}
	if leaders != 1 {
		return errors.New("no JetStream meta leader")
	}
	return nil
}

// running counts the running nodes (c.mu held).
func (c *Cluster) running() int {
	k := 0
	for _, n := range c.nodes {
		if n.srv != nil {
			k++
		}
	}
	return k
}

func (c *Cluster) shutdown() {
	for i := range c.nodes {
		c.Stop(i)
	}
}

// freePorts returns n distinct loopback ports that were free a moment ago.
// (The nodes need each other's route ports before any of them starts, and
// a restarted node must come back on the same ones.)
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
