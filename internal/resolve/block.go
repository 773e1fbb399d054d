package resolve

// Blocking: every record gets a handful of keys; two records are compared
// only when they share a key that is not a hub (a key held by more than
// Config.MaxBlock records is never used to find candidates, which keeps
// the work per record bounded). Keys:
//
//   - each pair of phonetic keys of a name's tokens ("mhmt|hsn");
//   - the initial of each name token with the phonetic key of another;
//   - each phonetic key of a name token with the birth year;
//   - a single-token name's phonetic key;
//   - the birth date with the initial of each name token;
//   - each identifier value, each whole address, each whole attribute value.

const (
	keyNamePair = iota + 1
	keyNameYear
	keyNameOne
	keyDateInitial
	keyIdent
	keyAddress
	keyAttr
	keyInitialName
)

// keyHash is FNV-1a over a key kind and its parts.
type keyHash uint64

func newKey(kind byte) keyHash {
	h := keyHash(14695981039346656037)
	return h.byte(kind)
}

func (h keyHash) byte(b byte) keyHash { return (h ^ keyHash(b)) * 1099511628211 }

func (h keyHash) str(s string) keyHash {
	for i := 0; i < len(s); i++ {
		h = h.byte(s[i])
	}
	return h.byte(0)
}

func (h keyHash) u32(v uint32) keyHash {
	return h.byte(byte(v)).byte(byte(v >> 8)).byte(byte(v >> 16)).byte(byte(v >> 24))
}

// blockKeys appends the blocking keys of p to dst (possibly with repeats).
func (e *Engine) blockKeys(p *prepared, dst []uint64) []uint64 {
	const maxTok = 5
	for _, n := range p.names {
		toks := n.toks
		if len(toks) > maxTok {
			toks = toks[:maxTok]
		}
		var keys [maxTok]string
		for i, t := range toks {
			keys[i] = e.dict.info[t].key
		}
		t := p.typ
		for i := range toks {
			for j := i + 1; j < len(toks); j++ {
				a, b := keys[i], keys[j]
				if a == b {
					continue
				}
				if a > b {
					a, b = b, a
				}
				dst = append(dst, uint64(newKey(keyNamePair).byte(t).str(a).str(b)))
			}
			for j := range toks {
				// Initial of one part with the key of another: catches
				// initials ("p perez") and typos in the other part.
				if j != i && keys[j] != "" {
					dst = append(dst, uint64(newKey(keyInitialName).byte(t).byte(e.dict.str(toks[i])[0]).str(keys[j])))
				}
			}
			if len(toks) == 1 {
				dst = append(dst, uint64(newKey(keyNameOne).byte(t).str(keys[i])))
			}
			for _, d := range p.dates {
				dst = append(dst, uint64(newKey(keyNameYear).byte(t).str(keys[i]).str(e.dict.str(d)[:4])))
			}
		}
		for _, d := range p.dates {
			ds := e.dict.str(d)
			if ds[4:] == "0000" {
				continue
			}
			for _, tk := range toks {
				dst = append(dst, uint64(newKey(keyDateInitial).byte(t).str(ds).byte(e.dict.str(tk)[0])))
			}
		}
	}
	for _, v := range p.idents {
		dst = append(dst, uint64(newKey(keyIdent).u32(v.val)))
	}
	for _, a := range p.addrs {
		dst = append(dst, uint64(newKey(keyAddress).u32(a.full)))
	}
	if e.cfg.BlockAttributes {
		for _, a := range p.attrs {
			dst = append(dst, uint64(newKey(keyAttr).u32(a.v.full)))
		}
	}
	return dedupeU64(dst)
}

func dedupeU64(s []uint64) []uint64 {
	out := s[:0]
	for i, v := range s {
		dup := false
		for _, w := range s[:i] {
			if w == v {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// index maps blocking keys to the records holding them. Keys held by one
// record live in a flat map; only shared keys get a posting list. A list
// stops growing at MaxBlock+1 entries: the key is then a hub and unused.
type index struct {
	one  map[uint64]uint32
	many map[uint64][]uint32
	cap  int
}

func newIndex(capacity int) *index {
	return &index{one: make(map[uint64]uint32), many: make(map[uint64][]uint32), cap: capacity}
}

func (x *index) add(k uint64, rec uint32) {
	if l, ok := x.many[k]; ok {
		if len(l) <= x.cap {
			x.many[k] = append(l, rec)
		}
		return
	}
	if r, ok := x.one[k]; ok {
		delete(x.one, k)
		x.many[k] = []uint32{r, rec}
		return
	}
	x.one[k] = rec
}

// each calls fn with every record under k unless k is a hub, and reports
// whether k was a hub.
func (x *index) each(k uint64, fn func(uint32)) (hub bool) {
	if l, ok := x.many[k]; ok {
		if len(l) > x.cap {
			return true
		}
		for _, r := range l {
			fn(r)
		}
		return false
	}
	if r, ok := x.one[k]; ok {
		fn(r)
	}
	return false
}

// eachStored calls fn with the records stored under k even when k is a
// hub (at most MaxBlock+1 of them, the first to arrive).
func (x *index) eachStored(k uint64, fn func(uint32)) {
	if l, ok := x.many[k]; ok {
		for _, r := range l {
			fn(r)
		}
		return
	}
	if r, ok := x.one[k]; ok {
		fn(r)
	}
}
