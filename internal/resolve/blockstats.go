package resolve

import "slices"

// BlockingReport measures blocking against the truth.
type BlockingReport struct {
	Records int
	// CandidatesPerRecord is the mean number of other records a record is
	// compared with (each unordered pair counted once per side).
	CandidatesPerRecord float64
	// TruePairs is the number of pairs of records in the same true cluster;
	// Found is how many of them share a usable blocking key.
	TruePairs, Found int64
	// Recall is Found / TruePairs.
	Recall float64
}

// Blocking reports how many candidates blocking yields per record and
// which share of the true matching pairs (truth: record ID -> true
// cluster) it finds.
func (e *Engine) Blocking(truth map[string]string) BlockingReport {
	e.mu.RLock()
	defer e.mu.RUnlock()
	n := uint32(len(e.recs))
	rep := BlockingReport{Records: int(n)}
	var s scratch
	var total int64
	for i := uint32(0); i < n; i++ {
		c := e.candidates(i, n, &s)
		total += int64(len(c))
		ti, ok := truth[e.recs[i].id]
		if !ok {
			continue
		}
		for _, j := range c {
			if j > i && truth[e.recs[j].id] == ti {
				rep.Found++
			}
		}
	}
	bySet := map[string]int64{}
	for i := range e.recs {
		if t, ok := truth[e.recs[i].id]; ok {
			bySet[t]++
		}
	}
	for _, k := range bySet {
		rep.TruePairs += k * (k - 1) / 2
	}
	if n > 0 {
		rep.CandidatesPerRecord = float64(total) / float64(n)
	}
	rep.Recall = 1
	if rep.TruePairs > 0 {
		rep.Recall = float64(rep.Found) / float64(rep.TruePairs)
	}
	return rep
}

// Stats summarises the engine's state.
type Stats struct {
	Records, Clusters, Edges, MergeEdges, Reviews, Judgements int
}

// Stats returns counts of records, clusters, scored pairs and judgements.
func (e *Engine) Stats() Stats {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st := Stats{Records: len(e.recs), Judgements: len(e.judg.byPair)}
	for i := range e.recs {
		if e.cl.find(uint32(i)) == uint32(i) {
			st.Clusters++
		}
		for _, ed := range e.adj[i] {
			if ed.to > uint32(i) {
				st.Edges++
				if ed.merge {
					st.MergeEdges++
				}
			}
		}
	}
	st.Reviews = len(e.reviews())
	return st
}

// ClusterList returns the clusters as sorted lists of record IDs, sorted
// by their first ID.
func (e *Engine) ClusterList() [][]string {
	by := map[string][]string{}
	for id, c := range e.Clusters() {
		by[c] = append(by[c], id)
	}
	out := make([][]string, 0, len(by))
	for _, m := range by {
		slices.Sort(m)
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b []string) int {
		if a[0] < b[0] {
			return -1
		}
		return 1
	})
	return out
}
