package screen

import (
	"hash/fnv"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/mosaic-intel/mosaic/internal/names"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// entryRec is an indexed entry: what screening needs of it, in plain
// values (see store.go).
type entryRec struct {
	hash    uint64 // content hash, to skip unchanged entries in a diff
	list    int32  // index into Index.lists
	id      strRef // the source's entry id
	caption strRef
	schema  int32 // index into Index.schemas
	names   span  // name record ids, in Index.entNames
	dobs    span  // in Index.dates
	ctry    span  // in Index.ctry
	ids     span  // normalised identifiers, in Index.idents
	alive   bool
}

// nameRec is one name of one entry.
type nameRec struct {
	ent   int32
	toks  span // dictionary ids and roles of its compared tokens, in Index.recToks / recRoles
	value strRef
	flags uint8
}

const (
	recAlive   uint8 = 1 << iota
	recWeak          // a low-quality alias
	recAbjad         // romanised from Arabic or Hebrew script
	recAcronym       // the last token is an acronym: generic in scoring, posted as a part
)

// dictTok is a distinct token of the index.
type dictTok struct {
	tok  names.Token
	alts []names.AltKey // other keys of an abjad-romanised token
	df   int32
	mask uint32  // letters present, for a cheap similarity pre-filter
	post []int32 // name record ids holding it as an identifying part (may include dead ones)
}

// letterMask returns the set of letters a-z in s as bits.
func letterMask(s string) uint32 {
	var m uint32
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			m |= 1 << (c - 'a')
		}
	}
	return m
}

// Index is a searchable set of watch-list entries. The zero value is not
// usable; call NewIndex.
type Index struct {
	mu      sync.RWMutex
	hash    hasher
	lists   []string
	schemas []watchlist.Schema

	ents     []entryRec
	free     []int32  // dead entry slots to reuse
	byKey    chainMap // hash of (list, id) -> entry slot
	entNames []int32  // arena of name record ids
	dates    []date
	ctry     [][2]byte
	idents   []strRef
	byIdent  chainMap // hash of a normalised identifier -> entry slot
	strs     byteArena
	nEntries int

	recs     []nameRec
	recInfo  []recInfo // alive and schema of each name, for a quick check
	recLen   []uint8   // compared parts of each name
	recToks  []int32
	recRoles []names.Role
	live     int
	dead     int

	dict    map[string]int32 // token text -> id
	toks    []dictTok
	keys    chainMap         // retrieval key hash -> token ids
	canonDF map[string]int32 // names holding a token of each canonical form

	scratch sync.Pool
	cache   matchCache
	model   *Model
}

// NewIndex returns an empty index that scores with the default model.
func NewIndex() *Index {
	return &Index{
		hash:    newHasher(),
		byKey:   newChainMap(),
		byIdent: newChainMap(),
		dict:    map[string]int32{},
		keys:    newChainMap(),
		canonDF: map[string]int32{},
		model:   DefaultModel(),
	}
}

// SetModel makes the index score with m (nil: the default model).
func (ix *Index) SetModel(m *Model) {
	if m == nil {
		m = DefaultModel()
	}
	ix.mu.Lock()
	ix.model = m
	ix.mu.Unlock()
}

// Len returns the number of entries and of names indexed.
func (ix *Index) Len() (entries, nameCount int) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.nEntries, ix.live
}

func kindOf(s watchlist.Schema) names.Kind {
	switch s {
	case watchlist.Person:
		return names.KindPerson
	case watchlist.Organization, watchlist.Vessel, watchlist.Aircraft:
		return names.KindOrganization
	}
	return names.KindAny
}

func entryHash(e watchlist.Entry) uint64 {
	h := fnv.New64a()
	w := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	w(string(e.Schema))
	for _, n := range e.Names {
		w(n.Value)
		if n.Weak {
			w("~")
		}
	}
	for _, s := range [][]string{e.BirthDates, e.Countries, e.Programs} {
		w("|")
		for _, v := range s {
			w(v)
		}
	}
	for _, id := range e.Identifiers {
		w(id.Number)
		w(id.Country)
	}
	w(e.Remarks)
	return h.Sum64()
}

