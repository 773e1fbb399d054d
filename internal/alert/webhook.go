package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// WebhooksFile is the data directory's webhook configuration.
const WebhooksFile = "webhooks.yaml"

// Webhook is one HTTP endpoint that receives alerts.
type Webhook struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
	// The HMAC-SHA256 key, read from an environment variable or a file
	// (never written in the configuration itself).
	SecretEnv  string `yaml:"secret_env"`
	SecretFile string `yaml:"secret_file"`
	// Clearances are the compartment labels the receiver holds: it gets
	// only alerts whose marking they cover. All gives it every alert.
	Clearances []string `yaml:"clearances"`
	All        bool     `yaml:"all"`
	// Rules limits deliveries to these rules (default: all).
	Rules []string `yaml:"rules"`
	// Timeout per request (default 10s); backoff doubles from MinBackoff
	// (default 1s) up to MaxBackoff (default 10m). Retries never stop.
	Timeout    Duration `yaml:"timeout"`
	MinBackoff Duration `yaml:"min_backoff"`
	MaxBackoff Duration `yaml:"max_backoff"`

	Secret []byte `yaml:"-"`
}

// Principal is whom the receiver reads alerts as.
func (w *Webhook) Principal() mosaic.Principal {
	return mosaic.Principal{Name: "webhook:" + w.Name, Clearances: mosaic.NewMarking(w.Clearances...), All: w.All}
}

