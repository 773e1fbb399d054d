// Package export writes graph query results (a graph.Subgraph) in the
// formats analysts load into other tools: GraphML, GEXF 1.3 (Gephi) and
// Cytoscape.js JSON. Directed edges are written subject → object; evidence
// ids are written space-separated.
package export

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/graph"
)

// Formats lists the format names Write accepts.
var Formats = []string{"graphml", "gexf", "cytoscape"}

// Write writes sg to w in the named format.
func Write(w io.Writer, format string, sg graph.Subgraph) error {
	switch strings.ToLower(format) {
	case "graphml":
		return GraphML(w, sg)
	case "gexf":
		return GEXF(w, sg)
	case "cytoscape", "cyjs", "json":
		return Cytoscape(w, sg)
	}
	return fmt.Errorf("export: unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// oriented returns the edge's source and target (subject first when
// directed) and whether it is directed.
func oriented(e graph.EdgeInfo) (src, dst mosaic.ID, directed bool) {
	switch e.Direction {
	case "out":
		return e.From, e.To, true
	case "in":
		return e.To, e.From, true
	}
	return e.From, e.To, false
}

func ids(xs []mosaic.ID) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, " ")
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

type gmlData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

type gmlKey struct {
	ID   string `xml:"id,attr"`
	For  string `xml:"for,attr"`
	Name string `xml:"attr.name,attr"`
	Type string `xml:"attr.type,attr"`
}

type gmlNode struct {
	ID   string    `xml:"id,attr"`
	Data []gmlData `xml:"data"`
}

type gmlEdge struct {
	ID       string    `xml:"id,attr"`
	Source   string    `xml:"source,attr"`
	Target   string    `xml:"target,attr"`
	Directed bool      `xml:"directed,attr"`
	Data     []gmlData `xml:"data"`
}

type gmlDoc struct {
	XMLName xml.Name  `xml:"graphml"`
	XMLNS   string    `xml:"xmlns,attr"`
	Keys    []gmlKey  `xml:"key"`
	Graph   gmlGraphT `xml:"graph"`
}

type gmlGraphT struct {
	ID          string    `xml:"id,attr"`
	EdgeDefault string    `xml:"edgedefault,attr"`
	Nodes       []gmlNode `xml:"node"`
	Edges       []gmlEdge `xml:"edge"`
}

func data(kv ...string) []gmlData {
	var out []gmlData
	for _, p := range nonEmpty(kv) {
		out = append(out, gmlData{p[0], p[1]})
	}
	return out
}

func values(kv ...string) []gexfValue {
	var out []gexfValue
	for _, p := range nonEmpty(kv) {
		out = append(out, gexfValue{p[0], p[1]})
	}
	return out
}

// nonEmpty pairs up key, value, key, value... keeping non-empty values.
func nonEmpty(kv []string) [][2]string {
	var out [][2]string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			out = append(out, [2]string{kv[i], kv[i+1]})
		}
	}
	return out
}

// GraphML writes sg as GraphML.
func GraphML(w io.Writer, sg graph.Subgraph) error {
	doc := gmlDoc{XMLNS: "http://graphml.graphdrawing.org/xmlns", Keys: []gmlKey{
		{"label", "node", "label", "string"}, {"ntype", "node", "type", "string"}, {"nmarking", "node", "marking", "string"},
		{"etype", "edge", "type", "string"}, {"evidence", "edge", "evidence", "string"}, {"confidence", "edge", "confidence", "double"},
		{"start", "edge", "start", "string"}, {"end", "edge", "end", "string"}, {"emarking", "edge", "marking", "string"},
	}, Graph: gmlGraphT{ID: "mosaic", EdgeDefault: "undirected"}}
	for _, n := range sg.Nodes {
		doc.Graph.Nodes = append(doc.Graph.Nodes, gmlNode{ID: string(n.ID),
			Data: data("label", n.Caption, "ntype", string(n.Type), "nmarking", n.Marking.String())})
	}
	for i, e := range sg.Edges {
		s, t, dir := oriented(e)
		doc.Graph.Edges = append(doc.Graph.Edges, gmlEdge{ID: "e" + strconv.Itoa(i), Source: string(s), Target: string(t), Directed: dir,
			Data: data("etype", e.Type, "evidence", ids(e.Evidence), "confidence", strconv.FormatFloat(e.Confidence, 'g', -1, 64),
				"start", date(e.Start), "end", date(e.End), "emarking", e.Marking.String())})
	}
	return writeXML(w, doc)
}

