package resolve

import (
	"math"
	"math/bits"
)

// Value namespaces in the dictionary.
const (
	nsToken   = 't' // a name token
	nsName    = 'n' // a whole name (its tokens sorted)
	nsDate    = 'd' // a birth date, YYYYMMDD
	nsIdent   = 'i' // an identifier: kind, zero byte, value
	nsAddress = 'a' // a whole address
	nsAddrTok = 'w' // an address token
	nsCountry = 'c' // a country
	nsAttr    = 'x' // an attribute value: name, zero byte, value
	nsAttrTok = 'y' // an attribute token
	nsGroup   = 'g' // a variant group of name tokens
	nsKey     = 'k' // a phonetic key
	nsSpell   = 's' // a name token as written (see Speller)
	nsSpells  = 'S' // a whole name as written, its tokens sorted
)

// dict interns the values the engine compares. Each value carries how many
// records hold it (for term-frequency adjustment) and a small sketch of how
// many different identities hold it (for hub detection).
type dict struct {
	ids  map[string]uint32
	strs []string // without the namespace prefix
	info []valueInfo
	// groups holds the variant groups of the name tokens that have any
	// (sorted group IDs; sparse, hence a map).
	groups map[uint32][]uint32
}

type valueInfo struct {
	count  uint32 // records holding the value
	names  uint32 // distinct whole names holding the token (name tokens only)
	key    string // phonetic key (name tokens only)
	sketch uint64 // linear-counting sketch of identity signatures
	kid    uint32 // the phonetic key interned (name tokens only; 0: none)
	flags  uint8  // flagGroups, flagGeneric
}

// Token flags.
const (
	flagGroups  = 1 << iota // the token has variant groups (in dict.groups)
	flagGeneric             // a generic organisation word
)

func newDict() *dict {
	return &dict{ids: make(map[string]uint32), groups: map[uint32][]uint32{}}
}

// Relations of two name tokens' variant groups.
const (
	groupsUnknown  = iota // a token is in no group
	groupsShared          // the tokens share a group: variants of one name
	groupsDisjoint        // both are listed, in different groups: different names
)

// groupRelation compares the variant groups of two name tokens.
func (d *dict) groupRelation(x, y uint32) int {
	if d.info[x].flags&d.info[y].flags&flagGroups == 0 {
		return groupsUnknown
	}
	gx, gy := d.groups[x], d.groups[y]
	if len(gx) == 0 || len(gy) == 0 {
		return groupsUnknown
	}
	for _, a := range gx {
		for _, b := range gy {
			if a == b {
				return groupsShared
			}
		}
	}
	return groupsDisjoint
}

// intern returns the ID of value v in namespace ns, adding it if new.
func (d *dict) intern(ns byte, v string, buf []byte) uint32 {
	buf = append(append(buf[:0], ns), v...)
	if id, ok := d.ids[string(buf)]; ok {
		return id
	}
	k := string(buf)
	id := uint32(len(d.strs))
	d.ids[k] = id
	d.strs = append(d.strs, k[1:])
	d.info = append(d.info, valueInfo{})
	return id
}

func (d *dict) str(id uint32) string { return d.strs[id] }

// isGeneric reports whether a token is a generic organisation word.
func (d *dict) isGeneric(id uint32) bool { return d.info[id].flags&flagGeneric != 0 }

// observe counts one more record holding value id, with identity
// signature sig (0: unknown, not sketched).
func (d *dict) observe(id uint32, sig uint64) {
	in := &d.info[id]
	in.count++
	if sig != 0 {
		in.sketch |= 1 << (sig & 63)
	}
}

// diversity estimates how many distinct identity signatures hold value id
// (linear counting over 64 bits).
func (d *dict) diversity(id uint32) float64 {
	return sketchEstimate(d.info[id].sketch)
}

func sketchEstimate(s uint64) float64 {
	z := 64 - bits.OnesCount64(s)
	if z == 0 {
		return 64 * math.Log(64) // saturated: at least ~266
	}
	return -64 * math.Log(float64(z)/64)
}
