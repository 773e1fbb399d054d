package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/alert"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// AlertsConfig configures the alert routes.
type AlertsConfig struct {
	// Notifier wakes event streams when alerts commit in this process
	// (alert.Service.Notifier); without it streams poll.
	Notifier *alert.Notifier
	// Poll is how often a stream looks for alerts committed by other
	// processes (default 1s; 250ms without a notifier).
	Poll time.Duration
	// Heartbeat is the interval of keep-alive comments (default 15s).
	Heartbeat time.Duration
}

// HandleAlerts registers the alert routes:
//
//	GET  /api/v1/alerts              list (state, rule, since, limit)
//	GET  /api/v1/alerts/stream       server-sent events: each new or folded alert
//	GET  /api/v1/alerts/{id}         one alert with its explanation and history
//	POST /api/v1/alerts/{id}/state   {"state": "acknowledged", "why": "..."}
func (s *Server) HandleAlerts(cfg AlertsConfig) {
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
		if cfg.Notifier == nil {
			cfg.Poll = 250 * time.Millisecond
		}
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	s.Handle("GET /api/v1/alerts", s.alertList)
	s.Handle("GET /api/v1/alerts/stream", func(w http.ResponseWriter, r *http.Request) error { return s.alertStream(w, r, cfg) })
	s.Handle("GET /api/v1/alerts/{id}", s.alertGet)
	s.Handle("POST /api/v1/alerts/{id}/state", s.alertState)
	q := func(name, desc string) Param { return Param{Name: name, In: "query", Description: desc} }
	id := Param{Name: "id", In: "path", Required: true, Description: "alert ID"}
	filters := []Param{q("state", "new, acknowledged, escalated, dismissed or withdrawn (the system's: the rule no longer holds)"), q("rule", "rule name")}
	s.Describe("GET /api/v1/alerts", Op{Summary: "Alerts, most recent activity first", Params: append(filters, q("since", "RFC 3339: activity at or after"), q("limit", "most alerts (1-10000, default 100)"))})
	s.Describe("GET /api/v1/alerts/stream", Op{Summary: "Server-sent events: every alert raised or folded, as it is committed (event 'alert', id resumable with Last-Event-ID)",
		Params: append(filters, q("since", "'start' for every stored alert first, or RFC 3339; default: from now")), Stream: true})
	s.Describe("GET /api/v1/alerts/{id}", Op{Summary: "One alert: records, entities, score, explanation and lifecycle history", Params: []Param{id}})
	s.Describe("POST /api/v1/alerts/{id}/state", Op{Summary: "Move an alert through its lifecycle (who defaults to the caller)", Params: []Param{id},
		Body: `{"state": "acknowledged|escalated|dismissed|new", "why": "text", "who": "optional name"}`})
}

func alertFilter(r *http.Request) (store.AlertFilter, error) {
	v := r.URL.Query()
	f := store.AlertFilter{State: v.Get("state"), Rule: v.Get("rule")}
	switch f.State {
	case "", mosaic.AlertNew, mosaic.AlertAcknowledged, mosaic.AlertEscalated, mosaic.AlertDismissed, mosaic.AlertWithdrawn:
	default:
		return f, mosaic.Errorf(mosaic.KindInvalid, "alerts", "state %q: use new, acknowledged, escalated, dismissed or withdrawn", f.State)
	}
	return f, nil
}

func (s *Server) alertList(w http.ResponseWriter, r *http.Request) error {
	f, err := alertFilter(r)
	if err != nil {
		return err
	}
	if f.Limit, err = intParam(r, "limit", 100, 10000); err != nil {
		return err
	}
	if v := r.URL.Query().Get("since"); v != "" {
		if f.Since, err = time.Parse(time.RFC3339, v); err != nil {
			return mosaic.Errorf(mosaic.KindInvalid, "alerts", "since %q is not an RFC 3339 time", v)
		}
	}
	as, err := s.store.Alerts(r.Context(), Principal(r), f)
	if err != nil {
		return err
	}
	if as == nil {
		as = []*mosaic.Alert{}
	}
	if err := stages.EntitiesNow(r.Context(), s.store, as...); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"alerts": as})
}

