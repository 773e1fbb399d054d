package rules

import (
	"testing"
	"time"
)

var doc = time.Date(2017, 11, 23, 0, 0, 0, 0, time.UTC) // a Thursday

func TestFind(t *testing.T) {
	m := New()
	cases := []struct {
		text, typ, span, norm string
	}{
		{"It happened on 22 May 2017 in Manchester.", "DATE", "22 May 2017", "2017-05-22"},
		{"Wednesday 27 April 2016 08:35", "DATE", "Wednesday 27 April 2016", "2016-04-27"},
		{"on March 22, 2016. B", "DATE", "March 22, 2016", "2016-03-22"},
		{"the massacre in Westminster in March, bringing", "DATE", "March", "2017-03"},
		{"It was last updated in 2015, before", "DATE", "2015", "2015"},
		{"He was arrested last month.", "DATE", "last month", "2017-10"},
		{"Three weeks ago he left.", "DATE", "Three weeks ago", "2017-W44"},
		{"police said on Tuesday that", "DATE", "Tuesday", "2017-11-21"},
		{"He flew out yesterday.", "DATE", "yesterday", "2017-11-22"},
		{"eight months before the attack", "DATE", "eight months before", ""},
		{"in the 1990s there", "DATE", "1990s", "199X"},
		{"filed 2017-05-22 at", "DATE", "2017-05-22", "2017-05-22"},
		{"on 22/05/2017 at", "DATE", "22/05/2017", "2017-05-22"},
		{"at 21:40 GMT", "TIME", "21:40 GMT", "T21:40"},
		{"at 8.30pm on", "TIME", "8.30pm", "T20:30"},
		{"it cost £50m to", "MONEY", "£50m", ""},
		{"raised $1.2 billion for", "MONEY", "$1.2 billion", ""},
		{"with 15 per cent killed", "PERCENT", "15 per cent", ""},
		{"a rise of 4.5% in", "PERCENT", "4.5%", ""},
		{"25kg of explosives", "QUANTITY", "25kg", ""},
		{"drove 300 miles to", "QUANTITY", "300 miles", ""},
		{"call +44 20 7946 0958 now", "PHONE", "+44 20 7946 0958", "+442079460958"},
		{"call 07700 900123 now", "PHONE", "07700 900123", "07700900123"},
		{"mail j.smith@example.co.uk today", "EMAIL", "j.smith@example.co.uk", ""},
		{"IBAN GB82 WEST 1234 5698 7654 32 paid", "IBAN", "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"},
		{"passport number 533380006 issued", "DOCNUM", "passport number 533380006", "533380006"},
		{"document AB1234567 found", "DOCNUM", "document AB1234567", "AB1234567"},
		{"a silver car, registration AB12 CDE, seen", "VEHREG", "AB12 CDE", "AB12CDE"},
	}
	for _, c := range cases {
		got := m.Find(c.text, doc)
		found := false
		for _, g := range got {
			if g.Type == c.typ && c.text[g.Start:g.End] == c.span {
				found = true
				if g.Normalized != c.norm {
					t.Errorf("%q: %s %q normalised %q, want %q", c.text, c.typ, c.span, g.Normalized, c.norm)
				}
			}
		}
		if !found {
			t.Errorf("%q: want %s %q, got %+v", c.text, c.typ, c.span, got)
		}
	}
}

func TestNoFalseIdentifiers(t *testing.T) {
	m := New()
	for _, s := range []string{
		"Around 850 people travelled from the UK",
		"bringing the total to 21 since 2013",
		"IBAN GB83 WEST 1234 5698 7654 32 is a bad check digit",
		"Nearly 600 investigative leads covering about 3,000 people",
	} {
		for _, g := range m.Find(s, doc) {
			switch g.Type {
			case "PHONE", "IBAN", "DOCNUM", "VEHREG", "EMAIL", "MONEY":
				t.Errorf("%q: unexpected %s %q", s, g.Type, s[g.Start:g.End])
			}
		}
	}
}

func FuzzFind(f *testing.F) {
	m := New()
	for _, s := range []string{"22 May 2017", "£5m", "+44 20 7946 0958", "last Tuesday", "GB82 WEST 1234 5698 7654 32"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prev := -1
		for _, g := range m.Find(s, doc) {
			if g.Start < 0 || g.End > len(s) || g.Start >= g.End || g.Start < prev {
				t.Fatalf("bad match %+v in %q", g, s)
			}
			prev = g.End
		}
	})
}
