package genworld

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/resolve/eval"
)

// Bounds are upper bounds on what any resolver can reach on a world, from
// its truth: what is resolvable in principle.
type Bounds struct {
	// Evidence clusters each person's mentions by the values they share
	// (dates of birth, identifiers, addresses, exactly as written, phones
	// by their last nine digits); a phone held by more than one person
	// (a household's or a cell's) links nothing. Mentions linked to the
	// rest of their person by nothing but the name stay apart.
	Evidence eval.Report
	// UniqueName also joins all of a person's mentions (but those whose
	// only evidence is a shared phone) when no other person in the
	// population bears the same full name: the most a resolver could do
	// on names, since a name borne by two people cannot tell a mention
	// carrying nothing else which one it is.
	UniqueName eval.Report
}

// ReadNames reads the full names of a world's people (truth/people.csv).
func ReadNames(dir string) (map[string]string, error) {
	f, err := os.Open(filepath.Join(dir, "truth/people.csv"))
	if err != nil {
		return nil, fmt.Errorf("genworld: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("genworld: people: %w", err)
	}
	id, name := -1, -1
	for i, h := range head {
		switch h {
		case "person_id":
			id = i
		case "full_name":
			name = i
		}
	}
	if id < 0 || name < 0 {
		return nil, fmt.Errorf("genworld: people.csv lacks person_id or full_name")
	}
	out := map[string]string{}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("genworld: people: %w", err)
		}
		out[row[id]] = row[name]
	}
}

// evidenceValues returns the values a record could be linked by.
func evidenceValues(r *resolve.Record) []string {
	var out []string
	for _, d := range r.BirthDates {
		out = append(out, "dob:"+d)
	}
	for kind, vs := range r.Identifiers {
		for _, v := range vs {
			if kind == "phone" {
				var b []byte
				for i := 0; i < len(v); i++ {
					if v[i] >= '0' && v[i] <= '9' {
						b = append(b, v[i])
					}
				}
				if len(b) > 9 {
					b = b[len(b)-9:]
				}
				out = append(out, "phone:"+string(b))
				continue
			}
			out = append(out, kind+":"+strings.ToLower(v))
		}
	}
	for _, a := range r.Addresses {
		out = append(out, "addr:"+strings.ToLower(a))
	}
	return out
}

// Oracle computes the bounds of w; names are the people's full names.
func Oracle(w *World, names map[string]string) Bounds {
	// Who holds each phone.
	holders := map[string]map[string]bool{}
	ev := make([][]string, len(w.Records))
	for i := range w.Records {
		ev[i] = evidenceValues(&w.Records[i])
		for _, v := range ev[i] {
			if strings.HasPrefix(v, "phone:") {
				if holders[v] == nil {
					holders[v] = map[string]bool{}
				}
				holders[v][w.Truth[w.Records[i].ID]] = true
			}
		}
	}
	// Union-find over records, within each person, by shared values.
	parent := make([]int, len(w.Records))
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	first := map[[2]string]int{} // (person, value) -> first record
	shared := make([]bool, len(w.Records))
	for i := range w.Records {
		p := w.Truth[w.Records[i].ID]
		usable := 0
		for _, v := range ev[i] {
			if strings.HasPrefix(v, "phone:") && len(holders[v]) > 1 {
				continue
			}
			usable++
			k := [2]string{p, v}
			if j, ok := first[k]; ok {
				parent[find(i)] = find(j)
			} else {
				first[k] = i
			}
		}
		shared[i] = usable == 0 && len(w.Records[i].Names) == 0
	}
	count := map[string]int{}
	for _, n := range names {
		count[strings.ToLower(n)]++
	}
	evidence, unique := map[string]string{}, map[string]string{}
	for i, r := range w.Records {
		p := w.Truth[r.ID]
		c := fmt.Sprintf("%s/%d", p, find(i))
		evidence[r.ID] = c
		unique[r.ID] = c
		if !shared[i] && count[strings.ToLower(names[p])] == 1 {
			unique[r.ID] = p
		}
	}
	return Bounds{Evidence: eval.Compare(evidence, w.Truth), UniqueName: eval.Compare(unique, w.Truth)}
}
