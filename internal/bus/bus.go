// Package bus moves work between pipeline stages over NATS JetStream. The
// same code serves both modes: Embedded starts a nats-server inside the
// process with its JetStream files in the data directory; Connect talks to
// an external NATS cluster by URL.
//
// # Durability
//
// The store, not the stream, is the system of record: a stage's work
// message names item ranges that are already committed to the store, and
// the store records which ranges each stage has finished. A message lost
// between a commit and a publish is therefore recovered from the store at
// the next start (see pipeline.Recover). The stream still syncs every
// write to disk before acknowledging it (sync_interval: always) so that a
// restart does not redo work needlessly; see docs/design/0001-durable-log.md.
//
// # Concurrency
//
// A Bus is safe for concurrent use. Each Consume call owns one goroutine
// that fetches messages until its context ends; Consume returns when that
// goroutine has stopped.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// StreamName is the JetStream stream that carries stage work.
const StreamName = "MOSAIC_WORK"

// SubjectPrefix prefixes every work subject: "mosaic.work.<stage>".
const SubjectPrefix = "mosaic.work."

// Bus publishes and consumes stage work.
type Bus struct {
	nc       *nats.Conn
	js       jetstream.JetStream
	srv      *server.Server // nil when connected to an external server
	log      *slog.Logger
	replicas int
	ackWait  time.Duration
	stream_  string // stream name
	prefix   string // subject prefix

	mu      sync.Mutex
	streams map[string]jetstream.Stream
}

// Options configure a Bus.
type Options struct {
	Logger *slog.Logger
	// Replicas is the stream replication factor (1 embedded; 3 on a
	// cluster).
	Replicas int
	// AckWait is how long a consumer may hold a message before it is
	// redelivered (default 2 minutes; handlers signal progress).
	AckWait time.Duration
	// Namespace isolates several deployments (or test runs) on one NATS
	// server: it suffixes the stream name and prefixes the subjects.
	Namespace string
	// Listen, for Embedded, also serves NATS clients on this address
	// (e.g. "127.0.0.1:4222"); empty means in-process only.
	Listen string
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.AckWait <= 0 {
		o.AckWait = 2 * time.Minute
	}
}

// Embedded starts a JetStream server inside this process, storing its
// files under dir, and connects to it.
func Embedded(ctx context.Context, dir string, opts Options) (*Bus, error) {
	opts.defaults()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	sopts := &server.Options{
		ServerName:         "mosaic-embedded",
		JetStream:          true,
		StoreDir:           filepath.Clean(dir),
		DontListen:         opts.Listen == "",
		NoSigs:             true,
		NoLog:              true,
		SyncAlways:         true, // fsync every write before acknowledging it
		MaxPayload:         8 << 20,
		JetStreamMaxMemory: 64 << 20,
	}
	if opts.Listen != "" {
		host, port, err := splitHostPort(opts.Listen)
		if err != nil {
			return nil, err
		}
		sopts.Host, sopts.Port = host, port
	}
	srv, err := server.NewServer(sopts)
	if err != nil {
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("embedded nats: not ready after 30s")
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv), nats.Name("mosaic"), nats.MaxReconnects(-1))
	if err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	b, err := newBus(nc, opts)
	if err != nil {
		nc.Close()
		srv.Shutdown()
		return nil, err
	}
	b.srv = srv
	return b, nil
}

// Connect connects to an external NATS server or cluster (comma-separated
// URLs).
func Connect(ctx context.Context, url string, opts Options) (*Bus, error) {
	opts.defaults()
	nc, err := nats.Connect(url, nats.Name("mosaic"), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true), nats.ReconnectWait(250*time.Millisecond))
	if err != nil {
		return nil, fmt.Errorf("connect to nats %s: %w", url, err)
	}
	b, err := newBus(nc, opts)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return b, nil
}

func newBus(nc *nats.Conn, opts Options) (*Bus, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	b := &Bus{nc: nc, js: js, log: opts.Logger, replicas: opts.Replicas, ackWait: opts.AckWait, streams: map[string]jetstream.Stream{},
		stream_: StreamName, prefix: SubjectPrefix}
	if ns := opts.Namespace; ns != "" {
		b.stream_ = StreamName + "_" + strings.ToUpper(ns)
		b.prefix = "mosaic." + ns + ".work."
	}
	return b, nil
}

// ClientURL returns the URL NATS clients can use to reach an embedded
// server that listens (empty otherwise).
func (b *Bus) ClientURL() string {
	if b.srv == nil || b.srv.Addr() == nil {
		return ""
	}
	return b.srv.ClientURL()
}

// Close drains the connection and stops an embedded server.
func (b *Bus) Close() error {
	err := b.nc.Drain()
	for i := 0; i < 100 && !b.nc.IsClosed(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	b.nc.Close()
	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
	}
	return err
}

