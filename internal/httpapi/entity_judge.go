package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// JudgeConfig configures the routes of analysts' judgements on entities.
type JudgeConfig struct {
	// Resolve is the resolve stage holding the engine (nil on an API node
	// of a scaled-out deployment: judgements are then stored and applied
	// by the worker holding the stage, and explanations are unavailable).
	Resolve *stages.Resolve
	// Wait is how long a request waits for a worker to apply a judgement
	// when Resolve is nil (default 10s; the answer is 202 if it has not).
	Wait time.Duration
}

// HandleJudgements registers the judgement routes. IDs are entity IDs or
// mention IDs (a mention ID holds a '/': escape it as %2F in a path); an
// entity stands for its representative mention (see stages.Mention).
//
//	POST /api/v1/entities/{id}/merge    {"with": ID}                       same entity
//	POST /api/v1/entities/{id}/judge    {"other": ID, "verdict": "same|different"}
//	POST /api/v1/entities/{id}/split    {"mention": ID}                    take the mention out of entity {id}
//	POST /api/v1/entities/{id}/undo     {"other": ID}                      withdraw a judgement
//	GET  /api/v1/entities/{id}/explain  ?other=ID                          each feature's contribution
//	GET  /api/v1/judgements             ?mention=ID&state=pending|applied|rejected
//
// Every POST body may also give "by" and "note". A judgement is stored in
// the judgement log first and applied by the resolve stage; the answer is
// the stored entry with what it moved.
func (s *Server) HandleJudgements(cfg JudgeConfig) {
	if cfg.Wait <= 0 {
		cfg.Wait = 10 * time.Second
	}
	j := &judgeRoutes{s: s, cfg: cfg}
	s.Handle("POST /api/v1/entities/{id}/merge", j.merge)
	s.Handle("POST /api/v1/entities/{id}/judge", j.judge)
	s.Handle("POST /api/v1/entities/{id}/split", j.split)
	s.Handle("POST /api/v1/entities/{id}/undo", j.undo)
	s.Handle("GET /api/v1/entities/{id}/explain", j.explain)
	s.Handle("GET /api/v1/judgements", j.list)
	id := Param{Name: "id", In: "path", Required: true, Description: "entity ID or mention ID (escape '/' as %2F)"}
	body := `, "by": "analyst (optional)", "note": "why (optional)"}`
	s.Describe("POST /api/v1/entities/{id}/merge", Op{Summary: "Judge two entities (or mentions) the same: their clusters join, and stay joined", Params: []Param{id}, Body: `{"with": "entity or mention ID"` + body})
	s.Describe("POST /api/v1/entities/{id}/judge", Op{Summary: "Judge two entities (or mentions) the same or different; every later automatic decision respects it", Params: []Param{id}, Body: `{"other": "entity or mention ID", "verdict": "same|different"` + body})
	s.Describe("POST /api/v1/entities/{id}/split", Op{Summary: "Take a mention out of entity {id} (records a not-same judgement against each part left)", Params: []Param{id}, Body: `{"mention": "mention ID (default: {id} itself when it is a mention)"` + body})
	s.Describe("POST /api/v1/entities/{id}/undo", Op{Summary: "Withdraw the judgement between {id} and another; automatic decisions apply again", Params: []Param{id}, Body: `{"other": "entity or mention ID"` + body})
	s.Describe("GET /api/v1/entities/{id}/explain", Op{Summary: "Why two entities (or mentions) match or not: each feature's contribution in bits, the probability, and the links of {id}",
		Params: []Param{id, {Name: "other", In: "query", Required: true, Description: "entity or mention ID"}}})
	s.Describe("GET /api/v1/judgements", Op{Summary: "The judgement log, oldest first", Params: []Param{
		{Name: "mention", In: "query", Description: "entries naming this mention"},
		{Name: "state", In: "query", Description: "pending, applied or rejected"},
		{Name: "limit", In: "query", Description: "most entries (1-10000, default 1000)"}}})
}

type judgeRoutes struct {
	s   *Server
	cfg JudgeConfig
}

