// Package alerteval scores stored alerts against the truth files of a
// world written by `mosaic gen` (truth/patterns.csv lists every
// occurrence of each rule; see docs/gen.md).
//
// Scoring is per anchor record: for each rule, the records of the rule's
// anchor kind that its alerts cite are the predictions, and the records
// of that kind that its patterns cite are the truth. Our record IDs map
// back to the generator's through each record's record_id field.
package alerteval

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// kindOfPrefix maps the generator's record-id prefixes to record kinds.
var kindOfPrefix = map[string]mosaic.RecordKind{
	"TRV": mosaic.KindTravel, "PUR": mosaic.KindPurchase, "VHR": mosaic.KindVehicleHire,
	"PVS": mosaic.KindPrisonVisit, "PER": mosaic.KindPerson, "REF": mosaic.KindReferral,
	"COM": mosaic.KindCommunication,
}

// KindOf returns the record kind of a generator record id ("" if unknown).
func KindOf(genID string) mosaic.RecordKind {
	p, _, _ := strings.Cut(genID, "-")
	return kindOfPrefix[p]
}

// Pattern is one row of truth/patterns.csv.
type Pattern struct {
	ID, Rule, Description string
	People, Records       []string
}

// Truth is what a world says should alert.
type Truth struct {
	Patterns []Pattern
	// PersonOf maps "record_id/role" to the true person id
	// (truth/mentions.csv).
	PersonOf map[string]string
}