// stream returns the work stream, creating it on first use. Work-queue
// retention: a message is removed once a consumer acknowledges it.
func (b *Bus) stream(ctx context.Context) (jetstream.Stream, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.streams[b.stream_]; ok {
		return s, nil
	}
	s, err := b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       b.stream_,
		Subjects:   []string{b.prefix + ">"},
		Retention:  jetstream.WorkQueuePolicy,
		Storage:    jetstream.FileStorage,
		Replicas:   b.replicas,
		Duplicates: 2 * time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("create stream %s: %w", b.stream_, err)
	}
	b.streams[b.stream_] = s
	return s, nil
}

// Publish publishes data to a stage and returns once the stream has
// stored it. A non-empty msgID deduplicates republished messages.
func (b *Bus) Publish(ctx context.Context, stage string, data []byte, msgID string) error {
	if _, err := b.stream(ctx); err != nil {
		return err
	}
	var opts []jetstream.PublishOpt
	if msgID != "" {
		opts = append(opts, jetstream.WithMsgID(msgID))
	}
	if _, err := b.js.Publish(ctx, b.prefix+stage, data, opts...); err != nil {
		return fmt.Errorf("publish to %s: %w", stage, err)
	}
	return nil
}

// Handler processes one message. Returning nil acknowledges it; an error
// makes it redelivered after a delay. progress tells the stream the
// handler is still working, postponing redelivery.
type Handler = func(ctx context.Context, data []byte, progress func()) error

// Consume delivers the messages of stage to h, one at a time, until ctx
// ends. Every process consuming the same stage shares one durable
// consumer, so each message goes to one of them.
func (b *Bus) Consume(ctx context.Context, stage string, h Handler) error {
	s, err := b.stream(ctx)
	if err != nil {
		return err
	}
	cons, err := s.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       "stage-" + stage,
		FilterSubject: b.prefix + stage,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       b.ackWait,
		MaxAckPending: 64,
		Replicas:      b.replicas,
	})
	if err != nil {
		return fmt.Errorf("consumer for %s: %w", stage, err)
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		batch, err := cons.Fetch(16, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			b.log.Warn("bus fetch failed", "stage", stage, "err", err)
			sleep(ctx, backoff)
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		got := 0
		for m := range batch.Messages() {
			b.handle(ctx, stage, m, h)
			got++
		}
		if err := batch.Error(); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) && ctx.Err() == nil && got == 0 {
			// e.g. "no responders" after the stream was deleted: back off
			// like a failed fetch instead of spinning.
			b.log.Warn("bus fetch returned an error", "stage", stage, "err", err)
			sleep(ctx, backoff)
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
	}
	return nil
}

func (b *Bus) handle(ctx context.Context, stage string, m jetstream.Msg, h Handler) {
	if ctx.Err() != nil {
		return // leave it unacknowledged: it will be redelivered
	}
	progress := func() { _ = m.InProgress() }
	if err := h(ctx, m.Data(), progress); err != nil {
		if ctx.Err() != nil {
			return
		}
		md, _ := m.Metadata()
		delay := time.Second
		if md != nil {
			delay = min(time.Duration(md.NumDelivered)*time.Second, 30*time.Second)
		}
		b.log.Warn("stage work failed; will retry", "stage", stage, "err", err, "retry_in", delay)
		_ = m.NakWithDelay(delay)
		return
	}
	// The work is done and committed: acknowledge it even if ctx has just
	// ended, or it would be redone after a restart.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := m.DoubleAck(actx); err != nil {
		b.log.Warn("ack failed; the work may be redelivered", "stage", stage, "err", err)
	}
}

// Pending returns the number of messages of stage not yet acknowledged.
func (b *Bus) Pending(ctx context.Context, stage string) (uint64, error) {
	s, err := b.stream(ctx)
	if err != nil {
		return 0, err
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(b.prefix+stage))
	if err != nil {
		return 0, err
	}
	return info.State.Subjects[b.prefix+stage], nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func splitHostPort(addr string) (string, int, error) {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return "", 0, fmt.Errorf("listen address %q has no port", addr)
	}
	var port int
	if _, err := fmt.Sscanf(addr[i+1:], "%d", &port); err != nil {
		return "", 0, fmt.Errorf("listen address %q: bad port", addr)
	}
	return addr[:i], port, nil
}

// DeleteStream removes the work stream and its consumers (tests and
// tear-down of a namespace).
func (b *Bus) DeleteStream(ctx context.Context) error {
	b.mu.Lock()
	delete(b.streams, b.stream_)
	b.mu.Unlock()
	err := b.js.DeleteStream(ctx, b.stream_)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil
	}
	return err
}
