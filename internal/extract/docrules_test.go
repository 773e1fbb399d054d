package extract

import "testing"

// TestDocumentRules checks the document-level rules on made-up sentences
// (no name here comes from a test corpus or from the world generator).
func TestDocumentRules(t *testing.T) {
	x := newX(t)
	cases := []struct {
		text      string
		typ, want string
	}{
		// An airline named before a flight number.
		{"Ms Hale flew from Leeds to Oslo on Northwind flight NW221 and returned on 3 May 2024.", ORG, "Northwind"},
		{"Mr Osei flew from Leeds to Oslo on K4 flight K4120 and returned on 3 May 2024.", ORG, "K4"},
		// A shop named with the town of its branch.
		{"On 2 May 2024, Mr Osei bought nails from Brightside Hardware Supplies Derby. He left.", ORG, "Brightside Hardware Supplies Derby"},
		{"On 2 May 2024, Mr Osei bought bleach from Cooper's Norwich. He left.", ORG, "Cooper's Norwich"},
		// A plot ascribed to a group.
		{"Officers are believed to have disrupted a plot by the Silver Lantern.", ORG, "Silver Lantern"},
		// Hyphenated given names, written first or last.
		{"Min-seo Baek met Hwang Ji-woo in Leeds on 4 June 2024.", PER, "Min-seo Baek"},
		{"Min-seo Baek met Hwang Ji-woo in Leeds on 4 June 2024.", PER, "Hwang Ji-woo"},
		// A lone surname before a context only people take.
		{"Goods worth 400 pounds were taken. Okonjo was released on bail.", PER, "Okonjo"},
		// A place name of several words that the tagger cut.
		{"Ms Hale travelled from Newcastle upon Tyne to Oslo on 3 May 2024.", LOC, "Newcastle upon Tyne"},
		// A title word used as a surname in this text.
		{"It is assessed that Amina Sheikh is a member of the group. Sheikh spent several hours at a cafe.", PER, "Amina Sheikh"},
		{"It is assessed that Amina Sheikh is a member of the group. Sheikh spent several hours at a cafe.", PER, "Sheikh"},
		// A given name and a surname in capitals.
		{"On 2 May 2024, ADEBAYO OKONJO bought acetone from a shop in Leeds.", PER, "ADEBAYO OKONJO"},
	}
	for _, c := range cases {
		r := x.Extract(c.text, docDate)
		if find(r, c.typ, c.want) < 0 {
			var got []string
			for _, e := range r.Entities {
				got = append(got, e.Type+" "+e.Text)
			}
			t.Errorf("%q: want %s %q, got %q", c.text, c.typ, c.want, got)
		}
	}
	// People and places are not taken for shops or groups.
	negative := []struct{ text, typ, not string }{
		{"On 2 May 2024, Mr Osei bought a car from Daniel Brooks. He left.", ORG, "Daniel Brooks"},
		{"Nobody was arrested at the scene.", PER, "Nobody"},
		{"The Council was charged with the work.", PER, "Council"},
		{"The New York-based group said on Saturday it would appeal.", PER, "New York-based"},
		{"After bowling the visitors out on the opening morning at Grace Road, the hosts batted.", PER, "Grace Road"},
	}
	for _, c := range negative {
		r := x.Extract(c.text, docDate)
		if find(r, c.typ, c.not) >= 0 {
			t.Errorf("%q: found %s %q", c.text, c.typ, c.not)
		}
	}
}

func TestPersonLists(t *testing.T) {
	x := newX(t)
	text := "Reporting indicates that Tomasz Wrobel, Adaeze Nwosu, Kaito Mori and Lindiwe Dube are associated with the group."
	r := x.Extract(text, docDate)
	for _, n := range []string{"Tomasz Wrobel", "Adaeze Nwosu", "Kaito Mori", "Lindiwe Dube"} {
		if find(r, PER, n) < 0 {
			t.Errorf("want PER %q in %v", n, r.Entities)
		}
	}
}