// LoadTruth reads a world's truth files.
func LoadTruth(world string) (*Truth, error) {
	t := &Truth{PersonOf: map[string]string{}}
	err := readCSV(filepath.Join(world, "truth", "patterns.csv"), func(r map[string]string) {
		t.Patterns = append(t.Patterns, Pattern{ID: r["pattern_id"], Rule: r["rule"], Description: r["description"],
			People: split(r["person_ids"]), Records: split(r["record_ids"])})
	})
	if err != nil {
		return nil, err
	}
	err = readCSV(filepath.Join(world, "truth", "mentions.csv"), func(r map[string]string) {
		t.PersonOf[r["record_id"]+"/"+r["role"]] = r["person_id"]
	})
	return t, err
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

func readCSV(path string, fn func(map[string]string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		m := make(map[string]string, len(head))
		for i, h := range head {
			if i < len(row) {
				m[h] = row[i]
			}
		}
		fn(m)
	}
}

// Score is one rule's result.
type Score struct {
	Rule   string            `json:"rule"`
	Kind   mosaic.RecordKind `json:"anchor_kind"`
	Alerts int               `json:"alerts"`
	// Record level: anchor records cited by alerts vs by patterns.
	Predicted int     `json:"predicted"`
	Truth     int     `json:"truth"`
	Correct   int     `json:"correct"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	// Pattern level: patterns with at least one anchor record alerted.
	Patterns      int       `json:"patterns"`
	PatternsFound int       `json:"patterns_found"`
	PatternRecall float64   `json:"pattern_recall"`
	Missed        []Pattern `json:"-"`
	FalseRecords  []string  `json:"-"` // generator ids alerted but in no pattern
	// MissReasons counts missed patterns by what resolution made of the
	// anchor record's person: "resolved alone" (no other record joined
	// them), "no watch-list entry" (a rule about subjects, and the
	// person's entity holds none), or "other".
	MissReasons map[string]int `json:"miss_reasons,omitempty"`
	// Withdrawn counts the rule's alerts withdrawn at the end (their rule
	// no longer held): they are not counted above. The Before figures
	// count them as raised, which is what the alerts were without
	// withdrawal (withdrawing removes no record from an alert, and an
	// alert that fires again is the same alert).
	Withdrawn       int     `json:"withdrawn"`
	BeforePredicted int     `json:"before_predicted"`
	BeforeCorrect   int     `json:"before_correct"`
	BeforePrecision float64 `json:"before_precision"`
	BeforeRecall    float64 `json:"before_recall"`
}

// Rule is what scoring needs to know of a rule.
type Rule struct {
	Kind    mosaic.RecordKind // the anchor record's kind
	Who     string            // the anchor person's role
	Subject bool              // the rule needs the person to be a subject
	// Linked, when set, is the role of the subject the anchor person
	// must be linked to (the prisoner of a visit): misses are then
	// classified by that person.
	Linked string
}

// Reader is what scoring reads from the store.
type Reader interface {
	store.AlertReader
	store.ItemReader
	store.EntityReader
}

// Evaluate scores the alerts of each rule against the truth.
func Evaluate(ctx context.Context, st Reader, t *Truth, rules map[string]Rule) ([]Score, error) {
	p := mosaic.Principal{Name: "alerteval", All: true}
	gen := map[mosaic.ID]string{} // our record ID -> generator id
	genID := func(id mosaic.ID) (string, error) {
		if g, ok := gen[id]; ok {
			return g, nil
		}
		it, err := st.Item(ctx, p, id)
		if err != nil {
			return "", err
		}
		g := ""
		if it.Record != nil {
			g = it.Record.Fields["record_id"]
		}
		gen[id] = g
		return g, nil
	}
	names := make([]string, 0, len(rules))
	for r := range rules {
		names = append(names, r)
	}
	sort.Strings(names)
	var out []Score
	for _, rule := range names {
		kind := rules[rule].Kind
		s := Score{Rule: rule, Kind: kind}
		truth := map[string]bool{}
		for _, pt := range t.Patterns {
			if pt.Rule != rule {
				continue
			}
			s.Patterns++
			for _, r := range pt.Records {
				if KindOf(r) == kind {
					truth[r] = true
				}
			}
		}
		as, err := st.Alerts(ctx, p, store.AlertFilter{Rule: rule, Limit: 1 << 30})
		if err != nil {
			return nil, err
		}
		pred, before := map[string]bool{}, map[string]bool{}
		for _, a := range as {
			if a.State == mosaic.AlertWithdrawn {
				s.Withdrawn++
			} else {
				s.Alerts++
			}
			for _, r := range a.Records {
				g, err := genID(r)
				if err != nil {
					return nil, fmt.Errorf("alert %s record %s: %w", a.ID, r, err)
				}
				if g != "" && KindOf(g) == kind {
					before[g] = true
					if a.State != mosaic.AlertWithdrawn {
						pred[g] = true
					}
				}
			}
		}
		s.BeforePredicted = len(before)
		for g := range before {
			if truth[g] {
				s.BeforeCorrect++
			}
		}
		s.BeforePrecision, s.BeforeRecall = ratio(s.BeforeCorrect, s.BeforePredicted), ratio(s.BeforeCorrect, len(truth))
		s.Predicted, s.Truth = len(pred), len(truth)
		for g := range pred {
			if truth[g] {
				s.Correct++
			} else {
				s.FalseRecords = append(s.FalseRecords, g)
			}
		}
		sort.Strings(s.FalseRecords)
		s.Precision, s.Recall = ratio(s.Correct, s.Predicted), ratio(s.Correct, s.Truth)
		for _, pt := range t.Patterns {
			if pt.Rule != rule {
				continue
			}
			found := false
			for _, r := range pt.Records {
				if KindOf(r) == kind && pred[r] {
					found = true
					break
				}
			}
			if found {
				s.PatternsFound++
			} else {
				s.Missed = append(s.Missed, pt)
			}
		}
		s.PatternRecall = ratio(s.PatternsFound, s.Patterns)
		if s.MissReasons, err = missReasons(ctx, st, p, s.Missed, rules[rule]); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// missReasons classifies missed patterns by what resolution made of the
// anchor record's person.
func missReasons(ctx context.Context, st Reader, p mosaic.Principal, missed []Pattern, r Rule) (map[string]int, error) {
	if len(missed) == 0 {
		return nil, nil
	}
	byGen := map[string]mosaic.ID{}
	want := map[string]bool{}
	for _, m := range missed {
		for _, g := range m.Records {
			if KindOf(g) == r.Kind {
				want[g] = true
			}
		}
	}
	err := st.ItemsOfKind(ctx, p, string(r.Kind), func(it *store.Item) error {
		if g := it.Record.Fields["record_id"]; want[g] {
			byGen[g] = it.ID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, m := range missed {
		reason := "other"
		for _, g := range m.Records {
			id, ok := byGen[g]
			if !ok {
				continue
			}
			who, subject := r.Who, r.Subject
			if r.Linked != "" {
				who, subject = r.Linked, true
			}
			mention := mosaic.MentionID(id, who)
			ents, err := st.EntityOf(ctx, []mosaic.ID{mention})
			if err != nil {
				return nil, err
			}
			members, err := st.Members(ctx, ents[mention])
			if err != nil {
				return nil, err
			}
			if len(members) <= 1 {
				reason = "resolved alone"
				break
			}
			if subject {
				entry := false
				for _, a := range members {
					it, err := st.Item(ctx, p, mosaic.OriginOf(a.Mention))
					if err == nil && it.Record != nil && it.Record.Kind == mosaic.KindWatchlistEntry {
						entry = true
						break
					}
				}
				if !entry {
					reason = "no watch-list entry"
				}
			}
			break
		}
		out[reason]++
	}
	return out, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Report writes a table of scores.
func Report(w io.Writer, scores []Score) {
	fmt.Fprintf(w, "%-26s %7s %9s %6s %7s %9s %7s %9s %9s %17s  %s\n", "rule", "alerts", "predicted", "truth", "correct", "precision", "recall", "patterns",
		"withdrawn", "before: prec/rec", "missed because")
	for _, s := range scores {
		var why []string
		for _, k := range []string{"resolved alone", "no watch-list entry", "other"} {
			if n := s.MissReasons[k]; n > 0 {
				why = append(why, fmt.Sprintf("%s %d", k, n))
			}
		}
		fmt.Fprintf(w, "%-26s %7d %9d %6d %7d %9.3f %7.3f %4d/%-4d %9d %8.3f/%-8.3f  %s\n", s.Rule, s.Alerts, s.Predicted, s.Truth, s.Correct, s.Precision, s.Recall,
			s.PatternsFound, s.Patterns, s.Withdrawn, s.BeforePrecision, s.BeforeRecall, strings.Join(why, ", "))
	}
}
