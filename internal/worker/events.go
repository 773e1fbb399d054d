package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Event kinds, the last token of an event subject.
const (
	// EventLinked: the link stage committed links (a follower looks at
	// the link stage's progress at once instead of at its next poll).
	EventLinked = "linked"
	// EventMoved: resolution moved already resolved mentions between
	// entities, or a new holder of the resolve stage took over (graph
	// indexes must be rebuilt).
	EventMoved = "moved"
	// EventWatchlist: the screen stage passed watch-list entries; the body
	// lists their sequence numbers. With none, a new holder of the screen
	// stage took over: the lists are to be reloaded whole (its
	// predecessor may have committed entries and died before saying so).
	EventWatchlist = "watchlist"
)

// Events publishes and receives the fan-out events that keep API nodes'
// in-memory indexes current. They go through a JetStream stream of their
// own (limits retention: every subscriber sees every event, and old ones
// age out), replicated like the work stream, and each subscriber reads it
// with an ordered consumer, which notices a gap and resumes after the
// last event it saw. The store stays the truth: events say what to look
// at.
type Events struct {
	nc       *nats.Conn
	js       jetstream.JetStream
	stream   string
	prefix   string
	replicas int
	log      *slog.Logger

	mu      sync.Mutex
	created bool
}

// EventPrefix returns the subject prefix of a namespace's events.
func EventPrefix(namespace string) string {
	if namespace == "" {
		return "mosaic.events."
	}
	return "mosaic." + namespace + ".events."
}

// EventStream returns the name of a namespace's event stream.
func EventStream(namespace string) string {
	if namespace == "" {
		return "MOSAIC_EVENTS"
	}
	return "MOSAIC_EVENTS_" + strings.ToUpper(namespace)
}

// ConnectEvents connects to NATS at url (comma-separated URLs) for the
// events of namespace, on a stream of replicas copies.
func ConnectEvents(url, namespace string, replicas int, log *slog.Logger) (*Events, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	nc, err := nats.Connect(url, nats.Name("mosaic-events"), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true), nats.ReconnectWait(250*time.Millisecond))
	if err != nil {
		return nil, fmt.Errorf("connect events to nats %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return &Events{nc: nc, js: js, stream: EventStream(namespace), prefix: EventPrefix(namespace), replicas: max(replicas, 1), log: log}, nil
}

// Close closes the connection.
func (e *Events) Close() {
	if e != nil {
		e.nc.Close()
	}
}

func (e *Events) ensure(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.created {
		return nil
	}
	_, err := e.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:      e.stream,
		Subjects:  []string{e.prefix + ">"},
		Retention: jetstream.LimitsPolicy,
		Storage:   jetstream.FileStorage,
		Replicas:  e.replicas,
		MaxAge:    24 * time.Hour,
	})
	if err != nil {
		return fmt.Errorf("create event stream %s: %w", e.stream, err)
	}
	e.created = true
	return nil
}

// Publish sends an event, trying for a few seconds while the stream is
// unavailable. Events are hints (the store is the truth): a failure is
// logged, not returned.
func (e *Events) Publish(kind string, seqs []int64) {
	if e == nil {
		return
	}
	var data []byte
	if len(seqs) > 0 {
		data, _ = json.Marshal(seqs)
	}
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 250 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err = e.ensure(ctx); err == nil {
			_, err = e.js.Publish(ctx, e.prefix+kind, data)
		}
		cancel()
		if err == nil {
			return
		}
	}
	e.log.Warn("could not publish event", "kind", kind, "err", err)
}

// Subscribe calls fn for every event published from now on, in order, on
// one goroutine, until ctx ends; it returns once the subscription is in
// place (events published after that reach fn).
func (e *Events) Subscribe(ctx context.Context, fn func(kind string, seqs []int64)) error {
	if err := e.ensure(ctx); err != nil {
		return err
	}
	c, err := e.js.OrderedConsumer(ctx, e.stream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{e.prefix + ">"},
		DeliverPolicy:  jetstream.DeliverNewPolicy,
	})
	if err != nil {
		return fmt.Errorf("subscribe to events: %w", err)
	}
	cc, err := c.Consume(func(m jetstream.Msg) {
		var seqs []int64
		if len(m.Data()) > 0 {
			if err := json.Unmarshal(m.Data(), &seqs); err != nil {
				e.log.Warn("malformed event", "subject", m.Subject(), "err", err)
				return
			}
		}
		fn(strings.TrimPrefix(m.Subject(), e.prefix), seqs)
	}, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		if !errors.Is(err, jetstream.ErrNoHeartbeat) {
			e.log.Warn("event subscription", "err", err)
		}
	}))
	if err != nil {
		return fmt.Errorf("subscribe to events: %w", err)
	}
	go func() {
		<-ctx.Done()
		cc.Stop()
	}()
	return nil
}
