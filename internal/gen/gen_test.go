package gen

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

// worlds caches generated worlds by size and seed for the tests that only
// read them.
var (
	worldsMu sync.Mutex
	worlds   = map[[2]int]string{}
	worldDir string
)

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "mosaic-gen-test-")
	if err != nil {
		panic(err)
	}
	worldDir = d
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}

func genWorld(t testing.TB, n, seed int) string {
	t.Helper()
	worldsMu.Lock()
	defer worldsMu.Unlock()
	k := [2]int{n, seed}
	if d, ok := worlds[k]; ok {
		return d
	}
	d := filepath.Join(worldDir, strconv.Itoa(n)+"-"+strconv.Itoa(seed))
	if _, err := Generate(context.Background(), Options{Out: d, People: n, Seed: uint64(seed)}); err != nil {
		t.Fatalf("generate %d people: %v", n, err)
	}
	worlds[k] = d
	return d
}

// readCSV reads a CSV file into its header and rows (as maps), failing on
// any malformed row.
func readCSV(t testing.TB, path string) ([]string, []map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	all, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(all) == 0 {
		t.Fatalf("%s: empty", path)
	}
	var rows []map[string]string
	for _, rec := range all[1:] {
		m := map[string]string{}
		for i, h := range all[0] {
			m[h] = rec[i]
		}
		rows = append(rows, m)
	}
	return all[0], rows
}

type commRec struct {
	RecordID string `json:"record_id"`
	From     string `json:"from"`
	To       string `json:"to"`
	Channel  string `json:"channel"`
	Time     string `json:"time"`
}

