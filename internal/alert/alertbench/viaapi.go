package alertbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// sentRow is the row a streamed item was mapped from, and the mapping's
// name.
type sentRow struct {
	mapping string
	fields  map[string]string
}

// group is the part of a batch that one request sends.
type group struct {
	mapping string
	items   []*store.Item
	rows    []map[string]string
}

// byMapping splits a batch by mapping, in the order the batch first names
// each.
func byMapping(items []*store.Item, rows []sentRow) []*group {
	var out []*group
	at := map[string]*group{}
	for i, it := range items {
		g := at[rows[i].mapping]
		if g == nil {
			g = &group{mapping: rows[i].mapping}
			at[g.mapping] = g
			out = append(out, g)
		}
		g.items = append(g.items, it)
		g.rows = append(g.rows, rows[i].fields)
	}
	return out
}

// postRows sends rows as JSON Lines to the ingest route of the API at
// base, mapped by the named mapping, and returns the route's summary.
func postRows(ctx context.Context, base, mapping string, rows []map[string]string) (*ingest.Summary, error) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return nil, err
		}
	}
	u := base + "/api/v1/ingest?" + url.Values{"name": {"feed/" + mapping + ".jsonl"}, "mapping": {mapping}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, &body)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("POST %s: %s: %s", u, resp.Status, b)
	}
	var sum ingest.Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		return nil, fmt.Errorf("POST %s: %w", u, err)
	}
	if len(sum.Rejected) > 0 || sum.Added+sum.Duplicates != len(rows) {
		return nil, fmt.Errorf("POST %s: %d rows sent, %d added, %d already stored, rejected: %v", u, len(rows), sum.Added, sum.Duplicates, sum.Rejected)
	}
	return &sum, nil
}
