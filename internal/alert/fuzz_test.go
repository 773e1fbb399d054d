package alert

import (
	"strings"
	"testing"
)

// FuzzParseRules: any input either loads or is refused with an error;
// it never panics. (The lexicon is built once: building it per input
// would leave the fuzzer a few inputs a second.)
func FuzzParseRules(f *testing.F) {
	lex, err := loadLexicon()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(DefaultRulesYAML())
	f.Add([]byte("version: 1\nrules: [{name: x, record: y, who: z, near_subject: {hops: 1}}]"))
	f.Add([]byte("version: 1\nsets: {a: [b]}\nrules: [{name: x, record: y, who: z, subject: {lists: [q]}, where: {f: {contains_any: $a}}, with: {record: r, who: w, within: 3d}}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := parseRules(data, "fuzz.yaml", lex)
		if err == nil && rs == nil {
			t.Fatal("nil rules without an error")
		}
	})
}

// FuzzFilterMatch: a contains_any filter matches its own value whenever
// the value has a word, and matching never panics.
func FuzzFilterMatch(f *testing.F) {
	f.Add("hydrogen peroxide 12%", "Hydrogen Peroxide")
	f.Add("", "x")
	f.Add("Ünïcödé ß", "ünïcödé")
	f.Fuzz(func(t *testing.T, value, phrase string) {
		fl := Filter{ContainsAny: Values{List: []string{phrase}}, In: Values{List: []string{value}}}
		fl.compile()
		got := fl.Match(value)
		want := len(tokens(phrase)) > 0 && strings.Contains(" "+strings.Join(tokens(value), " ")+" ", " "+strings.Join(tokens(phrase), " ")+" ")
		if got != want {
			t.Fatalf("Match(%q) with phrase %q = %v, want %v", value, phrase, got, want)
		}
		self := Filter{ContainsAny: Values{List: []string{value}}}
		self.compile()
		if len(tokens(value)) > 0 && !self.Match(value) {
			t.Fatalf("%q does not contain itself", value)
		}
	})
}
