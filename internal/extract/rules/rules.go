// Package rules finds the entities that follow patterns rather than
// context: dates, times, money, quantities, percentages and identifiers
// (phone numbers, e-mail addresses, passport-like and document numbers,
// vehicle registrations, IBANs). Dates are normalised to ISO 8601,
// absolutely ("22 May 2017" -> 2017-05-22) or against the document's date
// ("last month", "three weeks ago", "on Tuesday").
//
// Matching uses Go's regexp (RE2), so it runs in time linear in the input.
// A Matcher is immutable and safe for concurrent use.
package rules

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Match is one rule-based entity: byte span, type and normalised value.
type Match struct {
	Start, End int
	Type       string
	Normalized string
}

// Matcher holds the compiled patterns.
type Matcher struct {
	pats []pattern
}

type pattern struct {
	typ  string
	re   *regexp.Regexp
	norm func(m []string, docDate time.Time) (string, bool)
	prio int // higher wins on overlap
}

const (
	month    = `(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`
	weekday  = `(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?`
	dayPat   = `(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?`
	year     = `(?:1[89][0-9]{2}|20[0-9]{2})`
	numWord  = `(?:\d+(?:[.,]\d+)*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a few|several|a couple of)`
	unitWord = `(?:days?|weeks?|months?|years?|decades?|hours?|minutes?)`
)

// New compiles the patterns.
func New() *Matcher {
	m := &Matcher{}
	add := func(typ string, prio int, expr string, norm func([]string, time.Time) (string, bool)) {
		m.pats = append(m.pats, pattern{typ: typ, re: regexp.MustCompile(expr), norm: norm, prio: prio})
	}
	// Identifiers first: they are the most specific.
	add("EMAIL", 9, `\b[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63})*\.[A-Za-z]{2,24}\b`, nil)
	add("IBAN", 9, `\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b`, normIBAN)
	add("PHONE", 8, `(?:\+|\b00)[1-9][0-9]{0,2}[ \-.]?(?:\(0\)[ \-.]?)?[0-9]{1,5}(?:[ \-.]?[0-9]{2,5}){1,4}\b|\(0[0-9]{2,5}\)[ \-.]?[0-9]{3,4}[ \-.]?[0-9]{3,4}\b|\b0[1-9][0-9]{2,4}[ \-][0-9]{3,4}[ \-]?[0-9]{3,4}\b|\b[0-9]{3}-[0-9]{3}-[0-9]{4}\b`, normPhone)
	add("VEHREG", 7, `\b[A-Z]{2}(?:0[1-9]|[1-9][0-9]) ?[A-Z]{3}\b|\b[A-Z][0-9]{1,3} ?[A-Z]{3}\b`, normUpperNoSpace)
	add("DOCNUM", 6, `(?i:passport|document|identity card|id card|licence|license|visa)(?: (?i:no\.?|number|num\.?|#))?:? ?([A-Z0-9]{6,12})\b|\b[A-Z]{1,3}[0-9]{6,9}\b`, normDocnum)
	// Dates.
	add("DATE", 5, `\b(?:`+weekday+`,? )?(`+dayPat+`) (?:of )?(`+month+`),? (`+year+`)\b`, normDMY)
	add("DATE", 5, `\b(?:`+weekday+`,? )?(`+month+`) (`+dayPat+`),? (`+year+`)\b`, normMDY)
	add("DATE", 5, `\b(`+year+`)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\b`, normISO)
	add("DATE", 5, `\b(0?[1-9]|[12][0-9]|3[01])/(0?[1-9]|1[0-2])/(`+year+`)\b`, normSlash)
	add("DATE", 4, `\b(?:`+weekday+`,? )?(`+dayPat+`) (?:of )?(`+month+`)\b`, normDM)
	add("DATE", 4, `\b(?:`+weekday+`,? )?(`+month+`) (`+dayPat+`)\b(?:st|nd|rd|th)?`, normMD)
	add("DATE", 4, `\b(?:(?:early|mid|late)[ \-])?(`+month+`) (`+year+`)\b`, normMY)
	add("DATE", 3, `\b(?:(?:in|since|until|by|during|before|after|from|of|early|late) )(?:(?:early|mid|late)[ \-])?(January|February|March|April|June|July|August|September|October|November|December)\b`, normMonthOnly)
	add("DATE", 3, `\b(?:the )?((?:19|20)[0-9]0)s\b`, normDecade)
	add("DATE", 2, `\b(`+year+`)\b`, normYear)
	add("DATE", 3, `(?i)\b(yesterday|today|tomorrow|tonight)\b`, normDeixis)
	add("DATE", 3, `(?i)\b(last|next|this|previous|coming|past) (week|month|year|weekend|`+weekday+`|spring|summer|autumn|winter)\b`, normLastNext)
	add("DATE", 3, `(?i)\b(`+numWord+`) (`+unitWord+`) (ago|earlier|before|later|after)\b`, normAgo)
	add("DATE", 3, `\b(?:on|last|next|this|by|until|since) (`+weekday+`)\b`, normWeekday)
	// Times.
	add("TIME", 5, `\b(?:[01]?[0-9]|2[0-3])[:.][0-5][0-9](?: ?[ap]\.?m\.?)?(?: (?:GMT|BST|UTC|CET|EST|EDT|PST|local time))?\b|\b(?:1[0-2]|0?[1-9]) ?[ap]\.?m\b\.?(?: (?:GMT|BST|UTC))?|(?i:\bmidnight\b|\bnoon\b)`, normTime)
	// Money, percentages, quantities.
	add("MONEY", 6, `(?:US\$|A\$|C\$|HK\$|[$£€¥₹])\s?\d+(?:[.,]\d+)*(?:\s?(?:bn|m|k|billion|million|thousand|trillion)\b)?|\b\d+(?:[.,]\d+)*(?:\s?(?:bn|m|billion|million|thousand|trillion))?\s(?:pounds?(?: sterling)?|dollars|euros?|yen|rupees|roubles|rubles|dinars|riyals|francs|pence|p\b|cents)\b|\b\d+(?:[.,]\d+)*\s?(?:USD|GBP|EUR|CHF|JPY)\b|\b(?:USD|GBP|EUR|CHF|JPY)\s?\d+(?:[.,]\d+)*`, nil)
	add("PERCENT", 6, `\b\d+(?:[.,]\d+)?\s?(?:%|per ?cent\b|percent\b)|(?i:\b(?:one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty|fifty) (?:per ?cent|percent)\b)`, nil)
	add("QUANTITY", 5, `\b\d+(?:[.,]\d+)*(?:\s?(?:-|to)\s?\d+(?:[.,]\d+)*)?\s?(?:km|kilometres?|kilometers?|miles?|metres?|meters?|m\b|cm|mm|feet|ft|foot|inches|yards?|kg|kilos?|kilograms?|g\b|grams?|tonnes?|tons?|lbs?|pounds? in weight|litres?|liters?|gallons?|barrels|mph|km/h|acres?|hectares?|sq\.? ?(?:km|miles?|metres?))\b`, nil)
	return m
}

