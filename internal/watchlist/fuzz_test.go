package watchlist

import (
	"bytes"
	"context"
	"os"
	"testing"
)

func seed(f *testing.F, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
}

// checkResult asserts what every parser promises whatever its input.
func checkResult(t *testing.T, res Result) {
	for _, e := range res.Entries {
		if e.EntryID == "" || len(e.Names) == 0 {
			t.Fatalf("entry without id or name: %+v", e)
		}
		for _, n := range e.Names {
			if n.Value == "" {
				t.Fatalf("empty name in %+v", e)
			}
		}
	}
	for _, p := range res.Problems {
		if p.Reason == "" || p.File == "" {
			t.Fatalf("problem without file or reason: %+v", p)
		}
	}
}

func FuzzParseUN(f *testing.F) {
	seed(f, "testdata/sample_un.xml")
	f.Add([]byte("<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := ParseUN(context.Background(), bytes.NewReader(b), "f.xml")
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, res)
	})
}

func FuzzParseOFAC(f *testing.F) {
	sdn, _ := os.ReadFile("testdata/ofac/sdn.csv")
	alt, _ := os.ReadFile("testdata/ofac/alt.csv")
	f.Add(sdn, alt)
	f.Fuzz(func(t *testing.T, sdn, alt []byte) {
		res, err := ParseOFAC(context.Background(), OFACFiles{SDN: bytes.NewReader(sdn), Alt: bytes.NewReader(alt), Add: bytes.NewReader(alt), SDNName: "sdn.csv", AltName: "alt.csv", AddName: "add.csv"})
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, res)
	})
}

func FuzzParseFTM(f *testing.F) {
	seed(f, "testdata/sample.ftm.jsonl")
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := ParseFTM(context.Background(), bytes.NewReader(b), "f.jsonl", "l")
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, res)
	})
}

func FuzzParseCSV(f *testing.F) {
	seed(f, "testdata/sample.csv")
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := ParseCSV(context.Background(), bytes.NewReader(b), "f.csv", "l", DefaultMapping())
		if err != nil {
			return // a bad header is an error by design
		}
		checkResult(t, res)
	})
}
