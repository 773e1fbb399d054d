package eval

import (
	"fmt"
	"io"
	"time"

	"github.com/mosaic-intel/mosaic/internal/screen"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// Options configure Evaluate.
type Options struct {
	Version   Version // labelled-set version (default V2)
	Negatives int     // generated names per half (default 50,000)
	Threshold float64 // operating threshold also reported (default screen.DefaultThreshold)
	MaxFAR    float64 // false-alert rate the tuned threshold must meet (default 0.001)
	Model     *screen.Model
	// Renderer writes the test negatives in Arabic script to measure
	// false alerts of Arabic-script queries; nil leaves that out.
	Renderer *Renderer
}

func (o *Options) defaults() {
	if o.Version == 0 {
		o.Version = V2
	}
	if o.Negatives == 0 {
		o.Negatives = 50000
	}
	if o.Threshold == 0 {
		o.Threshold = screen.DefaultThreshold
	}
	if o.MaxFAR == 0 {
		o.MaxFAR = 0.001
	}
}

// Report is the outcome of Evaluate.
type Report struct {
	Options
	Entries                  int
	TunePos, TuneNeg         []Outcome
	TestPos, TestNeg         []Outcome
	Excluded                 int // generated names V2 left out (both halves)
	Tuned, TunedRecall       float64
	TunedFAR                 float64
	CrossScript              []Outcome // all Arabic-script names of the list
	CrossScriptQueries       []Labelled
	CrossScriptTest          []Outcome // those of the test-half entries
	ArabicNeg                []Outcome // test negatives written in Arabic script
	TestQueries, TuneQueries []Labelled
	Took                     time.Duration
}

// Tuning and test seeds: positives of the even entries with seed 1 and
// negatives with seed 101 tune; odd entries with seed 2 and negatives with
// seed 202 test.
const (
	TunePart, TunePosSeed, TuneNegSeed = 0, 1, 101
	TestPart, TestPosSeed, TestNegSeed = 1, 2, 202
)

// Evaluate builds the labelled set from entries (the UN list) and measures
// ix, which must hold exactly those entries, on it: the threshold is tuned
// on one half and reported on the other. Cross-script recall screens the
// Arabic-script names against an index of the same entries without them.
func Evaluate(ix *screen.Index, entries []watchlist.Entry, o Options) *Report {
	o.defaults()
	r := &Report{Options: o, Entries: len(entries)}
	start := time.Now()
	r.TuneQueries = Positives(entries, TunePart, TunePosSeed, o.Version)
	r.TunePos = Run(ix, r.TuneQueries)
	tn, ex1 := NegativesExcluded(entries, o.Negatives, TuneNegSeed, o.Version)
	r.TuneNeg = Run(ix, tn)
	r.Tuned, r.TunedRecall, r.TunedFAR = BestThreshold(r.TunePos, r.TuneNeg, o.MaxFAR)
	r.TestQueries = Positives(entries, TestPart, TestPosSeed, o.Version)
	r.TestPos = Run(ix, r.TestQueries)
	sn, ex2 := NegativesExcluded(entries, o.Negatives, TestNegSeed, o.Version)
	r.TestNeg = Run(ix, sn)
	r.Excluded = len(ex1) + len(ex2)
	xs := screen.NewIndex()
	xs.SetModel(o.Model)
	xs.ReplaceList("un", WithoutScript(entries, "arabic"))
	r.CrossScriptQueries = ArabicQueries(entries)
	r.CrossScript = Run(xs, r.CrossScriptQueries)
	r.CrossScriptTest = Run(xs, ArabicQueriesPart(entries, TestPart))
	if o.Renderer != nil {
		r.ArabicNeg = Run(ix, o.Renderer.ArabicNegativesFor(entries, o.Negatives, TestNegSeed, o.Version))
	}
	r.Took = time.Since(start)
	return r
}

// Write prints the report.
func (r *Report) Write(w io.Writer) {
	fmt.Fprintf(w, "Set %s. UN list: %d entries. Tuning half: %d perturbed queries, %d generated names.\n", r.Version, r.Entries, len(r.TunePos), len(r.TuneNeg))
	if r.Version >= V2 {
		fmt.Fprintf(w, "  (%d generated names left out of the two halves as perturbations of a listed name)\n", r.Excluded)
	}
	fmt.Fprintf(w, "  lowest threshold with false-alert rate <= %.4f: %.3f (recall %.4f, false alerts %.4f)\n", r.MaxFAR, r.Tuned, r.TunedRecall, r.TunedFAR)
	rc, f := Rates(r.TunePos, r.TuneNeg, r.Threshold)
	fmt.Fprintf(w, "  at threshold %.3f: recall %.4f, false alerts %.4f\n", r.Threshold, rc, f)
	fmt.Fprintf(w, "Test half: %d perturbed queries, %d generated names (other seeds).\n", len(r.TestPos), len(r.TestNeg))
	for _, th := range []float64{r.Tuned, r.Threshold} {
		rc, f := Rates(r.TestPos, r.TestNeg, th)
		fmt.Fprintf(w, "  threshold %.3f: recall %.4f, false-alert rate %.4f\n", th, rc, f)
	}
	fmt.Fprintf(w, "  recall by perturbation at threshold %.3f:\n", r.Threshold)
	for _, l := range ByKind(r.TestPos, r.Threshold) {
		fmt.Fprintf(w, "    %s\n", l)
	}
	rc, _ = Rates(r.CrossScriptTest, nil, r.Threshold)
	ra, _ := Rates(r.CrossScript, nil, r.Threshold)
	fmt.Fprintf(w, "Cross-script, Arabic-script names against Latin-only entries, threshold %.3f: test-half entries %d names, recall %.4f; all %d names, recall %.4f\n",
		r.Threshold, len(r.CrossScriptTest), rc, len(r.CrossScript), ra)
	if len(r.ArabicNeg) > 0 {
		_, f := Rates(nil, r.ArabicNeg, r.Threshold)
		fmt.Fprintf(w, "  %d test generated names written in Arabic script, against the whole list: false-alert rate %.4f\n", len(r.ArabicNeg), f)
	}
	fmt.Fprintf(w, "(evaluation took %v)\n", r.Took.Round(time.Millisecond))
}

func (v Version) String() string { return fmt.Sprintf("v%d", int(v)) }