// normIdent keeps the upper-cased letters and digits of a document number.
func normIdent(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (ix *Index) listID(list string) int32 {
	for i, l := range ix.lists {
		if l == list {
			return int32(i)
		}
	}
	ix.lists = append(ix.lists, list)
	return int32(len(ix.lists) - 1)
}

func (ix *Index) schemaID(s watchlist.Schema) int32 {
	for i, x := range ix.schemas {
		if x == s {
			return int32(i)
		}
	}
	ix.schemas = append(ix.schemas, s)
	return int32(len(ix.schemas) - 1)
}

// find returns the slot of the live entry id of list, or -1.
func (ix *Index) find(list, id string) int32 {
	found := int32(-1)
	ix.byKey.each(ix.hash.pair(list, id), func(slot int32) bool {
		er := &ix.ents[slot]
		if er.alive && ix.lists[er.list] == list && ix.strs.equal(er.id, id) {
			found = slot
			return false
		}
		return true
	})
	return found
}

// Upsert adds e or replaces the entry with the same list and EntryID. An
// unchanged entry costs a hash and nothing more.
func (ix *Index) Upsert(e watchlist.Entry) {
	h := entryHash(e)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if old := ix.find(e.List, e.EntryID); old >= 0 {
		if ix.ents[old].hash == h {
			return
		}
		ix.removeLocked(old)
	}
	ix.addLocked(e, h)
	ix.maybeCompactLocked()
}

// Remove deletes the entry id of list; it reports whether it was present.
func (ix *Index) Remove(list, id string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	old := ix.find(list, id)
	if old >= 0 {
		ix.removeLocked(old)
		ix.maybeCompactLocked()
	}
	return old >= 0
}

// Diff counts what ReplaceList changed.
type Diff struct{ Added, Updated, Removed, Unchanged int }

// ReplaceList makes list hold exactly entries (their List field is set to
// list): new entries are added, changed ones updated, missing ones removed,
// unchanged ones left alone. Readers see each entry change atomically.
func (ix *Index) ReplaceList(list string, entries []watchlist.Entry) Diff {
	var d Diff
	keep := make(map[string]bool, len(entries))
	for _, e := range entries {
		e.List = list
		keep[e.EntryID] = true
		h := entryHash(e)
		ix.mu.Lock()
		old := ix.find(list, e.EntryID)
		switch {
		case old >= 0 && ix.ents[old].hash == h:
			d.Unchanged++
		case old >= 0:
			ix.removeLocked(old)
			ix.addLocked(e, h)
			d.Updated++
		default:
			ix.addLocked(e, h)
			d.Added++
		}
		ix.mu.Unlock()
	}
	ix.mu.Lock()
	lid := int32(-1)
	for i, l := range ix.lists {
		if l == list {
			lid = int32(i)
		}
	}
	for slot := range ix.ents {
		er := &ix.ents[slot]
		if er.alive && er.list == lid && !keep[ix.strs.str(er.id)] {
			ix.removeLocked(int32(slot))
			d.Removed++
		}
	}
	ix.maybeCompactLocked()
	ix.mu.Unlock()
	return d
}

func (ix *Index) addLocked(e watchlist.Entry, h uint64) {
	ix.cache.reset()
	er := entryRec{hash: h, list: ix.listID(e.List), schema: ix.schemaID(e.Schema), alive: true}
	er.id = ix.strs.add(e.EntryID)
	er.caption = ix.strs.add(e.Caption())
	er.dobs.off = uint32(len(ix.dates))
	for _, d := range e.BirthDates {
		if dt, ok := parseDate(d); ok {
			ix.dates = append(ix.dates, dt)
		}
	}
	er.dobs.n = uint32(len(ix.dates)) - er.dobs.off
	er.ctry.off = uint32(len(ix.ctry))
	addCtry := func(c string) {
		if len(c) != 2 {
			return
		}
		cc := [2]byte{c[0], c[1]}
		for _, x := range ix.ctry[er.ctry.off:] {
			if x == cc {
				return
			}
		}
		ix.ctry = append(ix.ctry, cc)
	}
	for _, c := range e.Countries {
		addCtry(c)
	}
	var idents []string
	for _, id := range e.Identifiers {
		if n := normIdent(id.Number); len(n) >= 4 {
			idents = append(idents, n)
		}
		addCtry(id.Country)
	}
	er.ctry.n = uint32(len(ix.ctry)) - er.ctry.off
	er.ids.off = uint32(len(ix.idents))
	for _, n := range idents {
		ix.idents = append(ix.idents, ix.strs.add(n))
	}
	er.ids.n = uint32(len(idents))

	var slot int32
	if n := len(ix.free); n > 0 {
		slot = ix.free[n-1]
		ix.free = ix.free[:n-1]
	} else {
		slot = int32(len(ix.ents))
		ix.ents = append(ix.ents, entryRec{})
	}
	for _, n := range idents {
		ix.byIdent.add(ix.hash.str(n), slot)
	}
	ix.byKey.add(ix.hash.pair(e.List, e.EntryID), slot)

	kind := kindOf(e.Schema)
	seen := map[string]bool{}
	var rids []int32
	for _, n := range e.Names {
		pn := names.Parse(n.Value, kind)
		parts := pn.Parts()
		if len(parts) == 0 || !pn.Identifying() {
			continue
		}
		if len(parts) > maxNameParts {
			parts = parts[:maxNameParts]
		}
		sig := pn.Folded()
		if seen[sig] {
			continue // a spelling that parses the same as another name
		}
		seen[sig] = true
		rid := int32(len(ix.recs))
		nr := nameRec{ent: slot, value: ix.strs.add(n.Value), flags: recAlive}
		if n.Weak {
			nr.flags |= recWeak
		}
		if pn.Script.Abjad() {
			nr.flags |= recAbjad
		}
		nr.toks.off = uint32(len(ix.recToks))
		acr, acrAt := trailingAcronym(n.Value), -1
		for i, t := range parts {
			ix.recToks = append(ix.recToks, ix.tokenID(t))
			if i == len(parts)-1 && len(parts) > 2 && acr != "" && t.Role == names.RolePart && t.Text == acr {
				// The acronym written after a name ("... (MJN)",
				// "... / AIAI") is as often left out: it weighs as a
				// generic word, and is still posted.
				t.Role, acrAt = names.RoleGeneric, i
				nr.flags |= recAcronym
			}
			ix.recRoles = append(ix.recRoles, t.Role)
		}
		nr.toks.n = uint32(len(parts))
		toks, roles := ix.recToks[nr.toks.off:], ix.recRoles[nr.toks.off:]
		// Postings: each identifying token once per name.
		for i, tid := range toks {
			if roles[i] != names.RolePart && i != acrAt || containsBefore(toks, i) {
				continue
			}
			dt := &ix.toks[tid]
			dt.df++
			dt.post = append(dt.post, rid)
			ix.canonDF[dt.tok.Canon]++
		}
		ix.recs = append(ix.recs, nr)
		ix.recInfo = append(ix.recInfo, recInfoAlive|schemaCode(e.Schema))
		ix.recLen = append(ix.recLen, uint8(len(parts)))
		rids = append(rids, rid)
		ix.live++
	}
	er.names = span{uint32(len(ix.entNames)), uint32(len(rids))}
	ix.entNames = append(ix.entNames, rids...)
	ix.ents[slot] = er
	ix.nEntries++
}

// maxNameParts bounds the compared parts of an indexed name.
const maxNameParts = 24

func containsBefore(s []int32, i int) bool {
	for _, v := range s[:i] {
		if v == s[i] {
			return true
		}
	}
	return false
}

func (ix *Index) removeLocked(slot int32) {
	ix.cache.reset()
	er := &ix.ents[slot]
	for _, rid := range ix.entNames[er.names.off : er.names.off+er.names.n] {
		nr := &ix.recs[rid]
		if nr.flags&recAlive == 0 {
			continue
		}
		nr.flags &^= recAlive
		ix.recInfo[rid] &^= recInfoAlive
		toks, roles := ix.recToks[nr.toks.off:nr.toks.off+nr.toks.n], ix.recRoles[nr.toks.off:]
		for i, tid := range toks {
			posted := roles[i] == names.RolePart || nr.flags&recAcronym != 0 && i == len(toks)-1
			if posted && !containsBefore(toks, i) {
				ix.toks[tid].df--
				ix.canonDF[ix.toks[tid].tok.Canon]--
			}
		}
		ix.live--
		ix.dead++
	}
	for _, r := range ix.idents[er.ids.off : er.ids.off+er.ids.n] {
		ix.byIdent.remove(ix.hash.str(ix.strs.str(r)), slot)
	}
	ix.byKey.remove(ix.hash.pair(ix.lists[er.list], ix.strs.str(er.id)), slot)
	er.alive = false
	ix.free = append(ix.free, slot)
	ix.nEntries--
}

// maybeCompactLocked drops dead name records from the postings, and dead
// strings and lists from the arenas, once dead names are a quarter of all.
func (ix *Index) maybeCompactLocked() {
	if ix.dead < 1024 || ix.dead*4 < len(ix.recs) {
		return
	}
	remap := make([]int32, len(ix.recs))
	recs := make([]nameRec, 0, ix.live)
	info := make([]recInfo, 0, ix.live)
	lens := make([]uint8, 0, ix.live)
	var strs byteArena
	recToks := make([]int32, 0, len(ix.recToks))
	recRoles := make([]names.Role, 0, len(ix.recRoles))
	for i := range ix.recs {
		nr := ix.recs[i]
		if nr.flags&recAlive == 0 {
			remap[i] = -1
			continue
		}
		remap[i] = int32(len(recs))
		off := uint32(len(recToks))
		recToks = append(recToks, ix.recToks[nr.toks.off:nr.toks.off+nr.toks.n]...)
		recRoles = append(recRoles, ix.recRoles[nr.toks.off:nr.toks.off+nr.toks.n]...)
		nr.toks.off = off
		nr.value = strs.add(ix.strs.str(nr.value))
		recs = append(recs, nr)
		info = append(info, ix.recInfo[i])
		lens = append(lens, ix.recLen[i])
	}
	for t := range ix.toks {
		p := ix.toks[t].post
		out := p[:0]
		for _, r := range p {
			if remap[r] >= 0 {
				out = append(out, remap[r])
			}
		}
		ix.toks[t].post = out
	}
	var entNames []int32
	var dates []date
	var ctry [][2]byte
	var idents []strRef
	for slot := range ix.ents {
		er := &ix.ents[slot]
		if !er.alive {
			*er = entryRec{list: er.list}
			continue
		}
		off := uint32(len(entNames))
		for _, r := range ix.entNames[er.names.off : er.names.off+er.names.n] {
			if remap[r] >= 0 {
				entNames = append(entNames, remap[r])
			}
		}
		er.names = span{off, uint32(len(entNames)) - off}
		off = uint32(len(dates))
		dates = append(dates, ix.dates[er.dobs.off:er.dobs.off+er.dobs.n]...)
		er.dobs.off = off
		off = uint32(len(ctry))
		ctry = append(ctry, ix.ctry[er.ctry.off:er.ctry.off+er.ctry.n]...)
		er.ctry.off = off
		off = uint32(len(idents))
		for _, r := range ix.idents[er.ids.off : er.ids.off+er.ids.n] {
			idents = append(idents, strs.add(ix.strs.str(r)))
		}
		er.ids.off = off
		er.id = strs.add(ix.strs.str(er.id))
		er.caption = strs.add(ix.strs.str(er.caption))
	}
	ix.recs, ix.recInfo, ix.recLen, ix.recToks, ix.recRoles, ix.strs = recs, info, lens, recToks, recRoles, strs
	ix.entNames, ix.dates, ix.ctry, ix.idents = entNames, dates, ctry, idents
	ix.dead = 0
}

// tokenID returns the dictionary id of t, adding it with its retrieval
// keys when new.
func (ix *Index) tokenID(t names.Token) int32 {
	if id, ok := ix.dict[t.Text]; ok {
		return id
	}
	id := int32(len(ix.toks))
	t.Role = names.RolePart
	dt := dictTok{tok: t, mask: letterMask(t.Text)}
	if t.Abjad {
		dt.alts = names.AbjadKeys(t.Text)
	}
	ix.toks = append(ix.toks, dt)
	ix.dict[t.Text] = id
	var buf [64]retrievalKey
	for _, k := range dictKeys(t, dt.alts, buf[:0]) {
		ix.keys.add(ix.hash.tagged(k.kind, k.s), id)
	}
	return id
}

// idf returns the inverse document frequency weight of a token.
func idf(df int32, n int) float64 {
	if df < 1 {
		df = 1
	}
	return math.Log(1 + float64(n)/float64(df))
}

// sortHits orders hits by score, then list and id for stable output.
func sortHits(h []Hit) {
	sort.Slice(h, func(i, j int) bool {
		if h[i].Score != h[j].Score {
			return h[i].Score > h[j].Score
		}
		if h[i].List != h[j].List {
			return h[i].List < h[j].List
		}
		return h[i].EntryID < h[j].EntryID
	})
}

// trailingAcronym returns, folded, the acronym that a Latin-script name
// ends with, written "NAME (ACR)" or "NAME / ACR" in capitals or digits
// (two to eight), or "".
func trailingAcronym(v string) string {
	var acr string
	switch {
	case strings.HasSuffix(v, ")"):
		i := strings.LastIndex(v, " (")
		if i <= 0 {
			return ""
		}
		acr = v[i+2 : len(v)-1]
	default:
		i := strings.LastIndex(v, " / ")
		if i <= 0 {
			return ""
		}
		acr = v[i+3:]
	}
	if len(acr) < 2 || len(acr) > 8 {
		return ""
	}
	for i := 0; i < len(acr); i++ {
		if c := acr[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return ""
		}
	}
	return strings.ToLower(acr)
}
