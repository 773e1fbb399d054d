package extract

import (
	"regexp"

	"strings"
	"time"

	"github.com/mosaic-intel/mosaic/internal/extract/rules"
)

// eventTriggers maps lower-case trigger words to event types.
var eventTriggers = map[string]string{
	"attack": EventAttack, "attacks": EventAttack, "attacked": EventAttack, "bombing": EventAttack,
	"bombings": EventAttack, "bombed": EventAttack, "explosion": EventAttack, "blast": EventAttack,
	"shooting": EventAttack, "stabbing": EventAttack, "massacre": EventAttack, "massacres": EventAttack,
	"atrocity": EventAttack, "atrocities": EventAttack, "rampage": EventAttack, "ambush": EventAttack,
	"foiled": EventPlotFoiled, "thwarted": EventPlotFoiled, "disrupted": EventPlotFoiled, "averted": EventPlotFoiled,
	"foil": EventPlotFoiled, "thwart": EventPlotFoiled, "prevented": EventPlotFoiled, "stopped": EventPlotFoiled,
	"arrested": EventArrest, "arrest": EventArrest, "arrests": EventArrest, "detained": EventArrest, "captured": EventArrest,
	"travelled": EventTravel, "traveled": EventTravel, "travelling": EventTravel, "traveling": EventTravel,
	"flew": EventTravel, "journeyed": EventTravel, "returned": EventTravel, "returning": EventTravel,
	"deployed": EventDeployment, "deployment": EventDeployment, "deploying": EventDeployment, "deploy": EventDeployment,
	"dispatched": EventDeployment, "sent": EventDeployment, "stationed": EventDeployment,
}

const countPat = `(\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty)`

var figurePats = []struct {
	key string
	re  *regexp.Regexp
}{
	{"killed", regexp.MustCompile(`(?i)\b(?:killing|killed|kills|murdering|left)\s+(?:at\s+least\s+|more\s+than\s+|about\s+|some\s+|nearly\s+|almost\s+)?` + countPat + `\b(?:\s+(?:people|dead|victims|civilians))?`)},
	{"killed", regexp.MustCompile(`(?i)\b` + countPat + `\s+(?:(?:people|persons|victims|civilians|others|more|children|officers)\s+){0,2}(?:were\s+|was\s+|have\s+been\s+|had\s+been\s+|are\s+)?(?:killed|dead|died|murdered)\b`)},
	{"injured", regexp.MustCompile(`(?i)\b(?:injuring|wounding|injured|wounded)\s+(?:at\s+least\s+|more\s+than\s+|about\s+|some\s+|nearly\s+)?` + countPat + `\b`)},
	{"injured", regexp.MustCompile(`(?i)\b` + countPat + `\s+(?:(?:people|persons|victims|civilians|others|more|children|officers)\s+){0,2}(?:were\s+|was\s+|have\s+been\s+|had\s+been\s+)?(?:injured|wounded|hurt)\b`)},
	{"plots", regexp.MustCompile(`(?i)\b` + countPat + `\s+(?:[\p{L}\-]+\s+){0,3}(?:plots?|attacks?)\s+(?:[\p{L}]+\s+){0,3}(?:foiled|thwarted|disrupted|stopped|prevented|averted)\b`)},
	{"plots", regexp.MustCompile(`(?i)\b(?:foiled|thwarted|disrupted|stopped|prevented|averted)\s+(?:at\s+least\s+|more\s+than\s+|some\s+)?` + countPat + `\s+(?:[\p{L}\-]+\s+){0,2}(?:plots?|attacks?)\b`)},
}

