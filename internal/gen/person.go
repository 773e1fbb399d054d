package gen

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// person is one member of the population (or a watchlist-only person),
// regenerated on demand from its index.
type person struct {
	idx       int
	cult      *culture
	female    bool
	given     nameEntry
	middle    *nameEntry
	surnames  []nameEntry // Hispanic: two; Somali: father's and grandfather's names
	family    nameEntry   // the family name before any gendered ending (Slavic)
	dob       time.Time
	nat       string
	phone1    string
	phone2    string    // the number used from phoneSwitch on ("" if none)
	switchAt  time.Time // when phone2 replaced phone1
	email     string
	address   string
	town      string
	oldAddr   string    // the address before moveAt ("" if the person did not move)
	moveAt    time.Time // when the person moved to address
	occ       int
	passport  string
	passport2 string // a British passport held by a dual national ("" if none)
	licence   string
	partner   int // household partner index, or -1
	prisoner  bool
}

func personID(i int) string { return "P" + pad(i+1, 7) }

func pad(n, width int) string {
	s := strconv.Itoa(n)
	if len(s) >= width {
		return s
	}
	return strings.Repeat("0", width-len(s)) + s
}

// FullName is the person's canonical full name in given-name-first order.
func (p *person) FullName() string {
	parts := []string{p.given.Canon}
	if p.middle != nil {
		parts = append(parts, p.middle.Canon)
	}
	for _, s := range p.surnames {
		parts = append(parts, s.Canon)
	}
	return strings.Join(parts, " ")
}

// Surname is the name by which reports refer to the person alone.
func (p *person) Surname() string { return p.surnames[0].Canon }

// addressAt returns the address the person lived at on t.
func (p *person) addressAt(t time.Time) string {
	if p.oldAddr != "" && t.Before(p.moveAt) {
		return p.oldAddr
	}
	return p.address
}

// phoneAt returns the number the person used at t ("" for none).
func (p *person) phoneAt(t time.Time) string {
	if p.phone2 != "" && !t.Before(p.switchAt) {
		return p.phone2
	}
	return p.phone1
}

func (w *world) pickCulture(r *rand.Rand) *culture {
	x := r.Float64()
	for _, c := range w.cultures {
		if x < c.Weight {
			return c
		}
		x -= c.Weight
	}
	return w.cultures[len(w.cultures)-1]
}

func pickPool(r *rand.Rand, c *culture) *pool {
	x := r.Float64()
	for i := range c.Pools {
		if x < c.Pools[i].weight {
			return &c.Pools[i]
		}
		x -= c.Pools[i].weight
	}
	return &c.Pools[len(c.Pools)-1]
}

// identity draws culture, sex, names and birth date.
func (w *world) identity(r *rand.Rand, p *person, c *culture, female bool) {
	p.cult, p.female = c, female
	pl := pickPool(r, c)
	if female {
		p.given = pick(r, pl.female)
	} else {
		p.given = pick(r, pl.male)
	}
	if chance(r, c.MiddleRate) {
		var m nameEntry
		if female {
			m = pick(r, pl.female)
		} else {
			m = pick(r, pl.male)
		}
		if m.Canon != p.given.Canon {
			p.middle = &m
		}
	}
	s := pick(r, pl.surnames)
	p.family = s
	if c.Structure == structSlavic && female {
		s = feminine(s)
	}
	p.surnames = []nameEntry{s}
	switch c.Structure {
	case structTwoSurname:
		p.surnames = append(p.surnames, pick(r, pl.surnames))
	case structThreeName:
		// Somali: given name, father's name, grandfather's name.
		f := pick(r, pl.male)
		p.surnames = []nameEntry{f, pick(r, pl.surnames)}
	}
	p.dob = time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(66*365))
}

