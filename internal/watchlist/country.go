package watchlist

import (
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// countryAliases are list spellings that CLDR's English names lack.
var countryAliases = map[string]string{
	"democratic people's republic of korea": "KP", "dprk": "KP", "north korea": "KP",
	"republic of korea": "KR", "iran (islamic republic of)": "IR", "iran": "IR",
	"syrian arab republic": "SY", "syria": "SY", "united republic of tanzania": "TZ",
	"russian federation": "RU", "russia": "RU", "viet nam": "VN", "lao people's democratic republic": "LA",
	"bolivia (plurinational state of)": "BO", "venezuela (bolivarian republic of)": "VE",
	"democratic republic of the congo": "CD", "congo": "CG", "republic of the congo": "CG",
	"libyan arab jamahiriya": "LY", "libya": "LY", "the former yugoslav republic of macedonia": "MK",
	"republic of moldova": "MD", "state of palestine": "PS", "palestinian territories": "PS",
	"united kingdom of great britain and northern ireland": "GB", "united kingdom": "GB", "uk": "GB",
	"united states of america": "US", "united states": "US", "usa": "US", "turkiye": "TR", "türkiye": "TR",
	"cote d'ivoire": "CI", "côte d'ivoire": "CI", "ivory coast": "CI", "burma": "MM", "myanmar": "MM",
	"kosovo": "XK", "gaza": "PS", "west bank": "PS", "sudan": "SD", "south sudan": "SS",
	"bosnia and herzegovina": "BA", "czechia": "CZ", "czech republic": "CZ", "cabo verde": "CV",
	"eswatini": "SZ", "swaziland": "SZ", "micronesia (federated states of)": "FM",
}

var countryIndex = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	en := display.English.Regions()
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() {
				continue
			}
			if n := en.Name(r); n != "" {
				m[strings.ToLower(n)] = code
			}
		}
	}
	for k, v := range countryAliases {
		m[k] = v
	}
	return m
})

// CountryCode returns the ISO 3166-1 alpha-2 code of a country given by
// name or code ("Iraq", "iq", "Syrian Arab Republic" -> "SY"); ok is false
// when it is not recognised.
func CountryCode(s string) (string, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "."))
	if s == "" {
		return "", false
	}
	if len(s) == 2 {
		if r, err := language.ParseRegion(s); err == nil && r.IsCountry() {
			return r.String(), true
		}
	}
	if len(s) == 3 && strings.ToUpper(s) == s {
		if r, err := language.ParseRegion(s); err == nil && r.IsCountry() {
			return r.String(), true
		}
	}
	idx := countryIndex()
	l := strings.ToLower(s)
	if c, ok := idx[l]; ok {
		return c, true
	}
	c, ok := idx[strings.ReplaceAll(l, " and ", " & ")]
	return c, ok
}

// normCountry returns the code of s, or s itself trimmed when unknown.
func normCountry(s string) string {
	if c, ok := CountryCode(s); ok {
		return c
	}
	return strings.TrimSpace(s)
}
