package linkgraph

import (
	"context"
	"fmt"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/graph"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// linkStore serves fixed links and mentions.
type linkStore struct {
	links    []store.EntityLink
	mentions []store.MentionRow
}

func (s linkStore) EntityLinks(_ context.Context, fn func(store.EntityLink) error) error {
	for _, l := range s.links {
		if err := fn(l); err != nil {
			return err
		}
	}
	return nil
}

func (s linkStore) ResolvedMentions(_ context.Context, fn func(store.MentionRow) error) error {
	for _, m := range s.mentions {
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

func (linkStore) LinksOf(context.Context, mosaic.Principal, []mosaic.ID, int) ([]store.EntityLink, error) {
	return nil, nil
}

// TestCallsJoinTheTwoEnds: a household landline held by two people makes
// five calls to Cy's phone. Each holder is tied to Cy once per call; the
// two holders are not tied to each other by the calls (only by sharing
// the phone).
func TestCallsJoinTheTwoEnds(t *testing.T) {
	var s linkStore
	n := 0
	link := func(subj mosaic.ID, pred string, obj mosaic.ID) {
		n++
		rec := mosaic.ID(fmt.Sprintf("rec-%d", n))
		s.links = append(s.links, store.EntityLink{Link: mosaic.Link{ID: mosaic.ID(fmt.Sprintf("%s/l", rec)), Subject: subj, Predicate: pred, Object: obj,
			Start: time.Date(2024, 1, n, 0, 0, 0, 0, time.UTC), Confidence: 1}, SubjectEntity: subj, ObjectEntity: obj})
	}
	link("ana", "has_phone", "landline")
	link("bo", "has_phone", "landline")
	link("cy", "has_phone", "mobile")
	for range 5 {
		link("landline", "communicated_with", "mobile")
	}
	g, err := graph.Load(context.Background(), Source{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	count := map[[2]mosaic.ID]int{}
	for _, from := range []mosaic.ID{"ana", "bo", "cy"} {
		sg, err := g.Neighbours(context.Background(), mosaic.Principal{All: true}, []mosaic.ID{from}, graph.NeighbourOptions{Filter: graph.Filter{EdgeTypes: []string{"communicated"}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range sg.Edges {
			a, b := min(e.From, e.To), max(e.From, e.To)
			count[[2]mosaic.ID{a, b}] = e.Count
		}
	}
	want := map[[2]mosaic.ID]int{{"ana", "cy"}: 5, {"bo", "cy"}: 5}
	if len(count) != len(want) || count[[2]mosaic.ID{"ana", "cy"}] != 5 || count[[2]mosaic.ID{"bo", "cy"}] != 5 {
		t.Errorf("communicated edges %v, want %v", count, want)
	}
}