// person regenerates population member i.
func (w *world) person(i int) *person {
	r := stream(w.seed, tagPerson, uint64(i))
	p := &person{idx: i, partner: w.partnerOf(i), prisoner: w.isPrisoner(i)}
	var head *person
	if p.partner >= 0 && i%2 == 1 {
		head = w.person(i - 1)
	}
	c := w.pickCulture(r)
	female := chance(r, 0.5)
	if head != nil {
		if chance(r, 0.8) {
			c = head.cult
		}
		female = !head.female
		if chance(r, 0.1) {
			female = head.female
		}
	}
	w.identity(r, p, c, female)
	p.nat = pickWeighted(r, c.Nationalities)
	p.town = pickWeighted(r, towns)
	p.address = strconv.Itoa(1+r.IntN(240)) + " " + pick(r, streetNames) + " " + pick(r, streetKinds) + ", " + p.town
	p.phone1 = randomMobile(r)
	if chance(r, 0.15) {
		p.phone2 = randomMobile(r)
		p.switchAt = w.start.AddDate(0, 0, 30+r.IntN(w.days-60))
	}
	p.occ = pickOccupation(r)
	p.passport = passportNumber(r, p.nat)
	if p.nat != "GBR" && chance(r, 0.3) {
		p.passport2 = passportNumber(r, "GBR")
	}
	if chance(r, 0.08) { // moved house during the period
		p.oldAddr = strconv.Itoa(1+r.IntN(240)) + " " + pick(r, streetNames) + " " + pick(r, streetKinds) + ", " + pickWeighted(r, towns)
		p.moveAt = w.start.AddDate(0, 0, 30+r.IntN(w.days-60))
	}
	if head != nil {
		if head.cult == p.cult && c.Structure != structThreeName && c.Structure != structTwoSurname && chance(r, 0.7) {
			s := head.family
			if c.Structure == structSlavic && p.female {
				s = feminine(s)
			}
			p.family, p.surnames[0] = head.family, s
		}
		if chance(r, 0.5) {
			p.nat = head.nat
		}
		p.dob = head.dob.AddDate(r.IntN(17)-8, 0, r.IntN(300)-150)
		p.town, p.address, p.oldAddr, p.moveAt = head.town, head.address, head.oldAddr, head.moveAt
		if w.sharesPhone(i) { // the couple share one mobile
			p.phone1, p.phone2, p.switchAt = head.phone1, head.phone2, head.switchAt
		}
	}
	if chance(r, 0.7) {
		p.email = emailFor(r, p)
	}
	p.licence = licenceNumber(r, p)
	return p
}

func pickOccupation(r *rand.Rand) int {
	return weightedIndex(r, len(occupations), func(i int) float64 { return occupations[i].Weight })
}

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func randomMobile(r *rand.Rand) string { return "+447" + digits(r, 9) }

func passportNumber(r *rand.Rand, nat string) string {
	if nat == "GBR" {
		return digits(r, 9)
	}
	return string(rune('A'+r.IntN(26))) + string(rune('A'+r.IntN(26))) + digits(r, 7)
}