func (s *Server) alertGet(w http.ResponseWriter, r *http.Request) error {
	a, err := s.store.Alert(r.Context(), Principal(r), mosaic.ID(r.PathValue("id")))
	if err != nil {
		return err
	}
	if err := stages.EntitiesNow(r.Context(), s.store, a); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

// StateChange is the body of POST /api/v1/alerts/{id}/state.
type StateChange struct {
	State string `json:"state"`
	Why   string `json:"why"`
	Who   string `json:"who,omitempty"`
}

func (s *Server) alertState(w http.ResponseWriter, r *http.Request) error {
	const op = "alerts.state"
	ctx := r.Context()
	p := Principal(r)
	id := mosaic.ID(r.PathValue("id"))
	var c StateChange
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return mosaic.Errorf(mosaic.KindInvalid, op, "body: %v", err)
	}
	if strings.TrimSpace(c.Why) == "" {
		return mosaic.Errorf(mosaic.KindInvalid, op, "why is required: say why the alert is %s", c.State)
	}
	if c.Who == "" {
		c.Who = p.Name
	}
	if _, err := s.store.Alert(ctx, p, id); err != nil {
		return err // an alert the caller may not see does not exist for it
	}
	if err := s.store.Update(ctx, func(tx store.Tx) error {
		return tx.SetAlertState(ctx, id, mosaic.AlertChange{State: c.State, Who: c.Who, Why: c.Why})
	}); err != nil {
		return err
	}
	a, err := s.store.Alert(ctx, p, id)
	if err != nil {
		return err
	}
	if err := stages.EntitiesNow(ctx, s.store, a); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

// eventID names an alert version in the stream ("LASTMICROS:ID"), so that
// a client reconnecting with Last-Event-ID resumes after it.
func eventID(a *mosaic.Alert) string {
	return strconv.FormatInt(a.Last.UnixMicro(), 10) + ":" + string(a.ID)
}

func parseEventID(s string) (alert.Cursor, bool) {
	micros, id, _ := strings.Cut(s, ":")
	n, err := strconv.ParseInt(micros, 10, 64)
	if err != nil || n <= 0 {
		return alert.Cursor{}, false
	}
	c := alert.Cursor{Last: time.UnixMicro(n)}
	if id != "" {
		c.Seen = map[mosaic.ID]int64{mosaic.ID(id): n}
	}
	return c, true
}

// alertStream serves alerts as server-sent events: every alert raised,
// folded, withdrawn or reopened by the system after the starting point,
// in commit order, each as an event "alert" whose data is the alert's
// JSON (a withdrawn alert has state "withdrawn"). Delivery is at least once: a
// client resuming with Last-Event-ID may see an alert again (same ID and
// count) and should deduplicate.
func (s *Server) alertStream(w http.ResponseWriter, r *http.Request, cfg AlertsConfig) error {
	ctx := r.Context()
	f, err := alertFilter(r)
	if err != nil {
		return err
	}
	feed := &alert.Feed{Store: s.store, Principal: Principal(r), State: f.State, Rule: f.Rule}
	var cur alert.Cursor
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("last_event_id")
	}
	switch since := r.URL.Query().Get("since"); {
	case last != "":
		c, ok := parseEventID(last)
		if !ok {
			return mosaic.Errorf(mosaic.KindInvalid, "alerts.stream", "Last-Event-ID %q is not one this server sent", last)
		}
		cur = c
	case since == "start":
	case since != "":
		t, err := time.Parse(time.RFC3339, since)
		if err != nil {
			return mosaic.Errorf(mosaic.KindInvalid, "alerts.stream", "since %q: give 'start' or an RFC 3339 time", since)
		}
		cur = alert.Cursor{Last: t.Add(-time.Microsecond)}
	default: // from now: remember what is already there as seen
		if _, cur, err = feed.Next(ctx, alert.Cursor{Last: time.Now()}); err != nil {
			return err
		}
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 2000\n\n"); err != nil {
		return nil
	}
	if err := rc.Flush(); err != nil {
		if errors.Is(err, http.ErrNotSupported) {
			s.log.Error("alert stream: the response writer cannot flush")
		}
		return nil
	}
	poll := time.NewTicker(cfg.Poll)
	defer poll.Stop()
	beat := time.NewTicker(cfg.Heartbeat)
	defer beat.Stop()
	for {
		var wake <-chan struct{}
		if cfg.Notifier != nil {
			wake = cfg.Notifier.C()
		}
		as, next, err := feed.Next(ctx, cur)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("alert stream: reading alerts failed", "err", err)
			}
			return nil // the stream has begun: the client reconnects
		}
		if err := stages.EntitiesNow(ctx, s.store, as...); err != nil && ctx.Err() == nil {
			s.log.Warn("alert stream: entities of mentions", "err", err) // the alerts go as stored
		}
		for _, a := range as {
			data, err := json.Marshal(a)
			if err != nil {
				return nil
			}
			if _, err := fmt.Fprintf(w, "id: %s\nevent: alert\ndata: %s\n\n", eventID(a), data); err != nil {
				return nil
			}
		}
		if len(as) > 0 {
			if err := rc.Flush(); err != nil {
				return nil
			}
		}
		cur = next
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-poll.C:
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return nil
			}
			if err := rc.Flush(); err != nil {
				return nil
			}
		}
	}
}