// findEvents finds at most one event of each type per sentence, from the
// first trigger word, with the sentence's date, nearest place, the people
// and groups named in it, and figures (killed, injured, plots).
func (d *doc) findEvents() {
	ents := d.res.Entities
	bySent := make([][]int, len(d.sents))
	for i, e := range ents {
		if e.Sentence >= 0 && e.Sentence < len(bySent) {
			bySent[e.Sentence] = append(bySent[e.Sentence], i)
		}
	}
	for si, s := range d.sents {
		sentText := d.text[s.Start:s.End]
		lower := strings.ToLower(sentText)
		hasPlot := strings.Contains(lower, "plot") || strings.Contains(lower, "attack")
		hasTroops := strings.Contains(lower, "troops") || strings.Contains(lower, "soldiers") || strings.Contains(lower, "forces") || strings.Contains(lower, "personnel")
		found := map[string]int{} // type -> trigger token
		order := []string{}
		for t := s.First; t < s.Last; t++ {
			w := strings.ToLower(d.toks[t].Text)
			typ, ok := eventTriggers[w]
			if !ok {
				continue
			}
			if typ == EventPlotFoiled && !hasPlot {
				continue
			}
			if w == "sent" && !hasTroops {
				continue
			}
			if _, ok := found[typ]; !ok {
				found[typ] = t
				order = append(order, typ)
			}
		}
		// An attack that was foiled is the plot, not an attack.
		if _, ok := found[EventPlotFoiled]; ok {
			delete(found, EventAttack)
		}
		if len(found) == 0 {
			continue
		}
		figs := map[string]int{}
		for _, fp := range figurePats {
			if _, ok := figs[fp.key]; ok {
				continue
			}
			if m := fp.re.FindStringSubmatch(sentText); m != nil {
				if n, ok := rules.ParseCount(m[1]); ok {
					figs[fp.key] = n
				}
			}
		}
		for _, typ := range order {
			t, ok := found[typ]
			if !ok {
				continue
			}
			tr := d.toks[t]
			ev := Event{Type: typ, Trigger: Span{tr.Start, tr.End}, Place: -1, Evidence: Span(s.Span)}
			bestDate, bestPlace := -1, -1
			for _, k := range bySent[si] {
				e := ents[k]
				switch e.Type {
				case DATE:
					if e.Normalized != "" && (bestDate < 0 || dist(e.Span, tr.Start) < dist(ents[bestDate].Span, tr.Start)) {
						bestDate = k
					}
				case LOC:
					if bestPlace < 0 || dist(e.Span, tr.Start) < dist(ents[bestPlace].Span, tr.Start) {
						bestPlace = k
					}
				case PER, ORG:
					ev.Participants = append(ev.Participants, k)
				}
			}
			if bestDate >= 0 {
				ev.Date = ents[bestDate].Normalized
			}
			ev.Place = bestPlace
			for key, n := range figs {
				if key == "plots" && typ != EventPlotFoiled {
					continue
				}
				if (key == "killed" || key == "injured") && typ != EventAttack {
					continue
				}
				if ev.Figures == nil {
					ev.Figures = map[string]int{}
				}
				ev.Figures[key] = n
			}
			d.res.Events = append(d.res.Events, ev)
		}
	}
}

func dist(s Span, off int) int {
	switch {
	case off < s.Start:
		return s.Start - off
	case off >= s.End:
		return off - s.End
	}
	return 0
}

var relDateRe = regexp.MustCompile(`(?i)^` + `(\S+(?: few| couple of)?)\s+(days?|weeks?|months?|years?)\s+(before|after)$`)

// anchorRelativeDates resolves "eight months before the attack" against
// the date of the attack named in the document.
func (d *doc) anchorRelativeDates() {
	var anchor time.Time
	for _, ev := range d.res.Events {
		if ev.Type != EventAttack || ev.Date == "" {
			continue
		}
		for _, layout := range []string{"2006-01-02", "2006-01"} {
			if t, err := time.Parse(layout, ev.Date); err == nil {
				anchor = t
				break
			}
		}
		if !anchor.IsZero() {
			break
		}
	}
	if anchor.IsZero() {
		return
	}
	for i := range d.res.Entities {
		e := &d.res.Entities[i]
		if e.Type != DATE || e.Normalized != "" {
			continue
		}
		m := relDateRe.FindStringSubmatch(e.Text)
		if m == nil {
			continue
		}
		rest := strings.ToLower(d.text[e.End:min(len(d.text), e.End+30)])
		if !strings.Contains(rest, "attack") && !strings.Contains(rest, "bombing") {
			continue
		}
		n, ok := rules.ParseCount(m[1])
		if !ok {
			continue
		}
		if strings.EqualFold(m[3], "before") {
			n = -n
		}
		e.Normalized = rules.Shift(anchor, n, m[2])
	}

}
