package access

import (
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
)

func TestCan(t *testing.T) {
	alpha := mosaic.Principal{Name: "a", Clearances: mosaic.NewMarking("ALPHA")}
	ab := mosaic.Principal{Name: "ab", Clearances: mosaic.NewMarking("beta", "alpha", "gamma")}
	none := mosaic.Principal{Name: "n"}
	tests := []struct {
		p    mosaic.Principal
		m    mosaic.Marking
		want bool
	}{
		{none, nil, true},
		{none, mosaic.NewMarking("ALPHA"), false},
		{alpha, mosaic.NewMarking("ALPHA"), true},
		{alpha, mosaic.NewMarking("ALPHA", "BETA"), false},
		{ab, mosaic.NewMarking("ALPHA", "BETA"), true},
		{ab, mosaic.NewMarking("ALPHA", "DELTA"), false},
		{ab, mosaic.NewMarking("GAMMA"), true},
		{Local(), mosaic.NewMarking("ANYTHING", "AT", "ALL"), true},
	}
	for i, tt := range tests {
		if got := Can(tt.p, tt.m); got != tt.want {
			t.Errorf("%d: Can(%v, %v) = %v, want %v", i, tt.p.Clearances, tt.m, got, tt.want)
		}
	}
}

func TestFilter(t *testing.T) {
	p := mosaic.Principal{Clearances: mosaic.NewMarking("A")}
	xs := []mosaic.Marking{nil, mosaic.NewMarking("A"), mosaic.NewMarking("B"), mosaic.NewMarking("A", "B")}
	got := Filter(p, xs, func(m mosaic.Marking) mosaic.Marking { return m })
	if len(got) != 2 {
		t.Fatalf("Filter kept %d, want 2: %v", len(got), got)
	}
}
