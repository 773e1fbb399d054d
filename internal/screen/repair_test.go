package screen

import (
	"strings"

	"github.com/mosaic-intel/mosaic/internal/names"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"aziz", "aziz", 0}, {"aziz", "aizz", 1}, {"abudl", "abdul", 1}, {"kang", "kadg", 1},
		{"song", "sng", 1}, {"moore", "mayer", 3}, {"", "abc", 3}, {"abcdef", "a", 3},
	} {
		if got := editDistance(c.a, c.b, 3); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestRepairCompounds(t *testing.T) {
	ix := NewIndex()
	ix.ReplaceList("t", []watchlist.Entry{
		person("a", "", "", "ABDUL LATIF MANSUR"),
		person("b", "", "", "NAJIBULLAH MUHAMMAD JUMA"),
		person("c", "", "", "ABDELMALEK DROUKDEL"),
		person("d", "", "", "HASSAN KHALIL"),
		person("e", "", "", "ABDOULAYE HISSENE"),
		person("f", "", "", "ABDULRAHMAN YASIN"),
	})
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for w, want := range map[string]string{
		"adbul": "abdul", "azbdul": "abdul", "abudl": "abdul",
		"najibullh": "najibullah", "abrdelmalek": "abdelmalek",
		"abdulrahman": "", "abdelrahman": "", "abdoulaye": "",
		"abdul": "", "najib": "", "hassan": "", "khalil": "", "abbas": "", "ahmed": "",
	} {
		got, _ := ix.repairWord(w)
		if got != want {
			t.Errorf("repairWord(%q) = %q, want %q", w, got, want)
		}
	}
	for _, w := range []string{"abdonlaye", "abdoulae"} {
		got, _ := ix.repairWord(w)
		var parts []string
		for _, tk := range names.Parse(got, names.KindPerson).Tokens {
			parts = append(parts, tk.Text)
		}
		if strings.Join(parts, " ") != "abd allah" {
			t.Errorf("repairWord(%q) = %q, parsed %q, want abd allah", w, got, parts)
		}
	}
	if h, ok := top(ix, Query{Name: "AXDUL LATIF MANSUR", Schema: watchlist.Person}); !ok || h.EntryID != "a" {
		t.Errorf("AXDUL LATIF MANSUR: %+v", h)
	}
}

func TestRepairOrgAndAbjad(t *testing.T) {
	ix := NewIndex()
	ix.ReplaceList("t", []watchlist.Entry{
		org("o", "PAEKMA SHIPPING CO"),
		org("k", "KOTI CORP"),
		org("j", "JOZA INDUSTRIAL CO."),
		person("ko", "", "", "KO CHOL MAN"),
		person("r", "", "", "RAHMATULLAH KAKAZADA"),
	})
	ix.mu.RLock()
	for w, want := range map[string]string{"corl": "corp", "koti": "", "paekma": "", "kora": ""} {
		if got, _ := ix.repairOrgWord(w, false); got != want {
			t.Errorf("repairOrgWord(%q) = %q, want %q", w, got, want)
		}
	}
	if got, _ := ix.repairOrgWord("eendostrial", false); got != "industrial" {
		t.Errorf("repairOrgWord(eendostrial) = %q, want industrial", got)
	}
	if got, _ := ix.repairOrgWord("ko", true); got != "co" {
		t.Errorf("repairOrgWord(ko, last) = %q, want co", got)
	}
	if got, _ := ix.repairOrgWord("ko", false); got != "" {
		t.Errorf("repairOrgWord(ko) = %q, want none (a name of the index)", got)
	}
	pq := ix.repairCompounds("حاجي رحمت الله کاکا زاده", names.Parse("حاجي رحمت الله کاکا زاده", names.KindPerson), names.KindPerson)
	ix.mu.RUnlock()
	var got []string
	for _, tk := range pq.Tokens {
		if tk.Role == names.RolePart {
			got = append(got, tk.Text)
		}
	}
	if strings.Join(got, " ") != "rhmt allah kakazadh" {
		t.Errorf("Arabic-script parts %q, want rhmt allah kakazadh", got)
	}
}

func TestRomanSkel(t *testing.T) {
	same := [][2]string{{"keem", "kim"}, {"khol", "chol"}, {"hvi", "hwi"}, {"paq", "pak"}, {"moqulu", "mukulu"},
		{"sayd", "said"}, {"areef", "arif"}, {"eebrahim", "ibrahim"}, {"kherif", "cherif"}, {"youssef", "yusef"}}
	for _, p := range same {
		if romanSkel(p[0]) != romanSkel(p[1]) {
			t.Errorf("romanSkel(%q) = %q, romanSkel(%q) = %q: want equal", p[0], romanSkel(p[0]), p[1], romanSkel(p[1]))
		}
	}
	for _, p := range [][2]string{{"kang", "jang"}, {"moore", "mayer"}, {"ali", "ela"}, {"hasan", "husain"}} {
		if romanSkel(p[0]) == romanSkel(p[1]) {
			t.Errorf("romanSkel(%q) = romanSkel(%q) = %q: want different", p[0], p[1], romanSkel(p[0]))
		}
	}
}

// TestRomanSkelPasses checks romanSkel against the same passes written
// with strings.Replacer.
func TestRomanSkelPasses(t *testing.T) {
	rs := []*strings.Replacer{
		strings.NewReplacer("ph", "f", "ck", "k", "dj", "j", "dh", "d", "x", "ks"),
		strings.NewReplacer("c", "k", "q", "k", "w", "v"),
		strings.NewReplacer("kh", "h", "sh", "h"),
		strings.NewReplacer("ee", "i", "ie", "i", "oo", "u", "ou", "u", "y", "i"),
		strings.NewReplacer("e", "a", "o", "u"),
	}
	ref := func(s string) string {
		for _, r := range rs {
			s = r.Replace(s)
		}
		var out []byte
		for i := 0; i < len(s); i++ {
			if i > 0 && s[i] == s[i-1] {
				continue
			}
			out = append(out, s[i])
		}
		return string(out)
	}
	words := []string{"schmidt", "khachaturian", "phoebe", "djokovic", "xiaoping", "mcqueen", "youssouf", "cheikh",
		"shcherbakov", "oumar", "quddus", "ackerman", "sayyid", "wieczorek", "hvi", "eeyore", "dhiyaa", "zhou", "a", "ee"}
	for i := range 2000 {
		// Pseudo-random words over the letters the rules touch.
		const letters = "aeiouyckhqswxpdjzo"
		w := make([]byte, 1+i%9)
		for j := range w {
			w[j] = letters[(i*7+j*13+i*j)%len(letters)]
		}
		words = append(words, string(w))
	}
	for _, w := range words {
		if got, want := romanSkel(w), ref(w); got != want {
			t.Errorf("romanSkel(%q) = %q, want %q", w, got, want)
		}
	}
}

func TestSameSkelStart(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"eebrahim", "ibrahim", true},
		{"kherif", "cherif", true},
		{"umari", "omari", true},
		{"wara", "vera", false},
		{"qasim", "kasim", false},
		{"ali", "hali", false},
	} {
		if got := sameSkelStart(c.a, c.b); got != c.want {
			t.Errorf("sameSkelStart(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestCloseJoined(t *testing.T) {
	for _, c := range []struct {
		whole, a, b string
		want        bool
	}{
		{"changho", "chang", "ho", true},  // written apart
		{"changhp", "chang", "ho", true},  // and one typo
		{"chen", "che", "son", false},     // two letters more
		{"sanani", "sana", "awan", false}, // another name
		{"chll", "chae", "il", false},
		{"abobaqar", "abu", "bakar", true}, // a long whole: left to the similarity
	} {
		if got := closeJoined(c.whole, c.a, c.b); got != c.want {
			t.Errorf("closeJoined(%q, %q, %q) = %v, want %v", c.whole, c.a, c.b, got, c.want)
		}
	}
}

// A short Latin-script part meets two entry parts written apart only when
// its letters are theirs, give or take one.
func TestJoinedParts(t *testing.T) {
	ix := NewIndex()
	ix.ReplaceList("l", []watchlist.Entry{
		{EntryID: "p1", Schema: watchlist.Person, Names: []watchlist.Name{{Value: "Ri Che-son", Primary: true}}},
		{EntryID: "p2", Schema: watchlist.Person, Names: []watchlist.Name{{Value: "Kim Jong-il", Primary: true}}},
		{EntryID: "p3", Schema: watchlist.Person, Names: []watchlist.Name{{Value: "Ivan Petrov", Primary: true}}},
	})
	if hs := ix.Screen(Query{Name: "Ri Cheson", Schema: watchlist.Person}); len(hs) == 0 || hs[0].EntryID != "p1" {
		t.Errorf("Ri Cheson: %+v, want p1", hs)
	}
	for _, h := range ix.Screen(Query{Name: "Ri Chen", Schema: watchlist.Person, MinScore: 0.01}) {
		if h.EntryID == "p1" && h.Score >= DefaultThreshold {
			t.Errorf("Ri Chen meets Ri Che-son at %.3f: %v", h.Score, h.Explanation)
		}
	}
}
