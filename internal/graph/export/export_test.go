package export

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/graph"
)

func sample() graph.Subgraph {
	return graph.Subgraph{
		Nodes: []graph.NodeInfo{{ID: "ent-a", Type: mosaic.TypePerson, Caption: "Ann <&> \"Lee\""}, {ID: "ent-b", Type: mosaic.TypeOrganization}},
		Edges: []graph.EdgeInfo{{From: "ent-a", To: "ent-b", Type: "employs", Direction: "in", Evidence: []mosaic.ID{"st-1", "rec-2"},
			Confidence: 0.85, Start: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC), Marking: mosaic.NewMarking("ALPHA")}},
	}
}

func TestXMLFormats(t *testing.T) {
	for _, f := range []string{"graphml", "gexf"} {
		t.Run(f, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, f, sample()); err != nil {
				t.Fatal(err)
			}
			// Well-formed, with the escaped caption intact and the
			// directed edge written subject (b) -> object (a).
			var doc struct {
				Nodes []struct {
					ID    string `xml:"id,attr"`
					Label string `xml:"label,attr"`
					Data  []struct {
						Key string `xml:"key,attr"`
						V   string `xml:",chardata"`
					} `xml:"data"`
				} `xml:"graph>node"`
				GexfNodes []struct {
					Label string `xml:"label,attr"`
				} `xml:"graph>nodes>node"`
				Edges []struct {
					Source string `xml:"source,attr"`
					Target string `xml:"target,attr"`
				} `xml:"graph>edge"`
				GexfEdges []struct {
					Source string `xml:"source,attr"`
					Type   string `xml:"type,attr"`
				} `xml:"graph>edges>edge"`
			}
			if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatalf("%v\n%s", err, buf.String())
			}
			switch f {
			case "graphml":
				if len(doc.Nodes) != 2 || doc.Nodes[0].Data[0].V != `Ann <&> "Lee"` || len(doc.Edges) != 1 || doc.Edges[0].Source != "ent-b" {
					t.Fatalf("graphml parsed as %+v", doc)
				}
				if !strings.Contains(buf.String(), "st-1 rec-2") || !strings.Contains(buf.String(), "ALPHA") {
					t.Errorf("evidence or marking missing:\n%s", buf.String())
				}
			case "gexf":
				if len(doc.GexfNodes) != 2 || doc.GexfNodes[0].Label != `Ann <&> "Lee"` || doc.GexfNodes[1].Label != "ent-b" ||
					len(doc.GexfEdges) != 1 || doc.GexfEdges[0].Source != "ent-b" || doc.GexfEdges[0].Type != "directed" {
					t.Fatalf("gexf parsed as %+v", doc)
				}
			}
		})
	}
}

func TestCytoscape(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "cytoscape", sample()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Elements struct {
			Nodes []struct{ Data map[string]any }
			Edges []struct{ Data map[string]any }
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	e := doc.Elements.Edges[0].Data
	if len(doc.Elements.Nodes) != 2 || e["source"] != "ent-b" || e["target"] != "ent-a" || e["start"] != "2020-01-02" ||
		len(e["evidence"].([]any)) != 2 || e["marking"] != "ALPHA" {
		t.Fatalf("cytoscape: %s", buf.String())
	}
	if err := Write(&buf, "dot", sample()); err == nil {
		t.Error("unknown format accepted")
	}
}
