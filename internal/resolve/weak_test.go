package resolve

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func withAddr(r Record, addr string) Record {
	r.Addresses = []string{addr}
	return r
}

func batch(t *testing.T, recs ...Record) *Engine {
	t.Helper()
	e := New(Config{})
	if err := e.AddBatch(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	return e
}

func sameCluster(t *testing.T, e *Engine, a, b string) bool {
	t.Helper()
	ca, err := e.Cluster(a)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := e.Cluster(b)
	if err != nil {
		t.Fatal(err)
	}
	return ca == cb
}

func TestHouseholdIsNotOnePerson(t *testing.T) {
	// Partners share a phone, an address and a surname; their given
	// names differ, and that is what tells them apart.
	for _, tc := range []struct {
		name  string
		a, b  Record
		apart bool
	}{
		{"partners", withAddr(person("a", "Olivia Owen", "", "phone=07700 900123"), "12 Mill Lane, Leeds"),
			withAddr(person("b", "Richard Owen", "", "phone=+447700900123"), "12 Mill Lane, Leeds"), true},
		{"initial of the other partner", withAddr(person("a", "Suresh N. Dhillon", "", "phone=07700 900124"), "3 Park Road, Derby"),
			withAddr(person("b", "Neha Dhillon", "", "phone=07700 900124"), "3 Park Road, Derby"), true},
		{"one person, nickname", withAddr(person("a", "William Owen", "", "phone=07700 900125"), "12 Mill Lane, Leeds"),
			withAddr(person("b", "Bill Owen", "", "phone=+447700900125"), "12 Mill Lane, Leeds"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Config{})
			mustAdd(t, e, tc.a)
			mustAdd(t, e, tc.b)
			x, _ := e.Explain("a", "b")
			if apart := !sameCluster(t, e, "a", "b"); apart != tc.apart {
				t.Errorf("apart = %v, want %v: %v", apart, tc.apart, x)
			}
		})
	}
}

func TestWeakLinkNeedsExclusiveName(t *testing.T) {
	// A customer record (phone) and a passenger record (date of birth)
	// share only the name: one bearer of the name, one person.
	cust := person("cust", "Roberta Giorgia Greco", "", "phone=07700 900200")
	pax := person("pax", "GRECO/ROBERTA GIORGIA", "1980-02-03", "passport=YA1234567")
	e := batch(t, cust, pax)
	if !sameCluster(t, e, "cust", "pax") {
		x, _ := e.Explain("cust", "pax")
		t.Fatalf("exclusive weak link not joined: %v", x)
	}
	// A second Roberta Giorgia Greco, born another day: the customer
	// could be either.
	other := person("pax2", "Roberta Giorgia Greco", "1991-11-30", "passport=ZB7654321")
	e = batch(t, cust, pax, other)
	if sameCluster(t, e, "cust", "pax") || sameCluster(t, e, "cust", "pax2") || sameCluster(t, e, "pax", "pax2") {
		t.Fatalf("ambiguous weak link joined: %v", e.ClusterList())
	}
	x, _ := e.Explain("cust", "pax")
	if x.Link != "weak" || x.Exclusive || !slices.Contains(x.Alternatives, "pax2") || !strings.Contains(x.String(), "ambiguous") {
		t.Errorf("explanation does not name the rival: %+v", x)
	}
	// Name-only records of a name borne by two known people stay apart.
	buyer := person("buyer", "Roberta Greco", "")
	e = batch(t, cust, pax, other, buyer)
	if c, _ := e.Members("buyer"); len(c) != 1 {
		t.Errorf("name-only record joined %v", c)
	}
}

func TestOrganisationsApartDespiteGenericAlias(t *testing.T) {
	org := func(id string, names ...string) Record {
		return Record{ID: id, Type: TypeOrganization, Names: names}
	}
	e := batch(t,
		org("london", "London Farm Stores", "Farm Stores"),
		org("swindon", "Swindon Farm Stores", "Farm Stores"),
		org("seller", "London Farm Stores"),
		org("ltd", "Riverside Removals Ltd", "Riverside Removals", "RR Ltd"),
		org("limited", "Riverside Removals Limited"),
	)
	if sameCluster(t, e, "london", "swindon") {
		x, _ := e.Explain("london", "swindon")
		t.Errorf("shops of two towns merged on a shared generic alias: %v", x)
	}
	if !sameCluster(t, e, "london", "seller") {
		x, _ := e.Explain("london", "seller")
		t.Errorf("seller not joined to its shop: %v", x)
	}
	if !sameCluster(t, e, "ltd", "limited") {
		x, _ := e.Explain("ltd", "limited")
		t.Errorf("legal forms kept a company apart: %v", x)
	}
}

func TestNameLevels(t *testing.T) {
	e := New(Config{})
	for _, tc := range []struct {
		a, b string
		want int8
	}{
		{"Mohammed Hassan", "Muhammad Hasan", nameExact},
		{"Harry Baker", "Harrison Baker", nameVariant}, // nickname of several names
		{"Harry Baker", "Henry Baker", nameVariant},
		{"Bayo Eze", "Adebayo Eze", nameExact},      // listed short form
		{"Chiso Eze", "Chisomaga Eze", nameSimilar}, // unlisted short form
		{"Xasan Cali Guled", "Hassan Ali", nameMissing},
		{"E. Baker", "Harrison Baker", nameConflict},
		{"Suresh N. Dhillon", "Neha Dhillon", nameConflict},
		{"Olivia Owen", "Richard Owen", nameConflict},
		{"Eun-ji Park", "Burak Kaya", nameDiffers},
		{"Hassan Darwish", "Hussein Darwish", nameConflict}, // listed as different names
		{"J. R. Smith", "John Smith", nameSimilar},
	} {
		ra, rb := person("a-"+tc.a, tc.a, ""), person("b-"+tc.b, tc.b, "")
		na, nb := normalize(&ra, e.cfg.Namer), normalize(&rb, e.cfg.Namer)
		pa, pb := e.intern(&na), e.intern(&nb)
		if got, _, _ := e.nameLevel(&pa.names[0], &pb.names[0]); got != tc.want {
			t.Errorf("%q ~ %q: level %d (%s), want %d (%s)", tc.a, tc.b, got, kindLevels[kindName][got], tc.want, kindLevels[kindName][tc.want])
		}
	}
}