// Find returns the non-overlapping matches in text, sorted by start. Where
// matches overlap, the higher-priority, then the longer, is kept.
func (m *Matcher) Find(text string, docDate time.Time) []Match {
	var cs []cand
	for _, w := range windows(text) {
		cs = m.findIn(text, w[0], w[1], docDate, cs)
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].prio != cs[j].prio {
			return cs[i].prio > cs[j].prio
		}
		if li, lj := cs[i].End-cs[i].Start, cs[j].End-cs[j].Start; li != lj {
			return li > lj
		}
		return cs[i].Start < cs[j].Start
	})
	var kept []Match
	var taken []bool
	if len(cs) > 0 {
		taken = make([]bool, len(text))
	}
	for _, c := range cs {
		free := true
		for k := c.Start; k < c.End; k++ {
			if taken[k] {
				free = false
				break
			}
		}
		if !free {
			continue
		}
		for k := c.Start; k < c.End; k++ {
			taken[k] = true
		}
		kept = append(kept, c.Match)
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].Start < kept[j].Start })
	return kept
}

type cand struct {
	Match
	prio int
}

// findIn runs every pattern over text[lo:hi] and appends the candidates.
func (m *Matcher) findIn(text string, lo, hi int, docDate time.Time, cs []cand) []cand {
	sub := text[lo:hi]
	for _, p := range m.pats {
		for _, ix := range p.re.FindAllStringSubmatchIndex(sub, -1) {
			for k := range ix {
				if ix[k] >= 0 {
					ix[k] += lo
				}
			}
			start, end := ix[0], ix[1]
			norm := ""
			if p.norm != nil {
				groups := make([]string, len(ix)/2)
				for g := range groups {
					if ix[2*g] >= 0 {
						groups[g] = text[ix[2*g]:ix[2*g+1]]
					}
				}
				v, ok := p.norm(groups, docDate)
				if !ok {
					continue
				}
				norm = v
			}
			// Trim a leading preposition kept only as context.
			if p.typ == "DATE" {
				for _, pre := range []string{"in ", "since ", "until ", "by ", "during ", "before ", "after ", "from ", "of ", "on ", "the "} {
					if strings.HasPrefix(text[start:end], pre) && end-start > len(pre) {
						start += len(pre)
						break
					}
				}
			}
			cs = append(cs, cand{Match{start, end, p.typ, norm}, p.prio})
		}
	}
	return cs
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' || r == '+' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func normPhone(g []string, _ time.Time) (string, bool) {
	d := digitsOnly(g[0])
	n := strings.Count(d, "") - 1
	if strings.HasPrefix(d, "+") {
		n--
	}
	// A phone number has 9 to 15 digits; fewer is a figure or a date.
	return d, n >= 9 && n <= 15
}