func writeXML(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

type gexfAttr struct {
	ID    string `xml:"id,attr"`
	Title string `xml:"title,attr"`
	Type  string `xml:"type,attr"`
}

type gexfAttrs struct {
	Class string     `xml:"class,attr"`
	Attrs []gexfAttr `xml:"attribute"`
}

type gexfValue struct {
	For   string `xml:"for,attr"`
	Value string `xml:"value,attr"`
}

type gexfNode struct {
	ID     string      `xml:"id,attr"`
	Label  string      `xml:"label,attr"`
	Values []gexfValue `xml:"attvalues>attvalue,omitempty"`
}

type gexfEdge struct {
	ID     string      `xml:"id,attr"`
	Source string      `xml:"source,attr"`
	Target string      `xml:"target,attr"`
	Type   string      `xml:"type,attr"`
	Label  string      `xml:"label,attr"`
	Weight float64     `xml:"weight,attr"`
	Values []gexfValue `xml:"attvalues>attvalue,omitempty"`
}

type gexfDoc struct {
	XMLName xml.Name `xml:"gexf"`
	XMLNS   string   `xml:"xmlns,attr"`
	Version string   `xml:"version,attr"`
	Graph   struct {
		DefaultEdgeType string      `xml:"defaultedgetype,attr"`
		Mode            string      `xml:"mode,attr"`
		Attributes      []gexfAttrs `xml:"attributes"`
		Nodes           []gexfNode  `xml:"nodes>node"`
		Edges           []gexfEdge  `xml:"edges>edge"`
	} `xml:"graph"`
}

// GEXF writes sg as GEXF 1.3, the format Gephi reads natively.
func GEXF(w io.Writer, sg graph.Subgraph) error {
	doc := gexfDoc{XMLNS: "http://gexf.net/1.3", Version: "1.3"}
	doc.Graph.DefaultEdgeType, doc.Graph.Mode = "undirected", "static"
	doc.Graph.Attributes = []gexfAttrs{
		{Class: "node", Attrs: []gexfAttr{{"type", "type", "string"}, {"marking", "marking", "string"}}},
		{Class: "edge", Attrs: []gexfAttr{{"evidence", "evidence", "string"}, {"start", "start", "string"},
			{"end", "end", "string"}, {"marking", "marking", "string"}}},
	}
	for _, n := range sg.Nodes {
		label := n.Caption
		if label == "" {
			label = string(n.ID)
		}
		doc.Graph.Nodes = append(doc.Graph.Nodes, gexfNode{ID: string(n.ID), Label: label,
			Values: values("type", string(n.Type), "marking", n.Marking.String())})
	}
	for i, e := range sg.Edges {
		s, t, dir := oriented(e)
		typ := "undirected"
		if dir {
			typ = "directed"
		}
		doc.Graph.Edges = append(doc.Graph.Edges, gexfEdge{ID: "e" + strconv.Itoa(i), Source: string(s), Target: string(t), Type: typ,
			Label: e.Type, Weight: e.Confidence,
			Values: values("evidence", ids(e.Evidence), "start", date(e.Start), "end", date(e.End), "marking", e.Marking.String())})
	}
	return writeXML(w, doc)
}

type cyElement struct {
	Data map[string]any `json:"data"`
}

// Cytoscape writes sg as Cytoscape.js JSON ({"elements": {"nodes": [...],
// "edges": [...]}}), which Cytoscape desktop also imports.
func Cytoscape(w io.Writer, sg graph.Subgraph) error {
	var doc struct {
		Elements struct {
			Nodes []cyElement `json:"nodes"`
			Edges []cyElement `json:"edges"`
		} `json:"elements"`
	}
	doc.Elements.Nodes = []cyElement{}
	doc.Elements.Edges = []cyElement{}
	for _, n := range sg.Nodes {
		d := map[string]any{"id": n.ID, "label": n.Caption, "type": n.Type}
		if len(n.Marking) > 0 {
			d["marking"] = n.Marking.String()
		}
		doc.Elements.Nodes = append(doc.Elements.Nodes, cyElement{d})
	}
	for i, e := range sg.Edges {
		s, t, dir := oriented(e)
		d := map[string]any{"id": "e" + strconv.Itoa(i), "source": s, "target": t, "type": e.Type, "directed": dir,
			"evidence": e.Evidence, "confidence": e.Confidence}
		if ds := date(e.Start); ds != "" {
			d["start"] = ds
		}
		if de := date(e.End); de != "" {
			d["end"] = de
		}
		if len(e.Marking) > 0 {
			d["marking"] = e.Marking.String()
		}
		doc.Elements.Edges = append(doc.Elements.Edges, cyElement{d})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
