package gen

import (
	"math/rand/v2"
)

// Stream tags: every random decision draws from a stream keyed by the seed,
// a tag and an index, so that any person, household or friendship can be
// regenerated on demand without keeping it in memory.
const (
	tagPerson uint64 = iota + 1
	tagHousehold
	tagEdge
	tagPrisoner
	tagBlock
	tagWorld
	tagActivity
	tagPerm
	tagCell
	tagExtra
	tagDetail
)

// detail returns a stream for the identifying details added to a record
// after the first version of the format (columns at the end of a file),
// keyed by the record's other fields: drawing them from the record's own
// stream would have changed every later draw, and so every world.
func (w *world) detail(fields ...string) *rand.Rand {
	h := uint64(14695981039346656037)
	for _, f := range fields {
		for i := 0; i < len(f); i++ {
			h = (h ^ uint64(f[i])) * 1099511628211
		}
		h = (h ^ 0xff) * 1099511628211
	}
	return stream(w.seed, tagDetail, h)
}

// splitmix64 is a fast 64-bit mixing function.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// stream returns a generator for (seed, tag, i).
func stream(seed, tag, i uint64) *rand.Rand {
	a := splitmix64(seed ^ splitmix64(tag))
	b := splitmix64(a ^ splitmix64(i+tag<<56))
	return rand.New(rand.NewPCG(a, b))
}

// unit returns a float in [0,1) for (seed, tag, i) without allocating.
func unit(seed, tag, i uint64) float64 {
	x := splitmix64(splitmix64(seed^splitmix64(tag)) ^ splitmix64(i+tag<<56))
	return float64(x>>11) / (1 << 53)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

func pickWeighted(r *rand.Rand, ws []weighted) string {
	return ws[weightedIndex(r, len(ws), func(i int) float64 { return ws[i].Weight })].Value
}

// weightedIndex draws an index in [0,n) with probability proportional to
// weight(i).
func weightedIndex(r *rand.Rand, n int, weight func(int) float64) int {
	var total float64
	for i := 0; i < n; i++ {
		total += weight(i)
	}
	x := r.Float64() * total
	for i := 0; i < n; i++ {
		if x < weight(i) {
			return i
		}
		x -= weight(i)
	}
	return n - 1
}

// count draws a small count: the number of the increasing thresholds that
// a uniform draw reaches (count(r, 0.5, 0.8) is 0 half the time, 1 three
// times in ten, 2 otherwise).
func count(r *rand.Rand, thresholds ...float64) int {
	x := r.Float64()
	n := 0
	for _, t := range thresholds {
		if x >= t {
			n++
		}
	}
	return n
}

// permutation is a keyed pseudo-random permutation of [0,n): a four-round
// Feistel network over the smallest even-bit domain holding n, with cycle
// walking. Both directions cost a few hashes and no memory.
type permutation struct {
	n    uint64
	half uint
	mask uint64
	keys [4]uint64
}

func newPermutation(seed uint64, n int) permutation {
	p := permutation{n: uint64(n)}
	bits := uint(2)
	for uint64(1)<<bits < p.n {
		bits += 2
	}
	p.half = bits / 2
	p.mask = 1<<p.half - 1
	for i := range p.keys {
		p.keys[i] = splitmix64(seed ^ splitmix64(tagPerm+uint64(i)<<32))
	}
	return p
}

func (p permutation) enc(x uint64) uint64 {
	l, r := x>>p.half, x&p.mask
	for _, k := range p.keys {
		l, r = r, l^(splitmix64(r^k)&p.mask)
	}
	return l<<p.half | r
}

func (p permutation) dec(x uint64) uint64 {
	l, r := x>>p.half, x&p.mask
	for i := len(p.keys) - 1; i >= 0; i-- {
		l, r = r^(splitmix64(l^p.keys[i])&p.mask), l
	}
	return l<<p.half | r
}

// Forward maps an index to its position.
func (p permutation) Forward(i int) int {
	x := p.enc(uint64(i))
	for x >= p.n {
		x = p.enc(x)
	}
	return int(x)
}

// Inverse maps a position back to its index.
func (p permutation) Inverse(pos int) int {
	x := p.dec(uint64(pos))
	for x >= p.n {
		x = p.dec(x)
	}
	return int(x)
}
