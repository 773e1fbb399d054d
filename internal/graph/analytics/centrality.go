package analytics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// PageRank returns the weighted PageRank of every node (damping d, default
// 0.85), iterating until the L1 change is below 1e-9 or 100 rounds.
// Dangling nodes spread their rank evenly.
func PageRank(ctx context.Context, g *Weighted, d float64) ([]float64, error) {
	if d <= 0 || d >= 1 {
		d = 0.85
	}
	n := g.Len()
	if n == 0 {
		return nil, nil
	}
	out := make([]float64, n)
	for u := 0; u < n; u++ {
		for i := g.Off[u]; i < g.Off[u+1]; i++ {
			out[u] += g.W[i]
		}
	}
	pr := make([]float64, n)
	next := make([]float64, n)
	for i := range pr {
		pr[i] = 1 / float64(n)
	}
	for it := 0; it < 100; it++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("pagerank: %w", err)
		}
		var dangling float64
		for u := 0; u < n; u++ {
			if out[u] == 0 {
				dangling += pr[u]
			}
		}
		base := (1-d)/float64(n) + d*dangling/float64(n)
		for i := range next {
			next[i] = base
		}
		for u := 0; u < n; u++ {
			if out[u] == 0 {
				continue
			}
			s := d * pr[u] / out[u]
			for i := g.Off[u]; i < g.Off[u+1]; i++ {
				next[g.Nbr[i]] += s * g.W[i]
			}
		}
		var delta float64
		for i := range pr {
			delta += math.Abs(next[i] - pr[i])
		}
		pr, next = next, pr
		if delta < 1e-9 {
			break
		}
	}
	return pr, nil
}

// Betweenness estimates the (unweighted, hop-count) betweenness centrality
// of every node with Brandes' algorithm from samples random sources, scaled
// by n/samples (exact when samples >= n). Brokers between groups score
// high.
func Betweenness(ctx context.Context, g *Weighted, samples int, seed uint64) ([]float64, error) {
	n := g.Len()
	bc := make([]float64, n)
	if n == 0 {
		return bc, nil
	}
	sources := make([]int, n)
	for i := range sources {
		sources[i] = i
	}
	if samples > 0 && samples < n {
		r := rand.New(rand.NewPCG(seed, 0xbe7))
		r.Shuffle(n, func(i, j int) { sources[i], sources[j] = sources[j], sources[i] })
		sources = sources[:samples]
	}
	sigma := make([]float64, n)
	dist := make([]int32, n)
	delta := make([]float64, n)
	order := make([]int32, 0, n)
	for si, s := range sources {
		if si&63 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("betweenness: %w", ctx.Err())
		}
		for i := range dist {
			dist[i], sigma[i], delta[i] = -1, 0, 0
		}
		order = order[:0]
		dist[s], sigma[s] = 0, 1
		order = append(order, int32(s))
		for qi := 0; qi < len(order); qi++ {
			u := order[qi]
			for i := g.Off[u]; i < g.Off[u+1]; i++ {
				v := g.Nbr[i]
				if dist[v] < 0 {
					dist[v] = dist[u] + 1
					order = append(order, v)
				}
				if dist[v] == dist[u]+1 {
					sigma[v] += sigma[u]
				}
			}
		}
		for qi := len(order) - 1; qi >= 0; qi-- {
			w := order[qi]
			for i := g.Off[w]; i < g.Off[w+1]; i++ {
				v := g.Nbr[i]
				if dist[v] == dist[w]-1 {
					delta[v] += sigma[v] / sigma[w] * (1 + delta[w])
				}
			}
			if int(w) != s {
				bc[w] += delta[w]
			}
		}
	}
	scale := float64(n) / float64(len(sources)) / 2 // each pair counted from both ends
	for i := range bc {
		bc[i] *= scale
	}
	return bc, nil
}
