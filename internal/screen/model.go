package screen

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sync"
)

// Features describe how a query aligns with one listed name. Weights are
// rarity (idf) weights; L is ln(1+N) for an index of N names, the weight
// of a part found once.
type Features [NumFeatures]float64

// Feature indexes.
const (
	FQCov          = iota // share of the query's weight explained (similarities squared)
	FCCov                 // share of the entry name's weight explained
	FNameSim              // geometric mean of the two shares
	FInfo                 // weight explained, in units of L (capped at 4)
	FQMiss                // query weight left unexplained, in units of L (capped at 4)
	FCMiss                // entry weight left unexplained, in units of L (capped at 4)
	FMinSim               // lowest similarity of an aligned pair of parts (initials aside)
	FLoss                 // summed (1 - similarity) of the aligned pairs
	FInitials             // aligned pairs with an initial
	FExact                // 1 when every part on both sides is aligned exactly
	FSingle               // 1 when the query has one part
	FWeak                 // 1 when the name is a low-quality alias
	FAbjadFallback        // 1 when a Latin query met a name romanised from Arabic script
	FMissQN               // identifying query parts left unaligned
	FMissCN               // identifying entry parts left unaligned
	FDiffN                // aligned pairs of identifying parts spelt differently (variants, typos)
	FLetters              // letters of the aligned identifying query parts (of the aligned Latin entry parts for Arabic-script query parts), in tens (capped at 3)
	FAbjadQuery           // 1 when the query is written in Arabic or Hebrew script
	FComplete             // 1 when every identifying part on both sides is aligned
	FQSubset              // 1 when every query part is aligned with the same name (spelling variants aside)
	FEdits                // letter edits (insert, delete, substitute, swap neighbours) of the aligned parts spelt differently, capped at 3 a part, of query and entry parts in the same script
	FMaxEdits             // the most edits of one aligned pair, capped at 3
	FFirstDiff            // aligned pairs of one script spelt differently whose first letters differ
	FInnerMiss            // 1 when the query is wholly aligned, entry parts are left over and the entry's first part is aligned (middle or trailing names left out)
	FInOrder              // 1 when two parts or more are aligned and in the same order on both sides
	FXlit                 // Arabic-script queries: summed surprise of the aligned Latin spellings under the learned transliteration model (names.XlitSurprise, capped at 20 nats a part), in units of 5 nats, capped at 8
	FXlitMax              // the largest of those surprises, in units of 5 nats (capped at 4)
	NumFeatures
)

// FeatureNames names the features, in index order.
var FeatureNames = [NumFeatures]string{"qcov", "ccov", "namesim", "info", "qmiss", "cmiss", "minsim",
	"loss", "initials", "exact", "single", "weak", "abjad_fallback", "qmiss_n", "cmiss_n", "diff_n", "letters", "abjad_query", "complete", "qsubset", "edits", "max_edits", "first_diff", "inner_miss", "in_order", "xlit", "xlit_max"}

// FeatureSigns are the signs a trained model's weights must have (+1, -1,
// or 0 for either): more agreement never lowers the score, more left
// unexplained never raises it.
var FeatureSigns = [NumFeatures]int{FQCov: 1, FCCov: 1, FNameSim: 1, FInfo: 1, FQMiss: -1, FCMiss: -1,
	FMinSim: 1, FLoss: -1, FExact: 1, FWeak: -1, FAbjadFallback: -1, FMissQN: -1, FMissCN: -1, FDiffN: -1, FLetters: 1, FComplete: 1, FQSubset: 1,
	FEdits: -1, FMaxEdits: -1, FFirstDiff: -1, FInnerMiss: 1, FInOrder: 1, FXlit: -1, FXlitMax: -1}

// Model is a logistic model of a true match over Features: the logit is
// Bias plus the weighted sum of the features, each first centred and
// scaled by Mean and Scale (so that the weights are comparable).
type Model struct {
	Bias    float64            `json:"bias"`
	Weights map[string]float64 `json:"weights"`
	Mean    map[string]float64 `json:"mean,omitempty"`
	Scale   map[string]float64 `json:"scale,omitempty"`
	Note    string             `json:"note,omitempty"`
	// Abjad, when set, scores the queries written in Arabic or Hebrew
	// script (FAbjadQuery 1) in this model's place: fitted on
	// Arabic-script queries alone, so that it leaves the scores of
	// Latin-script queries as they are.
	Abjad    *Model               `json:"abjad,omitempty"`
	w, m, sc [NumFeatures]float64 // resolved from the maps
}

// Prepare resolves the model's named weights; it fails on unknown names.
func (m *Model) Prepare() error {
	idx := map[string]int{}
	for i, n := range FeatureNames {
		idx[n] = i
	}
	for i := range m.sc {
		m.w[i], m.m[i], m.sc[i] = 0, 0, 1
	}
	for k, v := range m.Weights {
		i, ok := idx[k]
		if !ok {
			return fmt.Errorf("model: unknown feature %q", k)
		}
		m.w[i] = v
	}
	for k, v := range m.Mean {
		i, ok := idx[k]
		if !ok {
			return fmt.Errorf("model: unknown feature %q", k)
		}
		m.m[i] = v
	}
	for k, v := range m.Scale {
		i, ok := idx[k]
		if !ok || v == 0 {
			return fmt.Errorf("model: bad scale for feature %q", k)
		}
		m.sc[i] = v
	}
	if m.Abjad != nil {
		if m.Abjad.Abjad != nil {
			return fmt.Errorf("model: nested Arabic-script model")
		}
		return m.Abjad.Prepare()
	}
	return nil
}

// For returns the model that scores f: the Arabic-script model for an
// Arabic- or Hebrew-script query when there is one, else m.
func (m *Model) For(f *Features) *Model {
	if m.Abjad != nil && f[FAbjadQuery] == 1 {
		return m.Abjad
	}
	return m
}

// Logit returns the model's log-odds for f.
func (m *Model) Logit(f *Features) float64 {
	m = m.For(f)
	z := m.Bias
	for i, v := range f {
		z += m.w[i] * (v - m.m[i]) / m.sc[i]
	}
	return z
}

// Contribution returns feature i's share of the logit for f.
func (m *Model) Contribution(f *Features, i int) float64 {
	m = m.For(f)
	return m.w[i] * (f[i] - m.m[i]) / m.sc[i]
}

//go:embed model.json
var modelJSON []byte

// DefaultModel returns the model shipped with Mosaic (model.json, trained
// by `mosaic screen train` on the tuning half of the labelled UN set; see
// docs/benchmarks/screen.md). It is parsed once and must not be modified.
var DefaultModel = sync.OnceValue(func() *Model {
	m, err := ParseModel(modelJSON)
	if err != nil {
		panic(err) // the embedded model is checked by TestDefaultModel
	}
	return m
})

// ParseModel reads a model written by Model.MarshalJSON.
func ParseModel(b []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if err := m.Prepare(); err != nil {
		return nil, err
	}
	return &m, nil
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