func readComms(t testing.TB, dir string) []commRec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "records/communication.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []commRec
	for i, line := range bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n")) {
		var c commRec
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("communication.jsonl line %d: %v", i+1, err)
		}
		out = append(out, c)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a")
	b := filepath.Join(t.TempDir(), "b")
	c := filepath.Join(t.TempDir(), "c")
	for _, x := range []struct {
		dir  string
		seed uint64
	}{{a, 5}, {b, 5}, {c, 6}} {
		if _, err := Generate(context.Background(), Options{Out: x.dir, People: 1500, Seed: x.seed}); err != nil {
			t.Fatal(err)
		}
	}
	ha, hb, hc := tree(t, a), tree(t, b), tree(t, c)
	if len(ha) < 20 {
		t.Fatalf("only %d files written", len(ha))
	}
	for name, data := range ha {
		if !bytes.Equal(data, hb[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	if len(ha) != len(hb) {
		t.Errorf("same seed wrote %d and %d files", len(ha), len(hb))
	}
	same := 0
	for name, data := range ha {
		if bytes.Equal(data, hc[name]) {
			same++
			t.Logf("%s is the same under another seed", name)
		}
	}
	for _, f := range []string{"records/person.csv", "records/travel.csv", "truth/people.csv", "watchlist/watchlist.csv"} {
		if bytes.Equal(ha[f], hc[f]) {
			t.Errorf("%s identical under different seeds", f)
		}
	}
}

func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSchema(t *testing.T) {
	dir := genWorld(t, 3000, 1)
	want := map[string][]string{
		"records/organization.csv":  orgHeader,
		"watchlist/watchlist.csv":   watchlistHeader,
		"truth/people.csv":          peopleHeader,
		"truth/mentions.csv":        mentionsHeader,
		"truth/report_mentions.csv": reportMentionsHeader,
		"truth/organizations.csv":   organizationsHeader,
		"truth/org_mentions.csv":    orgMentionsHeader,
		"truth/cells.csv":           cellsHeader,
		"truth/links.csv":           linksHeader,
		"truth/patterns.csv":        patternsHeader,
	}
	for k := range nKinds {
		if recordFiles[k].Header != nil {
			want[recordFiles[k].Path] = recordFiles[k].Header
		}
	}
	// The contract: these leading columns, in this order.
	contract := map[string]string{
		"records/person.csv":        "record_id,full_name,date_of_birth,nationality,phone,email,address",
		"records/organization.csv":  "record_id,name,aliases,country,kind",
		"records/travel.csv":        "record_id,passenger_name,date_of_birth,document_number,document_country,carrier,flight,from,to,date",
		"records/purchase.csv":      "record_id,buyer_name,buyer_phone,item,quantity,unit,seller,date",
		"records/vehicle_hire.csv":  "record_id,hirer_name,date_of_birth,licence_number,phone,vehicle,registration,date,place",
		"records/prison_visit.csv":  "record_id,visitor_name,visitor_date_of_birth,prisoner_name,prison,date",
		"records/referral.csv":      "record_id,subject_name,date_of_birth,agency,reason,date",
		"watchlist/watchlist.csv":   "entry_id,name,aliases,date_of_birth,nationality,list,reason",
		"truth/people.csv":          "person_id,full_name,date_of_birth,culture,is_subject,cell_id,group_id,watchlisted,prisoner_of_concern",
		"truth/mentions.csv":        "file,record_id,role,person_id",
		"truth/report_mentions.csv": "file,start,end,text,type,entity_id",
		"truth/organizations.csv":   "org_id,name,aliases,violent",
		"truth/cells.csv":           "cell_id,group_id,person_id,role",
		"truth/links.csv":           "person_a,person_b,kind,evidence_record_ids",
		"truth/patterns.csv":        "pattern_id,rule,person_ids,record_ids,description",
	}
	dateCols := map[string]bool{"date": true, "date_of_birth": true, "visitor_date_of_birth": true}
	for file, h := range want {
		got, rows := readCSV(t, filepath.Join(dir, file))
		if !slices.Equal(got, h) {
			t.Errorf("%s header = %v, want %v", file, got, h)
		}
		if c, ok := contract[file]; ok && !strings.HasPrefix(strings.Join(got, ",")+",", c+",") {
			t.Errorf("%s header %v breaks the contract %q", file, got, c)
		}
		ids := map[string]bool{}
		for i, r := range rows {
			for col, v := range r {
				if dateCols[col] && v != "" {
					if _, err := time.Parse(dateLayout, v); err != nil {
						t.Errorf("%s row %d: %s=%q is not YYYY-MM-DD", file, i+2, col, v)
					}
				}
			}
			if id := r[h[0]]; strings.HasPrefix(file, "records/") || file == "watchlist/watchlist.csv" {
				if id == "" || ids[id] {
					t.Errorf("%s row %d: empty or repeated id %q", file, i+2, id)
				}
				ids[id] = true
			}
		}
		if strings.HasPrefix(file, "records/") && len(rows) == 0 {
			t.Errorf("%s has no rows", file)
		}
	}
	comms := readComms(t, dir)
	seen := map[string]bool{}
	for _, c := range comms {
		if _, err := time.Parse(time.RFC3339, c.Time); err != nil {
			t.Errorf("%s: time %q: %v", c.RecordID, c.Time, err)
		}
		if c.Channel != "call" && c.Channel != "sms" && c.Channel != "messaging" {
			t.Errorf("%s: channel %q", c.RecordID, c.Channel)
		}
		if c.From == "" || c.To == "" || seen[c.RecordID] {
			t.Errorf("%s: empty phone or repeated id", c.RecordID)
		}
		seen[c.RecordID] = true
	}
	var m Manifest
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.Generator != "mosaic gen" || m.Version != 1 || m.Seed != 1 || m.People != 3000 || m.Files["records/communication.jsonl"] != len(comms) {
		t.Errorf("manifest = %+v", m)
	}
	reports, _ := filepath.Glob(filepath.Join(dir, "reports", "RPT-*.txt"))
	if len(reports) != m.Files["reports"] || len(reports) == 0 {
		t.Errorf("%d report files, manifest says %d", len(reports), m.Files["reports"])
	}
	for _, p := range reports {
		data, _ := os.ReadFile(p)
		lines := strings.SplitN(string(data), "\n", 5)
		if len(lines) < 5 || !strings.HasPrefix(lines[0], "Title: ") || !strings.HasPrefix(lines[1], "Date: ") ||
			!strings.HasPrefix(lines[2], "Source: ") || lines[3] != "" || strings.TrimSpace(lines[4]) == "" {
			t.Errorf("%s: bad header: %q", p, lines)
			continue
		}
		if _, err := time.Parse(dateLayout, strings.TrimPrefix(lines[1], "Date: ")); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// loaded is a generated world read back for checking.
type loaded struct {
	dir      string
	people   map[string]map[string]string
	records  map[string]map[string]map[string]string // file -> id -> row
	byPerson map[string][]string                     // person -> "file#id"
	who      map[string]map[string][]string          // file#id -> role -> people
	links    []map[string]string
	patterns []map[string]string
	reports  map[string]bool
}

func load(t *testing.T, dir string) *loaded {
	t.Helper()
	l := &loaded{dir: dir, people: map[string]map[string]string{}, records: map[string]map[string]map[string]string{},
		byPerson: map[string][]string{}, who: map[string]map[string][]string{}, reports: map[string]bool{}}
	_, ps := readCSV(t, filepath.Join(dir, "truth/people.csv"))
	for _, p := range ps {
		l.people[p["person_id"]] = p
	}
	for k := range nKinds {
		f := recordFiles[k].Path
		l.records[f] = map[string]map[string]string{}
		if k == kComm {
			for _, c := range readComms(t, dir) {
				l.records[f][c.RecordID] = map[string]string{"from": c.From, "to": c.To, "time": c.Time}
			}
			continue
		}
		_, rows := readCSV(t, filepath.Join(dir, f))
		for _, r := range rows {
			l.records[f][r["record_id"]] = r
		}
	}
	_, wl := readCSV(t, filepath.Join(dir, "watchlist/watchlist.csv"))
	l.records["watchlist/watchlist.csv"] = map[string]map[string]string{}
	for _, r := range wl {
		l.records["watchlist/watchlist.csv"][r["entry_id"]] = r
	}
	_, ms := readCSV(t, filepath.Join(dir, "truth/mentions.csv"))
	for _, m := range ms {
		if _, ok := l.records[m["file"]][m["record_id"]]; !ok {
			t.Fatalf("mention of missing record %s %s", m["file"], m["record_id"])
		}
		if l.people[m["person_id"]] == nil {
			t.Fatalf("mention of unknown person %s", m["person_id"])
		}
		key := m["file"] + "#" + m["record_id"]
		l.byPerson[m["person_id"]] = append(l.byPerson[m["person_id"]], key)
		if l.who[key] == nil {
			l.who[key] = map[string][]string{}
		}
		l.who[key][m["role"]] = append(l.who[key][m["role"]], m["person_id"])
	}
	files, _ := filepath.Glob(filepath.Join(dir, "reports", "*.txt"))
	for _, f := range files {
		l.reports[strings.TrimSuffix(filepath.Base(f), ".txt")] = true
	}
	_, l.links = readCSV(t, filepath.Join(dir, "truth/links.csv"))
	_, l.patterns = readCSV(t, filepath.Join(dir, "truth/patterns.csv"))
	return l
}

func (l *loaded) recordExists(id string) bool {
	if l.reports[id] {
		return true
	}
	for _, m := range l.records {
		if _, ok := m[id]; ok {
			return true
		}
	}
	return false
}

func TestTruthConsistency(t *testing.T) {
	dir := genWorld(t, 3000, 1)
	l := load(t, dir)
	// Every record mentions the people it should.
	roles := map[string][]string{
		"records/person.csv": {"person"}, "records/travel.csv": {"passenger"}, "records/purchase.csv": {"buyer"},
		"records/vehicle_hire.csv": {"hirer"}, "records/prison_visit.csv": {"visitor", "prisoner"},
		"records/referral.csv": {"subject"}, "records/communication.jsonl": {"from", "to"}, "watchlist/watchlist.csv": {"subject"},
	}
	for f, rs := range roles {
		for id := range l.records[f] {
			for _, role := range rs {
				if len(l.who[f+"#"+id][role]) != 1 {
					t.Fatalf("%s %s: %d people in role %s", f, id, len(l.who[f+"#"+id][role]), role)
				}
			}
		}
	}
	// Report spans slice exactly their text.
	_, spans := readCSV(t, filepath.Join(dir, "truth/report_mentions.csv"))
	if len(spans) == 0 {
		t.Fatal("no report mentions")
	}
	types := map[string]int{}
	cache := map[string][]byte{}
	for _, s := range spans {
		data, ok := cache[s["file"]]
		if !ok {
			var err error
			if data, err = os.ReadFile(filepath.Join(dir, s["file"])); err != nil {
				t.Fatal(err)
			}
			cache[s["file"]] = data
		}
		a, _ := strconv.Atoi(s["start"])
		b, _ := strconv.Atoi(s["end"])
		if a < 0 || b > len(data) || a >= b || string(data[a:b]) != s["text"] {
			t.Fatalf("%s [%d,%d) does not slice %q", s["file"], a, b, s["text"])
		}
		if s["type"] == "PER" && l.people[s["entity_id"]] == nil {
			t.Fatalf("PER span %q names unknown person %s", s["text"], s["entity_id"])
		}
		types[s["type"]]++
	}
	for _, typ := range []string{"PER", "ORG", "LOC"} {
		if types[typ] == 0 {
			t.Errorf("no %s spans in reports", typ)
		}
	}
	// Links and patterns point at real records.
	for _, k := range l.links {
		for _, id := range strings.Split(k["evidence_record_ids"], ";") {
			if !l.recordExists(id) {
				t.Fatalf("link %v: evidence %s does not exist", k, id)
			}
		}
	}
	for _, p := range l.patterns {
		for _, id := range strings.Split(p["record_ids"], ";") {
			if !l.recordExists(id) {
				t.Fatalf("pattern %s: record %s does not exist", p["pattern_id"], id)
			}
		}
		for _, id := range strings.Split(p["person_ids"], ";") {
			if l.people[id] == nil {
				t.Fatalf("pattern %s: unknown person %s", p["pattern_id"], id)
			}
		}
	}
	// The population is mostly ordinary; cells have 3 to 12 members.
	_, cells := readCSV(t, filepath.Join(dir, "truth/cells.csv"))
	size := map[string]int{}
	for _, c := range cells {
		size[c["cell_id"]]++
		if l.people[c["person_id"]]["cell_id"] != c["cell_id"] {
			t.Errorf("cells.csv and people.csv disagree on %s", c["person_id"])
		}
	}
	if len(size) < 2 {
		t.Errorf("%d cells in 3000 people, want at least 2", len(size))
	}
	for id, n := range size {
		if n < 3 || n > 12 {
			t.Errorf("%s has %d members", id, n)
		}
	}
	subjects := 0
	for _, p := range l.people {
		if p["kind"] == "population" && p["is_subject"] == "true" {
			subjects++
		}
	}
	if f := float64(subjects) / 3000; f > 0.05 {
		t.Errorf("%.1f%% of people are subjects; want <= 5%%", 100*f)
	}
}

// TestPatterns checks that every rule is planted, that the patterns file is
// complete (recomputing each rule from the records and true links finds
// exactly the listed patterns), that cell members also live ordinary lives,
// and that near-misses exist in the background.
func TestPatterns(t *testing.T) {
	l := load(t, genWorld(t, 3000, 1))
	byRule := map[string]map[string]bool{} // rule -> key record id
	for _, p := range l.patterns {
		if byRule[p["rule"]] == nil {
			byRule[p["rule"]] = map[string]bool{}
		}
		byRule[p["rule"]][strings.Split(p["record_ids"], ";")[0]] = true
	}
	for _, rule := range []string{"watchlisted_travel", "precursor_near_subject", "subjects_same_flight", "prison_visit_of_concern", "hire_near_precursor"} {
		if len(byRule[rule]) == 0 {
			t.Errorf("no %s pattern", rule)
		}
	}
	watched := func(id string) bool { return l.people[id]["watchlisted"] == "true" }
	one := func(f, id, role string) string { return l.who[f+"#"+id][role][0] }

	// Rule 1 and 3.
	want1 := map[string]bool{}
	flights := map[string]map[string]bool{}
	for id, r := range l.records["records/travel.csv"] {
		p := one("records/travel.csv", id, "passenger")
		if watched(p) {
			want1[id] = true
			k := r["flight"] + " " + r["date"]
			if flights[k] == nil {
				flights[k] = map[string]bool{}
			}
			flights[k][p] = true
		}
	}
	if !mapsEqual(want1, byRule["watchlisted_travel"]) {
		t.Errorf("watchlisted_travel: %d patterns, %d travel records by watchlisted people", len(byRule["watchlisted_travel"]), len(want1))
	}
	n3 := 0
	for _, ps := range flights {
		if len(ps) >= 2 {
			n3++
		}
	}
	if n3 != len(l.patternsOf("subjects_same_flight")) {
		t.Errorf("subjects_same_flight: %d patterns, %d flights", len(l.patternsOf("subjects_same_flight")), n3)
	}

	// Graph of true links.
	adj := map[string][]string{}
	for _, k := range l.links {
		adj[k["person_a"]] = append(adj[k["person_a"]], k["person_b"])
		adj[k["person_b"]] = append(adj[k["person_b"]], k["person_a"])
	}
	dist := map[string]int{}
	var frontier []string
	for id, p := range l.people {
		if p["watchlisted"] == "true" && p["kind"] == "population" {
			dist[id] = 0
			frontier = append(frontier, id)
		}
	}
	for hop := 1; hop <= 2; hop++ {
		var next []string
		for _, u := range frontier {
			for _, v := range adj[u] {
				if _, ok := dist[v]; !ok {
					dist[v] = hop
					next = append(next, v)
				}
			}
		}
		frontier = next
	}
	listed := map[string]bool{}
	for _, it := range items {
		listed[it.Name] = it.Listed
	}
	// Rule 2, with its near-misses.
	want2 := map[string]bool{}
	nearMiss := 0
	for id, r := range l.records["records/purchase.csv"] {
		if !listed[r["item"]] {
			continue
		}
		if _, ok := dist[one("records/purchase.csv", id, "buyer")]; ok {
			want2[id] = true
		} else {
			nearMiss++
		}
	}
	if !mapsEqual(want2, byRule["precursor_near_subject"]) {
		t.Errorf("precursor_near_subject: %d patterns, %d listed purchases within two hops", len(byRule["precursor_near_subject"]), len(want2))
	}
	if nearMiss < 20 {
		t.Errorf("only %d listed purchases far from subjects (near-misses)", nearMiss)
	}
	// Rule 4.
	want4 := map[string]bool{}
	for id := range l.records["records/prison_visit.csv"] {
		if l.people[one("records/prison_visit.csv", id, "prisoner")]["prisoner_of_concern"] == "true" {
			want4[id] = true
		}
	}
	if !mapsEqual(want4, byRule["prison_visit_of_concern"]) {
		t.Errorf("prison_visit_of_concern: %d patterns, %d visits", len(byRule["prison_visit_of_concern"]), len(want4))
	}
	// Rule 5, with van hires by ordinary people as near-misses.
	want5 := map[string]bool{}
	vans := 0
	for id, r := range l.records["records/vehicle_hire.csv"] {
		h := one("records/vehicle_hire.csv", id, "hirer")
		if !watched(h) {
			if strings.Contains(r["vehicle"], "van") {
				vans++
			}
			continue
		}
		hd, _ := time.Parse(dateLayout, r["date"])
		for _, c := range append([]string{h}, adj[h]...) {
			for _, key := range l.byPerson[c] {
				f, pid, _ := strings.Cut(key, "#")
				if f != "records/purchase.csv" || one(f, pid, "buyer") != c || !listed[l.records[f][pid]["item"]] {
					continue
				}
				pd, _ := time.Parse(dateLayout, l.records[f][pid]["date"])
				if math.Abs(pd.Sub(hd).Hours()/24) <= 14 {
					want5[id] = true
				}
			}
		}
	}
	if !mapsEqual(want5, byRule["hire_near_precursor"]) {
		t.Errorf("hire_near_precursor: %d patterns, recomputed %d", len(byRule["hire_near_precursor"]), len(want5))
	}
	if vans < 20 {
		t.Errorf("only %d van hires by ordinary people", vans)
	}
	// Cell members are hidden among ordinary activity: most talk to people
	// outside their cell and appear in ordinary registers.
	members, ordinary := 0, 0
	for id, p := range l.people {
		if p["cell_id"] == "" {
			continue
		}
		members++
		for _, key := range l.byPerson[id] {
			if f, _, _ := strings.Cut(key, "#"); f != "records/communication.jsonl" {
				continue
			}
			other := l.who[key]["to"][0]
			if other == id {
				other = l.who[key]["from"][0]
			}
			if l.people[other]["cell_id"] != p["cell_id"] && l.people[other]["prisoner_of_concern"] != "true" {
				ordinary++
				break
			}
		}
	}
	if members == 0 || float64(ordinary) < 0.7*float64(members) {
		t.Errorf("%d of %d cell members talk to anyone outside their cell", ordinary, members)
	}
}

func (l *loaded) patternsOf(rule string) []map[string]string {
	var out []map[string]string
	for _, p := range l.patterns {
		if p["rule"] == rule {
			out = append(out, p)
		}
	}
	return out
}

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// TestCultureIndependentOfRole compares the culture distribution of
// subjects and cell members with that of everyone else (chi-squared, with a
// generous bound).
func TestCultureIndependentOfRole(t *testing.T) {
	_, people := readCSV(t, filepath.Join(genWorld(t, 40000, 3), "truth/people.csv"))
	all := map[string]float64{}
	roleCount := map[string]float64{}
	var nAll, nRole float64
	for _, p := range people {
		all[p["culture"]]++
		nAll++
		if p["is_subject"] == "true" || p["cell_id"] != "" {
			roleCount[p["culture"]]++
			nRole++
		}
	}
	if nRole < 80 {
		t.Fatalf("only %.0f subjects", nRole)
	}
	// Pool sparse cultures so that expected counts are at least 5.
	var chi2 float64
	var df int
	var restObs, restExp float64
	for c, n := range all {
		exp := nRole * n / nAll
		if exp < 5 {
			restObs += roleCount[c]
			restExp += exp
			continue
		}
		chi2 += (roleCount[c] - exp) * (roleCount[c] - exp) / exp
		df++
	}
	if restExp > 0 {
		chi2 += (restObs - restExp) * (restObs - restExp) / restExp
		df++
	}
	df--
	// The 99.9th percentile of chi-squared is below df + 6*sqrt(2 df) + 10
	// for the df here; a role that depended on culture would exceed it.
	bound := float64(df) + 6*math.Sqrt(2*float64(df)) + 10
	t.Logf("chi2 = %.1f with %d df over %.0f subjects (bound %.1f)", chi2, df, nRole, bound)
	if chi2 > bound {
		t.Errorf("culture distribution of subjects differs from the population: chi2 %.1f > %.1f", chi2, bound)
	}
	if len(all) != len(cultures()) {
		t.Errorf("%d cultures in the population, want %d", len(all), len(cultures()))
	}
}

// TestNameNoise checks that records carry realistic name noise: most
// mentions keep the full name, many do not, and some are in a native
// script.
func TestNameNoise(t *testing.T) {
	l := load(t, genWorld(t, 3000, 1))
	same, differ, script := 0, 0, 0
	for f, col := range map[string]string{"records/person.csv": "full_name", "records/purchase.csv": "buyer_name", "records/referral.csv": "subject_name"} {
		for id, r := range l.records[f] {
			role := map[string]string{"records/person.csv": "person", "records/purchase.csv": "buyer", "records/referral.csv": "subject"}[f]
			p := l.people[l.who[f+"#"+id][role][0]]
			if r[col] == p["full_name"] {
				same++
			} else {
				differ++
			}
			for _, ch := range r[col] {
				if unicode.Is(unicode.Arabic, ch) || unicode.Is(unicode.Cyrillic, ch) {
					script++
					break
				}
			}
		}
	}
	share := float64(differ) / float64(same+differ)
	t.Logf("%d names as in truth, %d differ (%.0f%%), %d in native script", same, differ, 100*share, script)
	if share < 0.15 || share > 0.7 {
		t.Errorf("%.0f%% of names differ from the true name; want 15-70%%", 100*share)
	}
	scripts := script
	for _, r := range l.records["watchlist/watchlist.csv"] {
		for _, ch := range r["aliases"] {
			if unicode.Is(unicode.Arabic, ch) || unicode.Is(unicode.Cyrillic, ch) {
				scripts++
				break
			}
		}
	}
	if scripts == 0 {
		t.Error("no name in Arabic or Cyrillic script anywhere")
	}
}

// TestStreamingMemory checks that the live heap does not grow with the
// population: a world ten times larger may use only modestly more memory.
func TestStreamingMemory(t *testing.T) {
	peak := func(n int) uint64 {
		var max uint64
		var ms memStats
		_, err := Generate(context.Background(), Options{Out: t.TempDir(), People: n, Seed: 9, Progress: func(done, total int) {
			ms.read()
			if ms.HeapAlloc > max {
				max = ms.HeapAlloc
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		return max
	}
	small, large := peak(2048), peak(20480)
	t.Logf("peak live heap: %d KiB at 2k people, %d KiB at 20k", small>>10, large>>10)
	if large > 3*small {
		t.Errorf("live heap grew from %d KiB to %d KiB for 10x the people; generation is not streaming", small>>10, large>>10)
	}
}

type memStats struct{ runtime.MemStats }

// read collects garbage first so that HeapAlloc is the live heap.
func (m *memStats) read() {
	runtime.GC()
	runtime.ReadMemStats(&m.MemStats)
}

func TestPermutation(t *testing.T) {
	for _, n := range []int{1, 2, 7, 64, 1000, 4097} {
		p := newPermutation(42, n)
		seen := make([]bool, n)
		for i := 0; i < n; i++ {
			f := p.Forward(i)
			if f < 0 || f >= n || seen[f] {
				t.Fatalf("n=%d: Forward(%d)=%d repeats or is out of range", n, i, f)
			}
			seen[f] = true
			if p.Inverse(f) != i {
				t.Fatalf("n=%d: Inverse(Forward(%d)) = %d", n, i, p.Inverse(f))
			}
		}
	}
}

func TestSmallWorlds(t *testing.T) {
	for _, n := range []int{1, 2, 5, 39, 199, 200} {
		d := t.TempDir()
		m, err := Generate(context.Background(), Options{Out: d, People: n, Seed: 1})
		if err != nil {
			t.Fatalf("%d people: %v", n, err)
		}
		_, cells := readCSV(t, filepath.Join(d, "truth/cells.csv"))
		ids := map[string]bool{}
		for _, c := range cells {
			ids[c["cell_id"]] = true
		}
		if n >= 200 && len(ids) < 2 {
			t.Errorf("%d people: %d cells, want >= 2", n, len(ids))
		}
		if m.People != n {
			t.Errorf("manifest people = %d", m.People)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	if _, err := Generate(context.Background(), Options{People: 10}); err == nil {
		t.Error("no error without an output directory")
	}
	if _, err := Generate(context.Background(), Options{Out: t.TempDir(), People: -1}); err == nil {
		t.Error("no error for negative people")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, Options{Out: t.TempDir(), People: 5000}); err == nil {
		t.Error("no error when cancelled")
	}
}

func TestParseNames(t *testing.T) {
	got := parseNames(" Mohammed|Muhammad|Mohamed~Mo=محمد; Ali ;")
	want := []nameEntry{{Canon: "Mohammed", Variants: []string{"Muhammad", "Mohamed"}, Nicks: []string{"Mo"}, Script: "محمد"}, {Canon: "Ali"}}
	if len(got) != len(want) {
		t.Fatalf("got %d entries", len(got))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Canon != w.Canon || !slices.Equal(g.Variants, w.Variants) || !slices.Equal(g.Nicks, w.Nicks) || g.Script != w.Script {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
	var total int
	for _, c := range cultures() {
		for _, p := range c.Pools {
			total += len(p.male) + len(p.female) + len(p.surnames)
			for _, e := range append(append(append([]nameEntry{}, p.male...), p.female...), p.surnames...) {
				if e.Canon == "" {
					t.Errorf("%s: empty name", c.Key)
				}
			}
		}
	}
	if total < 600 {
		t.Errorf("only %d names in the tables", total)
	}
}

func TestFeminine(t *testing.T) {
	for in, want := range map[string]string{"Ivanov": "Ivanova", "Иванов": "Иванова", "Kovalenko": "Kovalenko", "Solovyov": "Solovyova"} {
		if got := feminine(nameEntry{Canon: in}).Canon; got != want {
			t.Errorf("feminine(%s) = %s, want %s", in, got, want)
		}
	}
}

// BenchmarkGenerate measures whole-world generation, files included.
func BenchmarkGenerate(b *testing.B) {
	const n = 10000
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(context.Background(), Options{Out: dir, People: n, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "people/s")
}

// BenchmarkPerson measures regenerating one person from its index, the
// step every cross-person record repeats.
func BenchmarkPerson(b *testing.B) {
	w := newWorld(1, 100000)
	i := 0
	for b.Loop() {
		_ = w.person(i % 100000)
		i++
	}
}

func TestCount(t *testing.T) {
	r := stream(1, tagWorld, 99)
	const n = 200000
	got := make([]float64, 4)
	for i := 0; i < n; i++ {
		got[count(r, 0.5, 0.8, 0.92)]++
	}
	for i, want := range []float64{0.5, 0.3, 0.12, 0.08} {
		if f := got[i] / n; math.Abs(f-want) > 0.01 {
			t.Errorf("count = %d with frequency %.3f, want %.2f", i, f, want)
		}
	}
	idx := make([]float64, 3)
	for i := 0; i < n; i++ {
		idx[weightedIndex(r, 3, func(i int) float64 { return []float64{1, 0, 3}[i] })]++
	}
	if idx[1] != 0 || math.Abs(idx[0]/n-0.25) > 0.01 {
		t.Errorf("weightedIndex frequencies %v", idx)
	}
}

func TestRegenerateIntoSameDir(t *testing.T) {
	dir := t.TempDir()
	if _, err := Generate(context.Background(), Options{Out: dir, People: 4000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	m, err := Generate(context.Background(), Options{Out: dir, People: 300, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "reports", "*.txt"))
	if len(files) != m.Files["reports"] {
		t.Errorf("%d report files after regenerating a smaller world, manifest says %d", len(files), m.Files["reports"])
	}
}