// LoadWebhooks reads DATA/webhooks.yaml ({webhooks: [...]}); no file
// means no webhooks.
func LoadWebhooks(dataDir string) ([]*Webhook, error) {
	if dataDir == "" {
		return nil, nil
	}
	p := filepath.Join(dataDir, WebhooksFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Webhooks []*Webhook `yaml:"webhooks"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	names := map[string]bool{}
	for i, w := range cfg.Webhooks {
		if err := w.validate(dataDir); err != nil {
			return nil, fmt.Errorf("%s: webhooks[%d]: %w", p, i, err)
		}
		if names[w.Name] {
			return nil, fmt.Errorf("%s: webhook %q defined twice", p, w.Name)
		}
		names[w.Name] = true
	}
	return cfg.Webhooks, nil
}

func (w *Webhook) validate(dataDir string) error {
	if !validName(w.Name) {
		return fmt.Errorf("name %q: use letters, digits, - and _", w.Name)
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("webhook %s: url %q is not an http(s) URL", w.Name, w.URL)
	}
	switch {
	case w.SecretEnv != "":
		w.Secret = []byte(os.Getenv(w.SecretEnv))
	case w.SecretFile != "":
		p := w.SecretFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(dataDir, p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("webhook %s: secret: %w", w.Name, err)
		}
		w.Secret = bytes.TrimSpace(b)
	}
	if len(w.Secret) < 16 {
		return fmt.Errorf("webhook %s: needs a secret of at least 16 bytes (secret_env or secret_file)", w.Name)
	}
	return nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// Signature returns the value of the X-Mosaic-Signature header for a
// body sent at timestamp ts (Unix seconds): "sha256=" and the hex
// HMAC-SHA256 of "ts.body" under secret. Receivers recompute it, compare
// in constant time and reject stale timestamps.
func Signature(secret []byte, ts int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks a delivery's signature header.
func VerifySignature(secret []byte, ts int64, body []byte, header string) bool {
	return hmac.Equal([]byte(Signature(secret, ts, body)), []byte(header))
}

// Delivery is the JSON body of a webhook request.
type Delivery struct {
	// ID identifies this version of the alert ("alr-…:COUNT"): a receiver
	// that has processed it may drop a repeat.
	ID    string        `json:"id"`
	Event string        `json:"event"` // see DeliveryOf
	Sent  time.Time     `json:"sent"`
	Alert *mosaic.Alert `json:"alert"`
}

// DeliveryOf returns the delivery ID and event of an alert's version.
// Events: "alert.raised" (count 1), "alert.folded" (new records),
// "alert.withdrawn" (the system withdrew it: its rule no longer holds),
// "alert.no_longer_holds" (the same, for an alert an analyst has acted
// on, whose state is kept) and "alert.reopened" (its rule holds again).
// The ID is "alr-…:COUNT", with ":wN" added once the system has said N
// times whether the rule holds (withdrawals do not change the count), so
// that each such change is a new delivery.
func DeliveryOf(a *mosaic.Alert) (id, event string) {
	id = fmt.Sprintf("%s:%d", a.ID, a.Count)
	event = "alert.folded"
	if a.Count <= 1 {
		event = "alert.raised"
	}
	n := 0
	for _, h := range a.History {
		if h.Who == "mosaic" && (h.State == mosaic.AlertWithdrawn || h.Why == mosaic.AlertHoldsAgain || strings.HasPrefix(h.Why, mosaic.AlertNoLongerHolds)) {
			n++
		}
	}
	if n == 0 {
		return id, event
	}
	id += fmt.Sprintf(":w%d", n)
	// The change that made this version is the last history line stamped
	// with its Last (a fold moves Last and adds no line).
	if h := a.History[len(a.History)-1]; h.Who == "mosaic" && h.When.Equal(a.Last) {
		switch {
		case h.State == mosaic.AlertWithdrawn:
			event = "alert.withdrawn"
		case strings.HasPrefix(h.Why, mosaic.AlertNoLongerHolds):
			event = "alert.no_longer_holds"
		case h.Why == mosaic.AlertHoldsAgain:
			event = "alert.reopened"
		}
	}
	return id, event
}

// Outbox is a deliverer's durable state: the feed cursor and the alerts
// read from the feed but not yet acknowledged by the receiver.
type Outbox struct {
	Cursor  Cursor    `json:"cursor"`
	Pending []Pending `json:"pending"`
}

// Pending is an alert waiting for (re)delivery.
type Pending struct {
	Alert    mosaic.ID `json:"alert"`
	Attempts int       `json:"attempts"`
	Next     time.Time `json:"next"`
	Error    string    `json:"error,omitempty"`
}

// DelivererConfig configures NewDeliverer.
type DelivererConfig struct {
	Webhook  *Webhook
	Store    store.AlertReader
	Notifier *Notifier // may be nil: the deliverer then polls
	// Dir holds the outbox file (webhook-NAME.json).
	Dir    string
	Client *http.Client
	Logger *slog.Logger
	// Poll is how often the feed is read without a notification
	// (default 1s).
	Poll time.Duration
}

// Deliverer sends alerts to one webhook, at least once each: an alert is
// written to the durable outbox before the feed cursor moves past it,
// and leaves the outbox only when the receiver answers 2xx. Failed
// deliveries are retried with exponential backoff and jitter, forever.
// The receiver deduplicates by Delivery.ID (stable alert ID and count).
type Deliverer struct {
	cfg  DelivererConfig
	hook *Webhook
	feed *Feed
	path string
	log  *slog.Logger
}

// NewDeliverer returns a deliverer; Run starts it.
func NewDeliverer(cfg DelivererConfig) (*Deliverer, error) {
	h := cfg.Webhook
	if h == nil || cfg.Store == nil || cfg.Dir == "" {
		return nil, errors.New("deliverer needs a webhook, a store and a directory")
	}
	if h.Timeout <= 0 {
		h.Timeout = Duration(10 * time.Second)
	}
	if h.MinBackoff <= 0 {
		h.MinBackoff = Duration(time.Second)
	}
	if h.MaxBackoff <= 0 {
		h.MaxBackoff = Duration(10 * time.Minute)
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: h.Timeout.Std()}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	return &Deliverer{cfg: cfg, hook: h, feed: &Feed{Store: cfg.Store, Principal: h.Principal()},
		path: filepath.Join(cfg.Dir, "webhook-"+h.Name+".json"), log: cfg.Logger.With("webhook", h.Name)}, nil
}

// Outbox returns the stored outbox (for status displays).
func (d *Deliverer) Outbox() (Outbox, error) {
	var ob Outbox
	return ob, readJSON(d.path, &ob)
}

// Run delivers until ctx ends.
func (d *Deliverer) Run(ctx context.Context) error {
	var ob Outbox
	if err := readJSON(d.path, &ob); err != nil {
		return fmt.Errorf("read outbox: %w", err)
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for ctx.Err() == nil {
		var wake <-chan struct{}
		if d.cfg.Notifier != nil {
			wake = d.cfg.Notifier.C()
		}
		if err := d.pull(ctx, &ob); err != nil {
			d.log.Warn("reading alerts for the webhook failed; retrying", "err", err)
		}
		d.deliver(ctx, &ob)
		wait := d.cfg.Poll
		now := time.Now()
		for _, p := range ob.Pending {
			wait = min(wait, max(p.Next.Sub(now), time.Millisecond))
		}
		t.Reset(wait)
		select {
		case <-ctx.Done():
		case <-wake:
		case <-t.C:
		}
	}
	return nil
}

// pull moves new alerts from the feed into the outbox and stores it.
func (d *Deliverer) pull(ctx context.Context, ob *Outbox) error {
	as, next, err := d.feed.Next(ctx, ob.Cursor)
	if err != nil {
		return err
	}
	if len(as) == 0 {
		return nil
	}
	for _, a := range as {
		if len(d.hook.Rules) > 0 && !slices.Contains(d.hook.Rules, a.Rule) {
			continue
		}
		if !slices.ContainsFunc(ob.Pending, func(p Pending) bool { return p.Alert == a.ID }) {
			ob.Pending = append(ob.Pending, Pending{Alert: a.ID})
		}
	}
	ob.Cursor = next
	return writeJSON(d.path, ob)
}

// deliver sends every due pending alert once and stores the outbox if
// anything changed.
func (d *Deliverer) deliver(ctx context.Context, ob *Outbox) {
	changed := false
	now := time.Now()
	keep := ob.Pending[:0]
	for i, p := range ob.Pending {
		if ctx.Err() != nil || p.Next.After(now) {
			keep = append(keep, ob.Pending[i:]...)
			break
		}
		err := d.send(ctx, p.Alert)
		changed = true
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			keep = append(keep, ob.Pending[i:]...)
			break
		}
		p.Attempts++
		p.Error = err.Error()
		p.Next = time.Now().Add(d.backoff(p.Attempts))
		d.log.Warn("webhook delivery failed; will retry", "alert", p.Alert, "attempts", p.Attempts, "retry_at", p.Next, "err", err)
		keep = append(keep, p)
	}
	ob.Pending = keep
	if changed {
		if err := writeJSON(d.path, ob); err != nil {
			d.log.Error("could not store the webhook outbox", "err", err)
		}
	}
}

func (d *Deliverer) backoff(attempts int) time.Duration {
	b := d.hook.MinBackoff.Std() << min(attempts-1, 30)
	if b <= 0 || b > d.hook.MaxBackoff.Std() {
		b = d.hook.MaxBackoff.Std()
	}
	// ±20% jitter, so that many receivers' retries spread out.
	return time.Duration(float64(b) * (0.8 + 0.4*rand.Float64()))
}

// send posts the alert's current version. An alert that no longer exists
// or the receiver may no longer see counts as delivered.
func (d *Deliverer) send(ctx context.Context, id mosaic.ID) error {
	a, err := d.cfg.Store.Alert(ctx, d.hook.Principal(), id)
	if mosaic.IsNotFound(err) {
		d.log.Info("alert no longer visible to the webhook; dropped", "alert", id)
		return nil
	}
	if err != nil {
		return err
	}
	did, ev := DeliveryOf(a)
	dl := Delivery{ID: did, Event: ev, Sent: time.Now().UTC(), Alert: a}
	body, err := json.Marshal(dl)
	if err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, d.hook.Timeout.Std())
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, d.hook.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := dl.Sent.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "mosaic-webhook/1")
	req.Header.Set("X-Mosaic-Delivery", dl.ID)
	req.Header.Set("X-Mosaic-Event", ev)
	req.Header.Set("X-Mosaic-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Mosaic-Signature", Signature(d.hook.Secret, ts, body))
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("receiver answered %s", resp.Status)
	}
	return nil
}
