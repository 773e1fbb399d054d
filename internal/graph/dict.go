package graph

import "hash/maphash"

// dict interns strings to dense uint32 ids (0, 1, 2, ... in insertion
// order). Strings live in one byte arena and the hash table holds only ids,
// so a dictionary of n strings of average length L costs about
// L + 4 + 8 bytes per string, far less than a map[string]uint32.
type dict struct {
	seed  maphash.Seed
	arena []byte
	off   []uint32 // off[i]..off[i+1] is string i
	slots []uint32 // open addressing: 0 empty, else id+1
	mask  uint64
}

func newDict(capacity int) *dict {
	d := &dict{seed: maphash.MakeSeed(), off: make([]uint32, 1, capacity+1)}
	d.rehash(capacity)
	return d
}

func (d *dict) len() int { return len(d.off) - 1 }

func (d *dict) str(id uint32) string { return string(d.arena[d.off[id]:d.off[id+1]]) }

func (d *dict) bytesEqual(id uint32, s string) bool {
	return string(d.arena[d.off[id]:d.off[id+1]]) == s
}

// lookup returns the id of s.
func (d *dict) lookup(s string) (uint32, bool) {
	h := maphash.String(d.seed, s)
	for i := h & d.mask; ; i = (i + 1) & d.mask {
		v := d.slots[i]
		if v == 0 {
			return 0, false
		}
		if d.bytesEqual(v-1, s) {
			return v - 1, true
		}
	}
}

// intern returns the id of s, adding it when new.
func (d *dict) intern(s string) (id uint32, added bool) {
	if uint64(d.len()+1)*2 > uint64(len(d.slots)) {
		d.rehash(2 * len(d.slots))
	}
	h := maphash.String(d.seed, s)
	i := h & d.mask
	for ; ; i = (i + 1) & d.mask {
		v := d.slots[i]
		if v == 0 {
			break
		}
		if d.bytesEqual(v-1, s) {
			return v - 1, false
		}
	}
	id = uint32(d.len())
	d.arena = append(d.arena, s...)
	d.off = append(d.off, uint32(len(d.arena)))
	d.slots[i] = id + 1
	return id, true
}

func (d *dict) rehash(n int) {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	d.slots = make([]uint32, size)
	d.mask = uint64(size - 1)
	for id := 0; id < d.len(); id++ {
		h := maphash.Bytes(d.seed, d.arena[d.off[id]:d.off[id+1]])
		i := h & d.mask
		for d.slots[i] != 0 {
			i = (i + 1) & d.mask
		}
		d.slots[i] = uint32(id) + 1
	}
}

// permuted returns a dictionary whose string i is d's string old[i].
func (d *dict) permuted(old []uint32) *dict {
	nd := &dict{seed: d.seed, off: make([]uint32, 1, len(old)+1), arena: make([]byte, 0, len(d.arena))}
	for _, o := range old {
		nd.arena = append(nd.arena, d.arena[d.off[o]:d.off[o+1]]...)
		nd.off = append(nd.off, uint32(len(nd.arena)))
	}
	nd.rehash(len(old))
	return nd
}

func (d *dict) bytes() int64 {
	return int64(cap(d.arena)) + 4*int64(cap(d.off)) + 4*int64(cap(d.slots))
}