// foldASCII removes diacritics and maps the few letters that have no
// decomposition, for systems that only take ASCII (PNRs, e-mail, licences).
func foldASCII(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'ı':
			b.WriteByte('i')
		case r == 'İ':
			b.WriteByte('I')
		case r == 'Đ':
			b.WriteByte('D')
		case r == 'đ':
			b.WriteByte('d')
		case r < 128:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func lettersOnly(s string) string {
	var b strings.Builder
	for _, r := range foldASCII(s) {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var emailDomains = []string{"mailhub.example", "post.example", "inbox.example", "netmail.example", "webpost.example"}

func emailFor(r *rand.Rand, p *person) string {
	g := strings.ToLower(lettersOnly(p.given.Canon))
	s := strings.ToLower(lettersOnly(p.surnames[0].Canon))
	var local string
	switch r.IntN(4) {
	case 0:
		local = g + "." + s
	case 1:
		local = g[:1] + s
	case 2:
		local = g + s + strconv.Itoa(p.dob.Year()%100)
	default:
		local = g + "_" + s + strconv.Itoa(1+r.IntN(99))
	}
	return local + "@" + pick(r, emailDomains)
}

// licenceNumber builds a 16-character driving licence number in the style
// of the DVLA: surname, birth decade, month (+50 for women), day, year,
// initials, a check digit and two random characters.
func licenceNumber(r *rand.Rand, p *person) string {
	s := strings.ToUpper(lettersOnly(p.surnames[0].Canon))
	for len(s) < 5 {
		s += "9"
	}
	s = s[:5]
	y := p.dob.Year()
	m := int(p.dob.Month())
	if p.female {
		m += 50
	}
	ini := strings.ToUpper(lettersOnly(p.given.Canon))[:1]
	if p.middle != nil {
		ini += strings.ToUpper(lettersOnly(p.middle.Canon))[:1]
	} else {
		ini += "9"
	}
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	return s + strconv.Itoa(y/10%10) + pad(m, 2) + pad(p.dob.Day(), 2) + strconv.Itoa(y%10) + ini + "9" +
		string(chars[r.IntN(len(chars))]) + string(chars[r.IntN(len(chars))])
}

// nameForm is the layout a source uses for names.
type nameForm int

const (
	formNatural  nameForm = iota // "Given Middle Surname"
	formPNR                      // "SURNAME/GIVEN MIDDLE"
	formCommaed                  // "Surname, Given"
	formOfficial                 // like natural, fewer nicknames
)

// token chooses a spelling of e: canonical, a variant or a nickname.
func token(r *rand.Rand, e *nameEntry, noise float64, nickOK bool) string {
	x := r.Float64()
	switch {
	case x < 0.14*noise && len(e.Variants) > 0:
		return pick(r, e.Variants)
	case x < 0.2*noise && nickOK && len(e.Nicks) > 0:
		return pick(r, e.Nicks)
	}
	return e.Canon
}

// typo applies one keyboard slip to s: a dropped, doubled, swapped or
// substituted letter.
func typo(r *rand.Rand, s string) string {
	rs := []rune(s)
	if len(rs) < 4 {
		return s
	}
	i := 1 + r.IntN(len(rs)-2)
	switch r.IntN(4) {
	case 0:
		rs = append(rs[:i], rs[i+1:]...)
	case 1:
		rs = append(rs[:i+1], rs[i:]...)
	case 2:
		rs[i], rs[i+1] = rs[i+1], rs[i]
	default:
		const near = "aeiounmrstl"
		rs[i] = rune(near[r.IntN(len(near))])
	}
	return string(rs)
}

// renderName writes the person's name as one source would: with variant
// spellings, nicknames, initials, typos, dropped or reordered parts, at a
// rate scaled by noise (1 = typical).
func renderName(r *rand.Rand, p *person, form nameForm, noise float64) string {
	given := token(r, &p.given, noise, form == formNatural)
	if form != formPNR && chance(r, 0.05*noise) {
		given = string([]rune(given)[:1]) + "."
	}
	var mid string
	if p.middle != nil {
		x := r.Float64()
		switch {
		case x < 0.35:
			mid = token(r, p.middle, noise, false)
		case x < 0.5:
			mid = string([]rune(p.middle.Canon)[:1])
			if form != formPNR {
				mid += "."
			}
		}
	}
	var sur []string
	sur = append(sur, token(r, &p.surnames[0], noise, false))
	if len(p.surnames) > 1 {
		second := token(r, &p.surnames[1], noise, false)
		switch x := r.Float64(); {
		case p.cult.Structure == structTwoSurname && x < 0.1:
			sur[0] += "-" + second
		case x < 0.55:
			sur = append(sur, second)
		}
	}
	if chance(r, 0.05*noise) {
		j := r.IntN(len(sur))
		sur[j] = typo(r, sur[j])
	} else if chance(r, 0.04*noise) && len(given) > 3 {
		given = typo(r, given)
	}
	surname := strings.Join(sur, " ")
	forenames := given
	if mid != "" {
		forenames += " " + mid
	}
	switch form {
	case formPNR:
		s := strings.ToUpper(foldASCII(strings.ReplaceAll(surname, " ", ""))) + "/" + strings.ToUpper(foldASCII(forenames))
		if chance(r, 0.3) {
			if p.female {
				s += " MS"
			} else {
				s += " MR"
			}
		}
		return s
	case formCommaed:
		return surname + ", " + forenames
	}
	swap := 0.04 * noise
	if p.cult.Key == "east_asian" {
		swap = 0.3
	}
	if chance(r, swap) {
		return surname + " " + forenames
	}
	if chance(r, 0.03*noise) {
		return strings.ToUpper(forenames + " " + surname)
	}
	return forenames + " " + surname
}

// scriptName returns the person's name in its native script, or "" when the
// culture has none.
func scriptName(p *person) string {
	if p.cult.Script == "" || p.given.Script == "" {
		return ""
	}
	parts := []string{p.given.Script}
	for _, s := range p.surnames {
		if s.Script == "" {
			return ""
		}
		parts = append(parts, s.Script)
	}
	return strings.Join(parts, " ")
}

const dateLayout = "2006-01-02"

// renderDOB returns the date of birth as a source records it: missing at
// rate missing, wrong (day and month swapped, year or day off) at rate
// wrong, else correct.
func renderDOB(r *rand.Rand, p *person, missing, wrong float64) string {
	x := r.Float64()
	switch {
	case x < missing:
		return ""
	case x < missing+wrong:
		d := p.dob
		switch r.IntN(3) {
		case 0:
			if d.Day() <= 12 && d.Day() != int(d.Month()) {
				return time.Date(d.Year(), time.Month(d.Day()), int(d.Month()), 0, 0, 0, 0, time.UTC).Format(dateLayout)
			}
			return d.AddDate(1, 0, 0).Format(dateLayout)
		case 1:
			return d.AddDate(r.IntN(2)*2-1, 0, 0).Format(dateLayout)
		default:
			return d.AddDate(0, 0, 1+r.IntN(3)).Format(dateLayout)
		}
	}
	return p.dob.Format(dateLayout)
}

// renderPhone formats an E.164 UK number as people write it.
func renderPhone(r *rand.Rand, e164 string) string {
	if e164 == "" {
		return ""
	}
	national := "0" + e164[3:]
	switch x := r.Float64(); {
	case x < 0.45:
		return e164
	case x < 0.75:
		return national[:5] + " " + national[5:]
	case x < 0.9:
		return national
	default:
		return "+44 " + e164[3:7] + " " + e164[7:]
	}
}