type judgeBody struct {
	With    mosaic.ID `json:"with"`
	Other   mosaic.ID `json:"other"`
	Mention mosaic.ID `json:"mention"`
	Verdict string    `json:"verdict"`
	By      string    `json:"by"`
	Note    string    `json:"note"`
}

// JudgeResult is the answer to a judgement.
type JudgeResult struct {
	Judgement store.Judgement     `json:"judgement"`
	Moves     []stages.EntityMove `json:"moves,omitempty"`
	Derived   []store.Judgement   `json:"derived,omitempty"`
}

func readJudgeBody(r *http.Request) (judgeBody, error) {
	var b judgeBody
	if r.Body == nil {
		return b, nil
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil && !errors.Is(err, io.EOF) {
		return b, mosaic.Errorf(mosaic.KindInvalid, "judge", "body: %v", err)
	}
	return b, nil
}

func (j *judgeRoutes) mention(ctx context.Context, id mosaic.ID, what string) (mosaic.ID, error) {
	if id == "" {
		return "", mosaic.Errorf(mosaic.KindInvalid, "judge", "%s is required", what)
	}
	return stages.Mention(ctx, j.s.store, id)
}

// pair resolves {id} and another ID to mentions.
func (j *judgeRoutes) pair(r *http.Request, other mosaic.ID, what string) (mosaic.ID, mosaic.ID, error) {
	a, err := j.mention(r.Context(), mosaic.ID(r.PathValue("id")), "id")
	if err != nil {
		return "", "", err
	}
	b, err := j.mention(r.Context(), other, what)
	return a, b, err
}

func (j *judgeRoutes) merge(w http.ResponseWriter, r *http.Request) error {
	body, err := readJudgeBody(r)
	if err != nil {
		return err
	}
	a, b, err := j.pair(r, body.With, "with")
	if err != nil {
		return err
	}
	return j.submit(w, r, store.Judgement{A: a, B: b, Verdict: store.VerdictSame, By: body.By, Note: body.Note})
}

func (j *judgeRoutes) judge(w http.ResponseWriter, r *http.Request) error {
	body, err := readJudgeBody(r)
	if err != nil {
		return err
	}
	v, err := resolve.ParseVerdict(body.Verdict)
	if err != nil {
		return mosaic.Errorf(mosaic.KindInvalid, "judge", "%v", err)
	}
	a, b, err := j.pair(r, body.Other, "other")
	if err != nil {
		return err
	}
	verdict := store.VerdictSame
	if v == resolve.NotSame {
		verdict = store.VerdictNotSame
	}
	return j.submit(w, r, store.Judgement{A: a, B: b, Verdict: verdict, By: body.By, Note: body.Note})
}

func (j *judgeRoutes) undo(w http.ResponseWriter, r *http.Request) error {
	body, err := readJudgeBody(r)
	if err != nil {
		return err
	}
	a, b, err := j.pair(r, body.Other, "other")
	if err != nil {
		return err
	}
	return j.submit(w, r, store.Judgement{A: a, B: b, Verdict: store.VerdictUndo, By: body.By, Note: body.Note})
}

func (j *judgeRoutes) split(w http.ResponseWriter, r *http.Request) error {
	body, err := readJudgeBody(r)
	if err != nil {
		return err
	}
	id := mosaic.ID(r.PathValue("id"))
	m := body.Mention
	if m == "" {
		m = id
	}
	if m == "" || len(m) > 4 && m[:4] == mosaic.PrefixEntity+"-" {
		return mosaic.Errorf(mosaic.KindInvalid, "split", "give the mention to take out (\"mention\")")
	}
	if body.Mention != "" && id != body.Mention {
		// The mention must belong to entity {id}.
		ents, err := j.s.store.EntityOf(r.Context(), []mosaic.ID{m})
		if err != nil {
			return err
		}
		want := id
		if len(id) < 4 || id[:4] != mosaic.PrefixEntity+"-" {
			e, err := j.s.store.EntityOf(r.Context(), []mosaic.ID{id})
			if err != nil {
				return err
			}
			want = e[id]
		}
		if ents[m] == "" || ents[m] != want {
			return mosaic.Errorf(mosaic.KindInvalid, "split", "mention %s is not in entity %s", m, id)
		}
	}
	return j.submit(w, r, store.Judgement{A: m, Verdict: store.VerdictSplit, By: body.By, Note: body.Note})
}

// submit stores the judgement, has it applied and answers with the outcome.
func (j *judgeRoutes) submit(w http.ResponseWriter, r *http.Request, jg store.Judgement) error {
	ctx := r.Context()
	if jg.By == "" {
		jg.By = Principal(r).Name
	}
	if err := j.s.store.Update(ctx, func(tx store.Tx) error { return tx.PutJudgement(ctx, &jg) }); err != nil {
		return err
	}
	res := JudgeResult{Judgement: jg}
	if j.cfg.Resolve != nil {
		outs, err := j.cfg.Resolve.ApplyJudgements(ctx, j.s.store)
		if err != nil {
			return err
		}
		for _, o := range outs {
			if o.Judgement.Seq == jg.Seq {
				res = JudgeResult{Judgement: o.Judgement, Moves: o.Moves, Derived: o.Derived}
			}
		}
	}
	deadline := time.Now().Add(j.cfg.Wait)
	for res.Judgement.State == store.JudgementPending {
		got, err := j.s.store.Judgement(ctx, jg.Seq)
		if err != nil {
			return err
		}
		res.Judgement = *got
		if got.State != store.JudgementPending || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if res.Judgement.State == store.JudgementApplied && res.Judgement.Verdict == store.VerdictSplit && res.Derived == nil {
		ds, err := j.s.store.Judgements(ctx, store.JudgementFilter{Mention: jg.A, After: jg.Seq})
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.Origin == jg.Seq {
				res.Derived = append(res.Derived, d)
			}
		}
	}
	switch res.Judgement.State {
	case store.JudgementPending:
		return writeJSON(w, http.StatusAccepted, res)
	case store.JudgementRejected:
		return mosaic.Errorf(mosaic.KindConflict, "judge", "judgement %d rejected: %s", jg.Seq, res.Judgement.Result)
	}
	return writeJSON(w, http.StatusOK, res)
}

// ExplainResult is the answer of the explain route.
type ExplainResult struct {
	A           mosaic.ID           `json:"a"` // the mentions compared
	B           mosaic.ID           `json:"b"`
	Explanation resolve.Explanation `json:"explanation"`
	Text        string              `json:"text"`
	Links       []resolve.Link      `json:"links"` // what ties A to its entity and its possible matches
}

func (j *judgeRoutes) explain(w http.ResponseWriter, r *http.Request) error {
	if j.cfg.Resolve == nil {
		return mosaic.Errorf(mosaic.KindUnavailable, "explain", "this node holds no resolution engine; ask the node running the resolve stage")
	}
	a, b, err := j.pair(r, mosaic.ID(r.URL.Query().Get("other")), "other")
	if err != nil {
		return err
	}
	eng := j.cfg.Resolve.Engine()
	x, err := eng.Explain(string(a), string(b))
	if errors.Is(err, resolve.ErrUnknown) {
		return mosaic.Errorf(mosaic.KindNotFound, "explain", "%v", err)
	}
	if err != nil {
		return err
	}
	links, err := eng.Links(string(a))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ExplainResult{A: a, B: b, Explanation: x, Text: x.String(), Links: links})
}

func (j *judgeRoutes) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.JudgementFilter{Mention: mosaic.ID(q.Get("mention")), State: q.Get("state")}
	switch f.State {
	case "", store.JudgementPending, store.JudgementApplied, store.JudgementRejected:
	default:
		return mosaic.Errorf(mosaic.KindInvalid, "judgements", "state %q: use pending, applied or rejected", f.State)
	}
	var err error
	if f.Limit, err = intParam(r, "limit", 1000, 10000); err != nil {
		return err
	}
	js, err := j.s.store.Judgements(r.Context(), f)
	if err != nil {
		return err
	}
	if js == nil {
		js = []store.Judgement{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"judgements": js})
}
