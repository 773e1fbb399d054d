package httpapi

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
)

// handed records the ranges an ingester handed to the pipeline, and the
// holds of urgent work around them.
type handed struct {
	mu             sync.Mutex
	ranges         []store.Range
	held, released int
	heldAtSubmit   bool
}

func (h *handed) hold() func() {
	h.mu.Lock()
	h.held++
	h.mu.Unlock()
	return func() { h.mu.Lock(); h.released++; h.mu.Unlock() }
}

func (h *handed) Submit(_ context.Context, rs []store.Range) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ranges = append(h.ranges, rs...)
	h.heldAtSubmit = h.held > h.released
	return nil
}

func newIngestServer(t *testing.T, maxBytes int64) (*httptest.Server, store.Store, *handed) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sub := &handed{}
	api := New(Config{Store: st})
	api.HandleIngest(IngestConfig{MaxBytes: maxBytes, SpoolDir: t.TempDir(), Hold: sub.hold, Ingester: func(o ingest.Options) *ingest.Ingester {
		o.IndexBehind = true
		return ingest.New(st, sub, o)
	}})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv, st, sub
}

// postRaw posts body to url and decodes the JSON answer into out.
func postRaw(t *testing.T, url, body string, hdr map[string]string, out any) int {
	t.Helper()
	return call(t, "POST", url, strings.NewReader(body), hdr, out)
}

const travelCSV = `record_id,passenger_name,date_of_birth,document_number,document_country,carrier,flight,from,to,date,booking_reference,contact_phone,contact_email
TRV-1,Ana Lima,1980-01-02,123456789,PRT,Eastgate Airlines,E1,LHR,IST,2025-02-20,ABCDEF,,
TRV-2,Bo Chen,1981-03-04
TRV-3,Ivan Petrov,1979-05-06,987654321,GBR,Sunward,W2,GLA,TUN,2025-04-18,GHIJKL,,
`

// TestIngestUpload: an upload is stored with the name its sender gave it
// as provenance, handed to the pipeline, and a broken row is rejected
// with where and why while the rest is stored.
func TestIngestUpload(t *testing.T) {
	srv, st, sub := newIngestServer(t, 0)
	var sum ingest.Summary
	if code := postRaw(t, srv.URL+"/api/v1/ingest?name=feeds/records/travel.csv", travelCSV, nil, &sum); code != 200 {
		t.Fatalf("status %d: %+v", code, sum)
	}
	if sum.Records != 2 || sum.Added != 2 || len(sum.Rejected) != 1 || !strings.HasPrefix(sum.Rejected[0], "feeds/records/travel.csv:3") {
		t.Fatalf("summary %+v: want 2 records added and row 3 rejected", sum)
	}
	items, err := st.ItemsInRange(context.Background(), pipeline.System, store.Range{Lo: 1, Hi: sum.LastSeq})
	if err != nil || len(items) != 2 {
		t.Fatalf("stored %d items, %v", len(items), err)
	}
	for _, it := range items {
		if it.Record == nil || it.Record.Kind != mosaic.KindTravel || !strings.HasPrefix(it.Record.Locator, "feeds/records/travel.csv:") {
			t.Errorf("stored %+v: want a travel record located in the upload", it.Record)
		}
	}
	if got := pipeline.Covered(store.MergeRanges(sub.ranges), sum.LastSeq); got != 2 {
		t.Errorf("handed %d items to the pipeline, want 2", got)
	}
	if sub.held != 1 || sub.released != 1 || !sub.heldAtSubmit {
		t.Errorf("held %d, released %d, held while handing to the pipeline %v: want the upload stored as urgent work", sub.held, sub.released, sub.heldAtSubmit)
	}
	// The same upload again adds nothing.
	var again ingest.Summary
	postRaw(t, srv.URL+"/api/v1/ingest?name=feeds/records/travel.csv", travelCSV, nil, &again)
	if again.Added != 0 || again.Duplicates != 2 {
		t.Errorf("second upload %+v: want 2 duplicates", again)
	}
}

