package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/store"
)

var alertStates = map[string]bool{mosaic.AlertNew: true, mosaic.AlertAcknowledged: true, mosaic.AlertEscalated: true, mosaic.AlertDismissed: true}

func (t *tx) loadAlert(ctx context.Context, id mosaic.ID) (*mosaic.Alert, error) {
	st, err := t.stmt(ctx, t.s.d.Rebind(`SELECT body FROM alerts WHERE id = ?`))
	if err != nil {
		return nil, err
	}
	var body string
	if err := st.QueryRowContext(ctx, string(id)).Scan(&body); err != nil {
		return nil, err
	}
	a := new(mosaic.Alert)
	return a, json.Unmarshal([]byte(body), a)
}

func (t *tx) saveAlert(ctx context.Context, a *mosaic.Alert, insert bool) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	q := `UPDATE alerts SET rule = ?, state = ?, first_at = ?, last_at = ?, marking = ?, body = ? WHERE id = ?`
	if insert {
		q = `INSERT INTO alerts(rule, state, first_at, last_at, marking, body, id) VALUES(?,?,?,?,?,?,?)`
	}
	return t.exec(ctx, t.s.d.Rebind(q), a.Rule, a.State, micros(a.First), micros(a.Last), a.Marking.String(), string(body), string(a.ID))
}

func (t *tx) PutAlert(ctx context.Context, a *mosaic.Alert) (bool, error) {
	const op = "store.PutAlert"
	if a.Rule == "" || a.Key == "" {
		return false, mosaic.Errorf(mosaic.KindInvalid, op, "alert needs a rule and a key")
	}
	if len(a.Records) == 0 && len(a.Entities) == 0 {
		return false, mosaic.Errorf(mosaic.KindInvalid, op, "alert %s/%s cites no record or entity", a.Rule, a.Key)
	}
	a.ID = mosaic.AlertID(a.Rule, a.Key)
	now := t.s.clock().UTC()
	old, err := t.loadAlert(ctx, a.ID)
	if a.State == mosaic.AlertWithdrawn {
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil // nothing to withdraw
		}
		if err != nil {
			return false, fmt.Errorf("%s: load %s: %w", op, a.ID, err)
		}
		return false, t.withdrawAlert(ctx, old, a, now)
	}
	if errors.Is(err, sql.ErrNoRows) {
		if a.State == "" {
			a.State = mosaic.AlertNew
		}
		if a.Count == 0 {
			a.Count = 1
		}
		if a.First.IsZero() {
			a.First = now
		}
		if a.Last.IsZero() {
			a.Last = now
		}
		a.History = append(a.History, mosaic.AlertChange{State: a.State, Who: "mosaic", When: now, Why: "raised"})
		return true, t.saveAlert(ctx, a, true)
	}
	if err != nil {
		return false, fmt.Errorf("%s: load %s: %w", op, a.ID, err)
	}
	grew := false
	for _, r := range a.Records {
		if !slices.Contains(old.Records, r) {
			old.Records = append(old.Records, r)
			grew = true
		}
	}
	for _, e := range a.Entities {
		if !slices.Contains(old.Entities, e) {
			old.Entities = append(old.Entities, e)
		}
	}
	if !grew {
		switch {
		case old.State == mosaic.AlertWithdrawn:
			old.State = mosaic.AlertNew
			old.History = append(old.History, mosaic.AlertChange{State: mosaic.AlertNew, Who: "mosaic", When: now, Why: mosaic.AlertHoldsAgain})
		case noLongerHolds(old):
			old.History = append(old.History, mosaic.AlertChange{State: old.State, Who: "mosaic", When: now, Why: mosaic.AlertHoldsAgain})
		default:
			return false, nil // the same hit again (a redelivery): nothing changes
		}
		old.Last = now
		*a = *old
		return false, t.saveAlert(ctx, old, false)
	}
	old.Count++
	old.Last = now
	old.Marking = old.Marking.Union(a.Marking)
	if a.Score > old.Score {
		old.Score, old.Explanation, old.Match = a.Score, a.Explanation, a.Match
	}
	switch {
	case old.State == mosaic.AlertDismissed:
		old.State = mosaic.AlertNew
		old.History = append(old.History, mosaic.AlertChange{State: mosaic.AlertNew, Who: "mosaic", When: now, Why: "new evidence after dismissal"})
	case old.State == mosaic.AlertWithdrawn:
		old.State = mosaic.AlertNew
		old.History = append(old.History, mosaic.AlertChange{State: mosaic.AlertNew, Who: "mosaic", When: now, Why: mosaic.AlertHoldsAgain})
	case noLongerHolds(old):
		old.History = append(old.History, mosaic.AlertChange{State: old.State, Who: "mosaic", When: now, Why: mosaic.AlertHoldsAgain})
	}
	*a = *old
	return false, t.saveAlert(ctx, old, false)
}

