package eval

import (
	"fmt"
	"maps"
	"math"
	"sort"

	"github.com/mosaic-intel/mosaic/internal/screen"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// TrainOptions configure Train.
type TrainOptions struct {
	Version   Version // labelled-set version (default V2)
	Negatives int     // generated names (default 50,000)
	MaxFAR    float64 // the operating point placed at screen.DefaultThreshold (default 0.001)
	L2        float64 // ridge penalty on the standardised weights (default 1)
	// HardRounds is how many times the model is refitted on the hard
	// cases alone (default 3; -1: none): each positive's row and, for
	// every negative query, its HardTop rows the current model scores
	// highest. A false alert is a negative query's best-scoring name, so
	// the fit is focused on the names that decide it, not on the many
	// easy ones.
	HardRounds int
	HardTop    int // rows kept per negative query (default 1)
	// Renderer writes generated names in Arabic script for Arabic-script
	// negatives; nil leaves them out (and the Arabic-script offset unset).
	Renderer *Renderer
	// AbjadModel also fits a separate model for Arabic-script queries
	// (screen.Model.Abjad) on the Arabic-script rows alone; it needs
	// Renderer. Not shipped: see docs/benchmarks/screen.md, fifth round.
	AbjadModel bool
	// FitXlit, with Base, keeps every weight of Base and fits only the
	// weights of the learned-transliteration features (FXlit, FXlitMax)
	// and the Arabic-script offset, on the Arabic-script rows: Latin-script
	// queries score as under Base.
	FitXlit bool
	// Base, when set, is kept as the model for Latin-script queries (its
	// own Arabic-script model dropped): only the Arabic-script model is
	// fitted (with AbjadModel).
	Base *screen.Model
}

// Train fits a screen.Model on the tuning half of the labelled set built
// from entries (the UN list): positives are the perturbed names of the
// even-numbered entries, each paired with its own entry; negatives are
// every entry scored for the generated names of seed TuneNegSeed. The
// test half is not touched. The intercept is then shifted so that
// screen.DefaultThreshold is the lowest threshold keeping false alerts on
// the tuning negatives at or under MaxFAR.
func Train(entries []watchlist.Entry, o TrainOptions) (*screen.Model, error) {
	if o.Version == 0 {
		o.Version = V2
	}
	if o.Negatives == 0 {
		o.Negatives = 50000
	}
	if o.MaxFAR == 0 {
		o.MaxFAR = 0.001
	}
	if o.L2 == 0 {
		o.L2 = 1
	}
	if o.HardRounds == 0 {
		o.HardRounds = 3
	}
	if o.HardTop == 0 {
		o.HardTop = 1
	}
	ix := screen.NewIndex()
	ix.ReplaceList("un", entries)
	var extra []screen.Features // names of the right entry kept out of the fit
	var xs []screen.Features
	var ys []bool
	var posGroups [][]int // rows of the right entry's names, per positive query
	var negGroups [][]int // rows of each negative query
	pos := Positives(entries, TunePart, TunePosSeed, o.Version)
	missing := 0
	for _, l := range pos {
		// The right entry's name that agrees best (by the model-free
		// name similarity) is the positive row; every name of the right
		// entry counts when placing the threshold.
		var g []int
		bestRow, bestSim := -1, -1.0
		var rest []screen.Features
		for _, c := range ix.Candidates(l.Query) {
			if c.List != l.List || c.EntryID != l.EntryID {
				continue
			}
			if c.Features[screen.FNameSim] > bestSim {
				if bestRow >= 0 {
					rest = append(rest, xs[bestRow])
					xs = xs[:bestRow]
					ys = ys[:bestRow]
				}
				bestRow, bestSim = len(xs), c.Features[screen.FNameSim]
				xs, ys = append(xs, c.Features), append(ys, true)
			} else {
				rest = append(rest, c.Features)
			}
		}
		if bestRow < 0 {
			missing++
			continue
		}
		g = append(g, bestRow)
		for _, f := range rest {
			// Kept out of the fit (another name of the right entry, not the
			// one the query is a perturbation of), but scored.
			g = append(g, -1-len(extra))
			extra = append(extra, f)
		}
		posGroups = append(posGroups, g)
	}
	negs := Negatives(entries, o.Negatives, TuneNegSeed, o.Version)
	for _, l := range negs {
		var g []int
		for _, c := range ix.Candidates(l.Query) {
			g = append(g, len(xs))
			xs, ys = append(xs, c.Features), append(ys, false)
		}
		negGroups = append(negGroups, g)
	}
	// Arabic-script names of the tuning entries against their Latin-script
	// names (the entries without Arabic-script names), and generated names
	// written in Arabic script against the whole list.
	var arPosGroups, arNegGroups [][]int
	if o.Renderer != nil {
		xsIx := screen.NewIndex()
		xsIx.ReplaceList("un", WithoutScript(entries, "arabic"))
		for _, l := range ArabicQueriesPart(entries, TunePart) {
			bestRow, bestSim := -1, -1.0
			for _, c := range xsIx.Candidates(l.Query) {
				if c.List == l.List && c.EntryID == l.EntryID && c.Features[screen.FNameSim] > bestSim {
					if bestRow < 0 {
						bestRow = len(xs)
						xs, ys = append(xs, c.Features), append(ys, true)
					} else {
						xs[bestRow] = c.Features
					}
					bestSim = c.Features[screen.FNameSim]
				}
			}
			if bestRow >= 0 {
				arPosGroups = append(arPosGroups, []int{bestRow})
			}
		}
		for _, l := range o.Renderer.ArabicNegativesFor(entries, o.Negatives, TuneNegSeed, o.Version) {
			var g []int
			for _, c := range ix.Candidates(l.Query) {
				g = append(g, len(xs))
				xs, ys = append(xs, c.Features), append(ys, false)
			}
			arNegGroups = append(arNegGroups, g)
		}
	}
	if len(posGroups) == 0 || len(negGroups) == 0 {
		return nil, fmt.Errorf("train: no positives or no negatives")
	}
	m := fitLogistic(xs, ys, nil, o.L2, screen.FeatureSigns)
	for range max(0, o.HardRounds) {
		m = fitHard(m, xs, ys, [][][]int{posGroups, arPosGroups}, [][][]int{negGroups, arNegGroups}, o)
	}
	// Operating point: the lowest logit t with at most MaxFAR of the
	// negative queries having a candidate at or above it.
	z := func(row int) float64 {
		if row < 0 {
			return m.Logit(&extra[-1-row])
		}
		return m.Logit(&xs[row])
	}
	m.Bias += logitOf(screen.DefaultThreshold) - operatingLogit(negGroups, z, o.MaxFAR)
	if err := m.Prepare(); err != nil {
		return nil, err
	}
	// The Arabic-script offset: the abjad_query weight, taken out of
	// standardisation so that it moves Arabic-script queries only, is set
	// so that the same threshold holds their false alerts at MaxFAR too.
	if len(arNegGroups) > 0 {
		name := screen.FeatureNames[screen.FAbjadQuery]
		w, mean, sc := m.Weights[name], m.Mean[name], m.Scale[name]
		m.Bias -= w * mean / sc
		m.Weights[name], m.Mean[name], m.Scale[name] = w/sc, 0, 1
		if err := m.Prepare(); err != nil {
			return nil, err
		}
		m.Weights[name] += logitOf(screen.DefaultThreshold) - operatingLogit(arNegGroups, z, o.MaxFAR)
		if err := m.Prepare(); err != nil {
			return nil, err
		}
	}
	if o.Base != nil {
		b := *o.Base
		b.Abjad = nil
		b.Weights, b.Mean, b.Scale = maps.Clone(b.Weights), maps.Clone(b.Mean), maps.Clone(b.Scale)
		m = &b
		if err := m.Prepare(); err != nil {
			return nil, err
		}
	}
	if o.FitXlit && o.Base != nil && len(arNegGroups) > 0 && len(arPosGroups) > 0 {
		if err := fitXlit(m, xs, arPosGroups, arNegGroups, o); err != nil {
			return nil, err
		}
	}
	if o.AbjadModel && len(arNegGroups) > 0 && len(arPosGroups) > 0 {
		am, err := fitAbjad(entries, o, xs, ys, arPosGroups, arNegGroups)
		if err != nil {
			return nil, err
		}
		m.Abjad = am
		if err := m.Prepare(); err != nil {
			return nil, err
		}
	}
	found := 0
	for _, g := range posGroups {
		for _, r := range g {
			if z(r) >= logitOf(screen.DefaultThreshold) {
				found++
				break
			}
		}
	}
	arFound := 0
	for _, g := range arPosGroups {
		if z(g[0]) >= logitOf(screen.DefaultThreshold) {
			arFound++
		}
	}
	base := ""
	switch {
	case o.Base != nil && o.FitXlit:
		base = "; every weight but those of xlit, xlit_max and abjad_query is the base model's, unchanged, and those three were fitted on the Arabic-script rows alone"
	case o.Base != nil:
		base = "; the model for Latin-script queries is the base model given, unchanged"
	}
	m.Note = fmt.Sprintf("logistic model trained by `mosaic screen train` on set %s, tuning half (even-numbered UN entries, positives seed %d, %d generated names seed %d, %d generated names written in Arabic script, %d Arabic-script names of the entries); %d rows; tuning recall %.4f (of %d positives, %d never retrieved) and Arabic-script recall %d/%d at the default threshold, which holds false alerts at or under %.4f for Latin- and Arabic-script queries%s",
		o.Version, TunePosSeed, o.Negatives, TuneNegSeed, len(arNegGroups), len(arPosGroups), len(xs), float64(found)/float64(len(pos)), len(pos), missing, arFound, len(arPosGroups), o.MaxFAR, base)
	return m, nil
}

// fitXlit fits, on the Arabic-script rows (the positives' rows and each
// negative query's highest-scoring row under m), the weights of FXlit and
// FXlitMax (at most 0) and an intercept, with m's logit as a fixed
// offset; it adds them to m (the intercept to the Arabic-script offset)
// and then moves the offset so that the Arabic-script negatives' false
// alerts are at most o.MaxFAR at screen.DefaultThreshold.
func fitXlit(m *screen.Model, xs []screen.Features, arPos, arNeg [][]int, o TrainOptions) error {
	type row struct {
		z0, x1, x2 float64
		y          bool
	}
	var rs []row
	npos := 0
	add := func(r int, y bool) {
		rs = append(rs, row{m.Logit(&xs[r]), xs[r][screen.FXlit], xs[r][screen.FXlitMax], y})
		if y {
			npos++
		}
	}
	for _, g := range arPos {
		add(g[0], true)
	}
	for _, g := range arNeg {
		best, bz := -1, math.Inf(-1)
		for _, r := range g {
			if z := m.Logit(&xs[r]); z > bz {
				best, bz = r, z
			}
		}
		if best >= 0 {
			add(best, false)
		}
	}
	wpos := float64(len(rs)-npos) / float64(npos)
	fixed := [2]bool{}
	var beta [3]float64 // w1, w2, intercept
	for round := 0; round < 3; round++ {
		beta = [3]float64{}
		for iter := 0; iter < 50; iter++ {
			var g [3]float64
			var h [3][3]float64
			for _, r := range rs {
				x := [3]float64{r.x1, r.x2, 1}
				z := r.z0 + beta[0]*x[0] + beta[1]*x[1] + beta[2]
				p := 1 / (1 + math.Exp(-z))
				w, y := 1.0, 0.0
				if r.y {
					w, y = wpos, 1
				}
				for i := range 3 {
					g[i] += w * (p - y) * x[i]
					for j := range 3 {
						h[i][j] += w * p * (1 - p) * x[i] * x[j]
					}
				}
			}
			for i := range 2 {
				g[i] += o.L2 * beta[i]
				h[i][i] += o.L2
				if fixed[i] {
					g[i] = 0
					for j := range 3 {
						h[i][j], h[j][i] = 0, 0
					}
					h[i][i] = 1
				}
			}
			h[2][2] += 1e-9
			step := solve3(h, g)
			norm := 0.0
			for i := range 3 {
				beta[i] -= step[i]
				norm += step[i] * step[i]
			}
			if norm < 1e-12 {
				break
			}
		}
		worst := -1
		for i := range 2 {
			if !fixed[i] && beta[i] > 0 && (worst < 0 || beta[i] > beta[worst]) {
				worst = i
			}
		}
		if worst < 0 {
			break
		}
		fixed[worst] = true
	}
	for i, f := range []int{screen.FXlit, screen.FXlitMax} {
		name := screen.FeatureNames[f]
		m.Weights[name], m.Mean[name], m.Scale[name] = round6(beta[i]), 0, 1
	}
	aq := screen.FeatureNames[screen.FAbjadQuery]
	if m.Mean[aq] != 0 || m.Scale[aq] != 1 {
		return fmt.Errorf("train: the base model's Arabic-script offset is standardised")
	}
	m.Weights[aq] += beta[2]
	if err := m.Prepare(); err != nil {
		return err
	}
	z := func(r int) float64 { return m.Logit(&xs[r]) }
	m.Weights[aq] = round6(m.Weights[aq] + logitOf(screen.DefaultThreshold) - operatingLogit(arNeg, z, o.MaxFAR))
	return m.Prepare()
}

// solve3 returns x with a x = b (a small, positive definite).
func solve3(a [3][3]float64, b [3]float64) [3]float64 {
	for c := range 3 {
		p := c
		for r := c + 1; r < 3; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < 3; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < 3; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	var x [3]float64
	for r := 2; r >= 0; r-- {
		v := b[r]
		for k := r + 1; k < 3; k++ {
			v -= a[r][k] * x[k]
		}
		x[r] = v / a[r][r]
	}
	return x
}

// genPositives is how many generated names written in Arabic script
// fitAbjad adds to the Arabic-script model's positives.
const genPositives = 300

// genSeed seeds those generated names; no labelled set uses it.
const genSeed = 41

// fitAbjad fits the model for Arabic-script queries on the Arabic-script
// rows alone: the tuning entries' Arabic-script names (arPos) and
// genPositives generated person names written in Arabic script (words
// the learned tables of internal/names learnt from) against their Latin
// spelling as positives, generated names written in Arabic script
// (arNeg) as negatives; its intercept holds the negatives' false alerts
// at o.MaxFAR at screen.DefaultThreshold.
func fitAbjad(entries []watchlist.Entry, o TrainOptions, xs []screen.Features, ys []bool, arPos, arNeg [][]int) (*screen.Model, error) {
	gen, gq := o.Renderer.ArabicGenerated(genSeed, genPositives, false)
	genIx := screen.NewIndex()
	genIx.ReplaceList("un", WithoutScript(entries, "arabic"))
	genIx.ReplaceList("gen", gen)
	pos := append([][]int(nil), arPos...)
	for _, l := range gq {
		for _, c := range genIx.Candidates(l.Query) {
			if c.List == l.List && c.EntryID == l.EntryID {
				pos = append(pos, []int{len(xs)})
				xs, ys = append(xs, c.Features), append(ys, true)
				break
			}
		}
	}
	var rows []int
	for _, gs := range [][][]int{pos, arNeg} {
		for _, g := range gs {
			rows = append(rows, g...)
		}
	}
	am := fitLogistic(xs, ys, rows, o.L2, screen.FeatureSigns)
	for range max(0, o.HardRounds) {
		am = fitHard(am, xs, ys, [][][]int{pos}, [][][]int{arNeg}, o)
	}
	z := func(row int) float64 { return am.Logit(&xs[row]) }
	am.Bias = round6(am.Bias + logitOf(screen.DefaultThreshold) - operatingLogit(arNeg, z, o.MaxFAR))
	if err := am.Prepare(); err != nil {
		return nil, err
	}
	return am, nil
}

func logitOf(p float64) float64 { return math.Log(p / (1 - p)) }

// operatingLogit returns the lowest logit at or above which at most maxFAR
// of the negative queries (groups of rows) have a row.
func operatingLogit(groups [][]int, z func(int) float64, maxFAR float64) float64 {
	negMax := make([]float64, 0, len(groups))
	for _, g := range groups {
		best := math.Inf(-1)
		for _, r := range g {
			best = max(best, z(r))
		}
		negMax = append(negMax, best)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(negMax)))
	allowed := int(maxFAR * float64(len(groups)))
	if allowed >= len(negMax) {
		return math.Inf(-1)
	}
	return negMax[allowed] + 1e-3 // above the first negative not allowed, and its score rounded to 4 places
}

// fitLogistic fits a logistic regression by Newton's method on
// standardised features with a ridge penalty; the classes are weighted
// to count equally. A weight whose sign disagrees with signs is fixed at
// zero and the rest refitted, until every weight agrees.
func fitLogistic(xs []screen.Features, ys []bool, rows []int, l2 float64, signs [screen.NumFeatures]int) *screen.Model {
	if rows != nil {
		sx := make([]screen.Features, len(rows))
		sy := make([]bool, len(rows))
		for i, r := range rows {
			sx[i], sy[i] = xs[r], ys[r]
		}
		xs, ys = sx, sy
	}
	const d = screen.NumFeatures
	var mean, scale [d]float64
	for _, x := range xs {
		for i, v := range x {
			mean[i] += v
		}
	}
	for i := range mean {
		mean[i] /= float64(len(xs))
	}
	for _, x := range xs {
		for i, v := range x {
			scale[i] += (v - mean[i]) * (v - mean[i])
		}
	}
	for i := range scale {
		scale[i] = math.Sqrt(scale[i] / float64(len(xs)))
		if scale[i] < 1e-9 {
			scale[i] = 1
		}
	}
	var npos int
	for _, y := range ys {
		if y {
			npos++
		}
	}
	wpos := float64(len(ys)-npos) / float64(npos)
	const n = d + 1 // weights, then bias
	var beta [n]float64
	row := func(x *screen.Features, out *[n]float64) {
		for i := range d {
			out[i] = (x[i] - mean[i]) / scale[i]
		}
		out[d] = 1
	}
	var fixed [d]bool
	var r [n]float64
	for round := 0; round < d; round++ {
		beta = [n]float64{}
		for iter := 0; iter < 50; iter++ {
			var grad [n]float64
			var hess [n][n]float64
			for k := range xs {
				row(&xs[k], &r)
				z := 0.0
				for i := range n {
					z += beta[i] * r[i]
				}
				p := 1 / (1 + math.Exp(-z))
				w, y := 1.0, 0.0
				if ys[k] {
					w, y = wpos, 1
				}
				g := w * (p - y)
				h := w * p * (1 - p)
				for i := range n {
					grad[i] += g * r[i]
					for j := i; j < n; j++ {
						hess[i][j] += h * r[i] * r[j]
					}
				}
			}
			for i := range n {
				for j := 0; j < i; j++ {
					hess[i][j] = hess[j][i]
				}
			}
			for i := range d {
				grad[i] += l2 * beta[i]
				hess[i][i] += l2
				if fixed[i] {
					// Held at zero: no gradient, no coupling.
					grad[i] = 0
					for j := range n {
						hess[i][j], hess[j][i] = 0, 0
					}
					hess[i][i] = 1
				}
			}
			hess[d][d] += 1e-9
			step := solve(hess, grad)
			var norm float64
			for i := range n {
				beta[i] -= step[i]
				norm += step[i] * step[i]
			}
			if norm < 1e-12 {
				break
			}
		}
		// Fix the most wrongly signed weight and refit, until none is.
		worst, wv := -1, 0.0
		for i := range d {
			if !fixed[i] && signs[i] != 0 && beta[i]*float64(signs[i]) < wv {
				worst, wv = i, beta[i]*float64(signs[i])
			}
		}
		if worst < 0 {
			break
		}
		fixed[worst] = true
	}
	m := &screen.Model{Bias: beta[d], Weights: map[string]float64{}, Mean: map[string]float64{}, Scale: map[string]float64{}}
	for i, name := range screen.FeatureNames {
		m.Weights[name] = round6(beta[i])
		m.Mean[name] = round6(mean[i])
		m.Scale[name] = round6(scale[i])
	}
	m.Bias = round6(m.Bias)
	_ = m.Prepare()
	return m
}

// fitHard refits on the rows that decide the operating point under model
// m: the fitted row of every positive query (group rows >= 0) and the
// o.HardTop highest-scoring rows of every negative query.
func fitHard(m *screen.Model, xs []screen.Features, ys []bool, pos, neg [][][]int, o TrainOptions) *screen.Model {
	var rows []int
	for _, gs := range pos {
		for _, g := range gs {
			if len(g) > 0 && g[0] >= 0 {
				rows = append(rows, g[0])
			}
		}
	}
	for _, gs := range neg {
		for _, g := range gs {
			top := append([]int(nil), g...)
			sort.Slice(top, func(a, b int) bool { return m.Logit(&xs[top[a]]) > m.Logit(&xs[top[b]]) })
			rows = append(rows, top[:min(len(top), o.HardTop)]...)
		}
	}
	return fitLogistic(xs, ys, rows, o.L2, screen.FeatureSigns)
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// solve returns x with a x = b, by Gaussian elimination with partial
// pivoting (a is small and positive definite).
func solve(a [screen.NumFeatures + 1][screen.NumFeatures + 1]float64, b [screen.NumFeatures + 1]float64) [screen.NumFeatures + 1]float64 {
	const n = screen.NumFeatures + 1
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < n; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < n; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	var x [n]float64
	for r := n - 1; r >= 0; r-- {
		v := b[r]
		for k := r + 1; k < n; k++ {
			v -= a[r][k] * x[k]
		}
		x[r] = v / a[r][r]
	}
	return x
}
