package graph

import (
	"math"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
)

// vocab interns the small sets of values that nodes and edges share: entity
// types, edge types, markings, and the classes built from them. Every
// adjacency entry carries a class id, so a query decides whether an edge may
// be crossed with one lookup in a per-query table.
type vocab struct {
	ntypes   []mosaic.EntityType
	ntypeID  map[mosaic.EntityType]uint8
	etypes   []string
	etypeID  map[string]uint16
	marks    []mosaic.Marking
	markID   map[string]uint16
	nclasses []nodeClass
	nclassID map[nodeClass]uint16
	classes  []edgeClass
	classID  map[edgeClass]uint32
}

// nodeClass is an interned (entity type, marking) pair. Node class 0 marks
// a removed node, visible to nobody.
type nodeClass struct {
	typ  uint8
	mark uint16
	dead bool
}

// edgeClass is what a traversal needs to know of an edge without touching
// the edge table: its type, marking, confidence (in steps of 1/confSteps)
// and evidence strength bucket.
type edgeClass struct {
	typ  uint16
	mark uint16
	conf uint8
	evb  uint8
}

const (
	confSteps = 20 // confidence is kept to 0.05
	// evidence buckets: 0 none, 1 one item, 2 two, 3 three or more
	maxEvBucket = 3
)

func newVocab() *vocab {
	v := &vocab{
		ntypeID:  map[mosaic.EntityType]uint8{},
		etypeID:  map[string]uint16{},
		markID:   map[string]uint16{},
		nclassID: map[nodeClass]uint16{},
		classID:  map[edgeClass]uint32{},
	}
	v.mark(nil) // marking 0 is the empty marking
	v.nclasses = append(v.nclasses, nodeClass{dead: true})
	return v
}

func (v *vocab) ntype(t mosaic.EntityType) uint8 {
	if id, ok := v.ntypeID[t]; ok {
		return id
	}
	if len(v.ntypes) == 255 {
		return v.ntype(mosaic.TypeMisc)
	}
	id := uint8(len(v.ntypes))
	v.ntypes = append(v.ntypes, t)
	v.ntypeID[t] = id
	return id
}

// intern returns k's id in m, appending k to list when new.
func intern[K comparable, I uint8 | uint16 | uint32](m map[K]I, list *[]K, k K) I {
	if id, ok := m[k]; ok {
		return id
	}
	id := I(len(*list))
	*list = append(*list, k)
	m[k] = id
	return id
}

func (v *vocab) etype(t string) uint16 { return intern(v.etypeID, &v.etypes, t) }

func (v *vocab) mark(m mosaic.Marking) uint16 {
	var k string
	switch len(m) {
	case 0:
	case 1:
		k = m[0] // no allocation for the common case
	default:
		k = m.String()
	}
	if id, ok := v.markID[k]; ok {
		return id
	}
	if len(v.marks) >= math.MaxUint16-1 {
		// Fail closed: the last id is a marking no clearance list can
		// hold, and every marking past it maps there.
		const over = "~TOO-MANY-MARKINGS"
		if id, ok := v.markID[over]; ok {
			return id
		}
		k, m = over, mosaic.Marking{over}
	}
	id := uint16(len(v.marks))
	v.marks = append(v.marks, m)
	v.markID[k] = id
	return id
}

func (v *vocab) nclass(typ uint8, mark uint16) uint16 {
	k := nodeClass{typ: typ, mark: mark}
	if _, ok := v.nclassID[k]; !ok && len(v.nclasses) == math.MaxUint16 {
		return 0 // fail closed: the removed-node class, visible to nobody
	}
	return intern(v.nclassID, &v.nclasses, k)
}

func (v *vocab) class(k edgeClass) uint32 { return intern(v.classID, &v.classes, k) }

func confQ(c float64) uint8 {
	switch {
	case c <= 0:
		return 0
	case c >= 1:
		return confSteps
	}
	return uint8(c*confSteps + 0.5)
}

func evBucket(n int) uint8 {
	if n > maxEvBucket {
		return maxEvBucket
	}
	return uint8(n)
}

// Dates are kept as days since dayEpoch (1900-01-01, in unix seconds) in a
// uint16; 0 means unknown. That covers 1900-01-02 to 2079-06-06; dates
// outside are clamped.
const dayEpoch = -2208988800

func toDay(t time.Time) uint16 {
	if t.IsZero() {
		return 0
	}
	d := (t.Unix() - dayEpoch) / 86400
	switch {
	case d < 1:
		return 1
	case d > 65535:
		return 65535
	}
	return uint16(d)
}

func fromDay(d uint16) time.Time {
	if d == 0 {
		return time.Time{}
	}
	return time.Unix(dayEpoch+int64(d)*86400, 0).UTC()
}

// Recorded times are unix seconds in a uint32 (until 2106); 0 means unknown.
func toSec(t time.Time) uint32 {
	if t.IsZero() || t.Unix() <= 0 {
		return 0
	}
	if t.Unix() > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(t.Unix())
}

func fromSec(s uint32) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(int64(s), 0).UTC()
}
