package graph

import (
	"fmt"
	"math"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
)

func TestMarkingOverflowFailsClosed(t *testing.T) {
	v := newVocab()
	for i := len(v.marks); i < math.MaxUint16; i++ {
		v.mark(mosaic.NewMarking(fmt.Sprint("L", i)))
	}
	id := v.mark(mosaic.NewMarking("ONE-TOO-MANY"))
	p := mosaic.Principal{Clearances: mosaic.NewMarking("ONE-TOO-MANY")}
	if access.Can(p, v.marks[id]) {
		t.Fatalf("overflowing marking maps to %v, visible to a caller cleared only for the new label", v.marks[id])
	}
	if len(v.marks) != math.MaxUint16 {
		t.Fatalf("%d markings", len(v.marks))
	}
}

func TestDayAndSpanEncoding(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2024-02-29", "2024-02-29"}, {"1900-01-02", "1900-01-02"}, {"1850-06-01", "1900-01-02"}, {"2100-01-01", "2079-06-06"},
	}
	for _, tt := range tests {
		if got := fromDay(toDay(day(tt.in))).Format("2006-01-02"); got != tt.want {
			t.Errorf("%s -> %s, want %s", tt.in, got, tt.want)
		}
	}
	// Reversed spans are put in order; joining keeps the widest.
	s := packSpan(day("2021-01-01"), day("2020-01-01"))
	if uint16(s>>16) != toDay(day("2020-01-01")) {
		t.Errorf("reversed span not ordered")
	}
	j := joinSpan(packSpan(day("2020-05-01"), time.Time{}), packSpan(day("2019-01-01"), day("2020-02-01")))
	if fromDay(uint16(j>>16)) != day("2019-01-01") || fromDay(uint16(j)) != day("2020-02-01") {
		t.Errorf("join = %v..%v", fromDay(uint16(j>>16)), fromDay(uint16(j)))
	}
}