// TestIngestUploadMappingAndMarking: ?mapping= applies a mapping whatever
// the name; ?marking= marks every item, and only a caller holding the
// labels may use it.
func TestIngestUploadMappingAndMarking(t *testing.T) {
	srv, st, _ := newIngestServer(t, 0)
	var sum ingest.Summary
	if code := postRaw(t, srv.URL+"/api/v1/ingest?name=upload.csv&mapping=travel&marking=SIGINT", travelCSV, nil, &sum); code != 200 || sum.Added != 2 {
		t.Fatalf("status %d, summary %+v", code, sum)
	}
	items, err := st.ItemsInRange(context.Background(), pipeline.System, store.Range{Lo: 1, Hi: sum.LastSeq})
	if err != nil || len(items) != 2 {
		t.Fatalf("stored %d items, %v", len(items), err)
	}
	for _, it := range items {
		if !slices.Contains(it.Marking, "SIGINT") {
			t.Errorf("item marked %v: want SIGINT among its labels", it.Marking)
		}
	}
	var e ErrorBody
	if code := postRaw(t, srv.URL+"/api/v1/ingest?name=upload.csv&mapping=travel&marking=SIGINT", travelCSV, map[string]string{"X-Mosaic-Clearances": "OTHER"}, &e); code != 403 || e.Error.Code != "refused" {
		t.Errorf("marking the caller lacks: status %d, %+v", code, e)
	}
	if code := postRaw(t, srv.URL+"/api/v1/ingest?name=upload.csv&mapping=nope", travelCSV, nil, &e); code != 400 || !strings.Contains(e.Error.Message, "travel") {
		t.Errorf("unknown mapping: status %d, %+v (want the known names listed)", code, e)
	}
	if code := postRaw(t, srv.URL+"/api/v1/ingest", travelCSV, nil, &e); code != 400 || !strings.Contains(e.Error.Message, "name") {
		t.Errorf("no name: status %d, %+v", code, e)
	}
	sum = ingest.Summary{}
	postRaw(t, srv.URL+"/api/v1/ingest?name=upload.csv", travelCSV, nil, &sum)
	if sum.Added != 0 || len(sum.Rejected) != 1 || !strings.Contains(sum.Rejected[0], "no mapping") {
		t.Errorf("a name no mapping claims: %+v, want the file rejected for want of a mapping", sum)
	}
}

// TestIngestUploadTooLarge: an upload over the limit is refused whole,
// with the limit in the message, and nothing is stored.
func TestIngestUploadTooLarge(t *testing.T) {
	srv, st, _ := newIngestServer(t, 100)
	var e ErrorBody
	if code := postRaw(t, srv.URL+"/api/v1/ingest?name=records/travel.csv", travelCSV, nil, &e); code != 400 || !strings.Contains(e.Error.Message, "larger than 100 bytes") {
		t.Fatalf("status %d, %+v", code, e)
	}
	stats, err := st.Stats(context.Background())
	if err != nil || stats.Records != 0 {
		t.Errorf("stats %+v, %v: want nothing stored", stats, err)
	}
}

// TestSpool: an upload is read back whole whether it is held in memory
// or spooled to a file (a file only past the memory limit, removed when
// done), and one over the limit is refused and leaves no file.
func TestSpool(t *testing.T) {
	body := strings.Repeat("0123456789", 50)
	for _, tc := range []struct {
		mem, max int64
		file     bool
		err      string
	}{
		{mem: 1000, max: 1000},
		{mem: 500, max: 1000},
		{mem: 499, max: 1000, file: true},
		{mem: 10, max: 1000, file: true},
		{mem: -1, max: 1000, file: true},
		{mem: 1000, max: 499, err: "larger than 499 bytes"},
		{mem: 10, max: 499, err: "larger than 499 bytes"},
	} {
		dir := t.TempDir()
		r, size, done, err := spool(strings.NewReader(body), dir, tc.mem, tc.max)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("mem %d max %d: err %v, want %q", tc.mem, tc.max, err, tc.err)
			}
		} else if err != nil {
			t.Fatalf("mem %d max %d: %v", tc.mem, tc.max, err)
		} else {
			got := make([]byte, size)
			if n, err := r.ReadAt(got, 0); n != len(body) || string(got) != body {
				t.Errorf("mem %d: read back %d bytes (%v), want the %d sent", tc.mem, n, err, len(body))
			}
			if files, _ := os.ReadDir(dir); (len(files) == 1) != tc.file {
				t.Errorf("mem %d: %d spool files, want a file: %v", tc.mem, len(files), tc.file)
			}
			done()
		}
		if files, _ := os.ReadDir(dir); len(files) != 0 {
			t.Errorf("mem %d max %d: %d files left", tc.mem, tc.max, len(files))
		}
	}
}