// withdrawAlert applies a rule's verdict that old no longer holds (w is
// the PutAlert argument, its last History entry saying why). A new alert
// becomes withdrawn; an alert an analyst has acknowledged or escalated
// keeps its state and gets a history line saying the rule no longer
// holds (once). Both move Last, so that feeds deliver the change. A
// dismissed alert, closed by an analyst already, is left as it is.
func (t *tx) withdrawAlert(ctx context.Context, old, w *mosaic.Alert, now time.Time) error {
	why := "no longer holds under the current resolution"
	if n := len(w.History); n > 0 && w.History[n-1].Why != "" {
		why = w.History[n-1].Why
	}
	switch {
	case old.State == mosaic.AlertWithdrawn || old.State == mosaic.AlertDismissed || noLongerHolds(old):
		*w = *old
		return nil // already said, or closed by an analyst
	case old.State == mosaic.AlertNew:
		old.State = mosaic.AlertWithdrawn
		old.History = append(old.History, mosaic.AlertChange{State: mosaic.AlertWithdrawn, Who: "mosaic", When: now, Why: why})
		old.Last = now
	default:
		old.History = append(old.History, mosaic.AlertChange{State: old.State, Who: "mosaic", When: now,
			Why: mosaic.AlertNoLongerHolds + " (state kept: set by " + lastSetter(old) + "): " + why})
		old.Last = now
	}
	*w = *old
	return t.saveAlert(ctx, old, false)
}

// noLongerHolds reports whether the last system line of a's history says
// its rule no longer holds (and none since says it holds again).
func noLongerHolds(a *mosaic.Alert) bool {
	for i := len(a.History) - 1; i >= 0; i-- {
		h := a.History[i]
		if h.Who != "mosaic" {
			continue
		}
		return strings.HasPrefix(h.Why, mosaic.AlertNoLongerHolds)
	}
	return false
}

// lastSetter names who last set a's state.
func lastSetter(a *mosaic.Alert) string {
	for i := len(a.History) - 1; i >= 0; i-- {
		if h := a.History[i]; h.State == a.State && h.Who != "mosaic" {
			return h.Who
		}
	}
	return "an analyst"
}

func (t *tx) SetAlertState(ctx context.Context, id mosaic.ID, c mosaic.AlertChange) error {
	const op = "store.SetAlertState"
	if c.State == mosaic.AlertWithdrawn {
		return mosaic.Errorf(mosaic.KindInvalid, op, "only the system withdraws an alert (when its rule no longer holds); dismiss it instead")
	}
	if !alertStates[c.State] {
		return mosaic.Errorf(mosaic.KindInvalid, op, "unknown alert state %q", c.State)
	}
	if c.Who == "" {
		return mosaic.Errorf(mosaic.KindInvalid, op, "a state change needs who made it")
	}
	a, err := t.loadAlert(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return mosaic.Errorf(mosaic.KindNotFound, op, "no alert %s", id)
	}
	if err != nil {
		return err
	}
	if c.When.IsZero() {
		c.When = t.s.clock().UTC()
	}
	a.State = c.State
	a.History = append(a.History, c)
	return t.saveAlert(ctx, a, false)
}

// Alert implements store.AlertReader.
func (s *Store) Alert(ctx context.Context, p mosaic.Principal, id mosaic.ID) (*mosaic.Alert, error) {
	var body string
	err := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT body FROM alerts WHERE id = ?`), string(id)).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, mosaic.Errorf(mosaic.KindNotFound, "store.Alert", "no alert %s", id)
	}
	if err != nil {
		return nil, err
	}
	a := new(mosaic.Alert)
	if err := json.Unmarshal([]byte(body), a); err != nil {
		return nil, err
	}
	if !access.Can(p, a.Marking) {
		return nil, mosaic.Errorf(mosaic.KindNotFound, "store.Alert", "no alert %s", id)
	}
	return a, nil
}

// Alerts implements store.AlertReader: newest activity first.
func (s *Store) Alerts(ctx context.Context, p mosaic.Principal, f store.AlertFilter) ([]*mosaic.Alert, error) {
	q := `SELECT body FROM alerts WHERE last_at >= ?`
	args := []any{micros(f.Since)}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, f.State)
	}
	if f.Rule != "" {
		q += ` AND rule = ?`
		args = append(args, f.Rule)
	}
	q += ` ORDER BY last_at DESC, id`
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	var out []*mosaic.Alert
	for rows.Next() && len(out) < limit {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		a := new(mosaic.Alert)
		if err := json.Unmarshal([]byte(body), a); err != nil {
			return nil, err
		}
		if access.Can(p, a.Marking) {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}
