package resolve_test

import (
	"context"
	"os"
	"regexp"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/resolve/eval"
	"github.com/mosaic-intel/mosaic/internal/resolve/tabular"
	"github.com/mosaic-intel/mosaic/internal/shareddata"
)

// FebrlMapping is the field mapping used for the Febrl datasets (also in
// docs/benchmarks/resolve.md).
const febrlMapping = "id=rec_id,name=given_name+surname,dob=date_of_birth,id:ssn=soc_sec_id," +
	"address=street_number+address_1+address_2,attr:suburb=suburb,attr:postcode=postcode,attr:state=state"

var febrlTruth = regexp.MustCompile(`rec-(\d+)-`)

func readFebrl(t testing.TB, name string) *tabular.File {
	t.Helper()
	p := shareddata.Path(t, "data/er/febrl/"+name)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := tabular.ParseMapping(febrlMapping)
	if err != nil {
		t.Fatal(err)
	}
	file, err := tabular.Read(f, m, "", "rec_id")
	if err != nil {
		t.Fatal(err)
	}
	for id, v := range file.Truth {
		file.Truth[id] = febrlTruth.FindStringSubmatch(v)[1]
	}
	return file
}

func TestFebrlQuality(t *testing.T) {
	for _, name := range []string{"dataset1.csv", "dataset2.csv", "dataset3.csv"} {
		t.Run(name, func(t *testing.T) {
			file := readFebrl(t, name)
			e := resolve.New(resolve.Config{})
			if err := e.AddBatch(context.Background(), file.Records); err != nil {
				t.Fatal(err)
			}
			rep := eval.Compare(e.Clusters(), file.Truth)
			t.Logf("%s: %v", name, rep)
			if rep.Pairwise.F1 < 0.99 {
				t.Errorf("%s: pairwise F1 %.4f < 0.99", name, rep.Pairwise.F1)
			}
		})
	}
}
