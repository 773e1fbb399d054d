package screen

import "hash/maphash"

// The index keeps its per-entry and per-name data in a few large slices of
// plain values (no pointers), so that the garbage collector has almost
// nothing to scan however many names are indexed: strings live in one byte
// arena, variable-length lists in int32 arenas addressed by spans, and the
// large lookup tables are maps from 64-bit hashes to int32 heads of chains.

// strRef locates a string in a byteArena.
type strRef struct{ off, n uint32 }

// byteArena is an append-only store of strings.
type byteArena struct{ b []byte }

func (a *byteArena) add(s string) strRef {
	r := strRef{uint32(len(a.b)), uint32(len(s))}
	a.b = append(a.b, s...)
	return r
}

func (a *byteArena) bytes(r strRef) []byte { return a.b[r.off : r.off+r.n] }

// str returns a copy of the string at r.
func (a *byteArena) str(r strRef) string { return string(a.bytes(r)) }

func (a *byteArena) equal(r strRef, s string) bool { return string(a.bytes(r)) == s }

// span locates a run of elements in an arena slice.
type span struct{ off, n uint32 }

// chainMap maps 64-bit hashes to lists of int32 values, pointer-free: a
// map to the head of a chain threaded through two slices. Values of one
// hash come back newest first. Lookups must check that what they find
// has the key they asked for, as different keys may share a hash.
type chainMap struct {
	head map[uint64]int32
	val  []int32
	next []int32
	cnt  []int32 // length of the chain from each node on
}

func newChainMap() chainMap { return chainMap{head: map[uint64]int32{}} }

func (c *chainMap) add(h uint64, v int32) {
	n := int32(len(c.val))
	c.val = append(c.val, v)
	prev, ok := c.head[h]
	k := int32(1)
	if ok {
		k += c.cnt[prev]
	} else {
		prev = -1
	}
	c.next = append(c.next, prev)
	c.cnt = append(c.cnt, k)
	c.head[h] = n
}

// each calls fn with every value filed under h until fn returns false.
func (c *chainMap) each(h uint64, fn func(v int32) bool) {
	i, ok := c.head[h]
	if !ok {
		return
	}
	for ; i >= 0; i = c.next[i] {
		if !fn(c.val[i]) {
			return
		}
	}
}

// count returns how many values are filed under h.
func (c *chainMap) count(h uint64) int {
	if i, ok := c.head[h]; ok {
		return int(c.cnt[i])
	}
	return 0
}

// remove deletes the first value v filed under h.
func (c *chainMap) remove(h uint64, v int32) {
	i, ok := c.head[h]
	if !ok {
		return
	}
	prev := int32(-1)
	for ; i >= 0; prev, i = i, c.next[i] {
		if c.val[i] != v {
			continue
		}
		switch {
		case prev >= 0:
			c.next[prev] = c.next[i]
		case c.next[i] >= 0:
			c.head[h] = c.next[i]
		default:
			delete(c.head, h)
		}
		// The nodes before the removed one count one fewer.
		if prev >= 0 {
			for j := c.head[h]; j != c.next[i]; j = c.next[j] {
				c.cnt[j]--
			}
		}
		return
	}
}

// hasher hashes strings with a per-index seed.
type hasher struct{ seed maphash.Seed }

func newHasher() hasher { return hasher{maphash.MakeSeed()} }

func (h hasher) str(s string) uint64 { return maphash.String(h.seed, s) }

// pair hashes two strings as one key.
func (h hasher) pair(a, b string) uint64 {
	var m maphash.Hash
	m.SetSeed(h.seed)
	m.WriteString(a)
	m.WriteByte(0)
	m.WriteString(b)
	return m.Sum64()
}

// tagged hashes a retrieval key: a one-byte kind and a string.
func (h hasher) tagged(kind byte, s string) uint64 {
	var m maphash.Hash
	m.SetSeed(h.seed)
	m.WriteByte(kind)
	m.WriteString(s)
	return m.Sum64()
}
