package ingestbench

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mosaic-intel/mosaic/internal/bus"
)

// durableLog measures the candidates for the pipeline's durable log on
// the same item rows (docs/design/0001-durable-log.md): embedded JetStream
// with every write synced to disk before it is acknowledged (the bus's
// settings), publishing one message per item, one per item with many
// publishes in flight, and one message per batch. The SQLite side is the
// baseline phase: the same rows committed in batches with
// synchronous=FULL.
func durableLog(ctx context.Context, dir string, src *sql.DB, perItem, batchSize int) ([]Phase, error) {
	rows, err := itemRows(ctx, src)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no rows")
	}
	var bytes int64
	for _, r := range rows {
		bytes += int64(len(r))
	}
	var out []Phase

	b, err := bus.Embedded(ctx, filepath.Join(dir, "nats-bus"), bus.Options{Namespace: "bench"})
	if err != nil {
		return nil, err
	}
	defer b.Close()
	one := rows[:min(perItem, len(rows))]
	p, err := measure("jetstream: a message per item, one at a time", func() (int64, error) {
		for _, r := range one {
			if err := b.Publish(ctx, "item", r, ""); err != nil {
				return 0, err
			}
		}
		return int64(len(one)), nil
	})
	if err != nil {
		return nil, err
	}
	p.setBytes(sum(one))
	out = append(out, p)

	p, err = measure("jetstream: a message per batch", func() (int64, error) {
		var msg []byte
		for i := 0; i < len(rows); i += batchSize {
			msg = msg[:0]
			for _, r := range rows[i:min(len(rows), i+batchSize)] {
				msg = append(msg, r...)
				msg = append(msg, '\n')
			}
			if err := b.Publish(ctx, "batch", msg, ""); err != nil {
				return 0, err
			}
		}
		return int64(len(rows)), nil
	})
	if err != nil {
		return nil, err
	}
	p.setBytes(bytes)
	out = append(out, p)

	p, err = asyncPerItem(ctx, filepath.Join(dir, "nats-async"), rows)
	if err != nil {
		return nil, err
	}
	p.setBytes(bytes)
	out = append(out, p)
	return out, nil
}

// asyncPerItem publishes a message per item with up to 4,096 publishes
// awaiting their acknowledgement, on an embedded server with the bus's
// sync settings (the bus itself publishes synchronously).
func asyncPerItem(ctx context.Context, dir string, rows [][]byte) (Phase, error) {
	srv, err := server.NewServer(&server.Options{
		ServerName: "bench", JetStream: true, StoreDir: dir, DontListen: true, NoSigs: true, NoLog: true,
		SyncAlways: true, MaxPayload: 8 << 20, JetStreamMaxMemory: 64 << 20,
	})
	if err != nil {
		return Phase{}, err
	}
	go srv.Start()
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	if !srv.ReadyForConnections(30 * time.Second) {
		return Phase{}, fmt.Errorf("embedded nats not ready")
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		return Phase{}, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		return Phase{}, err
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "BENCH", Subjects: []string{"bench.>"}, Storage: jetstream.FileStorage}); err != nil {
		return Phase{}, err
	}
	return measure("jetstream: a message per item, 4,096 in flight", func() (int64, error) {
		for _, r := range rows {
			if _, err := js.PublishAsync("bench.item", r, jetstream.WithStallWait(time.Minute)); err != nil {
				return 0, err
			}
		}
		select {
		case <-js.PublishAsyncComplete():
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(10 * time.Minute):
			return 0, fmt.Errorf("async publishes not acknowledged after 10 minutes")
		}
		return int64(len(rows)), nil
	})
}

// itemRows returns the stored items' rows as the bytes a log would carry:
// the columns of each row joined.
func itemRows(ctx context.Context, db *sql.DB) ([][]byte, error) {
	res, err := db.QueryContext(ctx, `SELECT id, source, kind, marking, locator, body, COALESCE(facts, '') FROM items ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	var out [][]byte
	for res.Next() {
		var c [7]string
		if err := res.Scan(&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6]); err != nil {
			return nil, err
		}
		var b []byte
		for i, s := range c {
			if i > 0 {
				b = append(b, '\t')
			}
			b = append(b, s...)
		}
		out = append(out, b)
	}
	return out, res.Err()
}

func sum(rows [][]byte) int64 {
	var n int64
	for _, r := range rows {
		n += int64(len(r))
	}
	return n
}