func normUpperNoSpace(g []string, _ time.Time) (string, bool) {
	return strings.ReplaceAll(strings.ToUpper(g[0]), " ", ""), true
}

func normDocnum(g []string, _ time.Time) (string, bool) {
	v := g[1]
	if v == "" {
		v = g[0]
	}
	hasDigit, hasLetter := false, false
	for _, r := range v {
		hasDigit = hasDigit || r >= '0' && r <= '9'
		hasLetter = hasLetter || r >= 'A' && r <= 'Z'
	}
	if g[1] == "" && !hasLetter {
		return "", false
	}
	return v, hasDigit
}

// normIBAN validates the ISO 13616 mod-97 check digits.
func normIBAN(g []string, _ time.Time) (string, bool) {
	s := strings.ReplaceAll(g[0], " ", "")
	if len(s) < 15 || len(s) > 34 {
		return "", false
	}
	r := s[4:] + s[:4]
	mod := 0
	for _, c := range r {
		switch {
		case c >= '0' && c <= '9':
			mod = (mod*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			mod = (mod*100 + int(c-'A'+10)) % 97
		default:
			return "", false
		}
	}
	return s, mod == 1
}

func normTime(g []string, _ time.Time) (string, bool) {
	s := strings.ToLower(g[0])
	switch {
	case strings.Contains(s, "midnight"):
		return "T00:00", true
	case strings.Contains(s, "noon"):
		return "T12:00", true
	}
	h, mnt := 0, 0
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		h = h*10 + int(s[i]-'0')
		i++
	}
	if i < len(s) && (s[i] == ':' || s[i] == '.') {
		i++
		for j := 0; j < 2 && i < len(s) && s[i] >= '0' && s[i] <= '9'; j++ {
			mnt = mnt*10 + int(s[i]-'0')
			i++
		}
	}
	rest := strings.TrimSpace(s[i:])
	if strings.HasPrefix(rest, "p") && h < 12 {
		h += 12
	}
	if strings.HasPrefix(rest, "a") && h == 12 {
		h = 0
	}
	if h > 23 || mnt > 59 {
		return "", false
	}
	return "T" + two(h) + ":" + two(mnt), true
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// triggers are words near which a rule may match; text far from any
// trigger, digit or currency sign is not searched.
var triggers = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`jan january feb february mar march apr april may jun june jul july aug august
		sep sept september oct october nov november dec december mon monday tue tues tuesday wed wednesday
		thu thur thurs thursday fri friday sat saturday sun sunday yesterday today tomorrow tonight
		last next this previous coming past ago earlier later midnight noon passport document identity
		licence license visa id percent cent decade decades day days week weeks month months year years
		weekend spring summer autumn winter`) {
		triggers[w] = true
	}
}

// windows returns the byte ranges of text worth matching: 48 bytes either
// side of every digit, '@', currency sign or trigger word, widened to
// whitespace and merged up to about 2 KB.
func windows(text string) [][2]int {
	var out [][2]int
	add := func(s, e int) {
		s, e = max(0, s-48), min(len(text), e+48)
		for s > 0 && text[s-1] != ' ' && text[s-1] != '\n' && e-s < 4096 {
			s--
		}
		for e < len(text) && text[e] != ' ' && text[e] != '\n' && e-s < 4096 {
			e++
		}
		// Keep UTF-8 boundaries.
		for s > 0 && text[s]&0xC0 == 0x80 {
			s--
		}
		for e < len(text) && text[e]&0xC0 == 0x80 {
			e++
		}
		// Merge with the previous window while it stays small, so that the
		// regexp engine runs on short inputs (where it is fastest). Windows
		// past the cap may overlap; duplicate matches are dropped later.
		if n := len(out); n > 0 && s <= out[n-1][1] && max(out[n-1][1], e)-out[n-1][0] <= 2048 {
			out[n-1][1] = max(out[n-1][1], e)
			return
		}
		out = append(out, [2]int{s, e})
	}
	i := 0
	for i < len(text) {
		c := text[i]
		switch {
		case c >= '0' && c <= '9' || c == '@' || c == '$':
			add(i, i+1)
			i++
		case c == 0xC2 && i+1 < len(text) && (text[i+1] == 0xA3 || text[i+1] == 0xA5): // £ ¥
			add(i, i+2)
			i += 2
		case c == 0xE2 && i+2 < len(text) && text[i+1] == 0x82: // € ₹ and other currency signs
			add(i, i+3)
			i += 3
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(text) && (text[j] >= 'a' && text[j] <= 'z' || text[j] >= 'A' && text[j] <= 'Z') {
				j++
			}
			if j-i <= 9 && j-i >= 2 {
				var buf [9]byte
				for k := i; k < j; k++ {
					b := text[k]
					if b >= 'A' && b <= 'Z' {
						b += 'a' - 'A'
					}
					buf[k-i] = b
				}
				if triggers[string(buf[:j-i])] {
					add(i, j)
				}
			}
			i = j
		default:
			i++
		}
	}
	return out
}
