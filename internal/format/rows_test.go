package format

import (
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

type wantRej struct {
	line int
	kind error
}

func TestCSVRows(t *testing.T) {
	big := strings.Repeat("filler,"+strings.Repeat("x", 90)+"\n", 800) // > 64 KiB of valid UTF-8
	tests := []struct {
		name     string
		format   Format
		in       string
		maxLine  int64
		cols     []string
		want     []map[string]string
		lines    []int
		rejs     []wantRej
		charset  string
		fileFail error
	}{
		{name: "basic", in: "a,b\n1,2\n3,4\n", cols: []string{"a", "b"},
			want: []map[string]string{{"a": "1", "b": "2"}, {"a": "3", "b": "4"}}, lines: []int{2, 3}},
		{name: "crlf and no final newline", in: "a,b\r\n1,2\r\n3,4", cols: []string{"a", "b"},
			want: []map[string]string{{"a": "1", "b": "2"}, {"a": "3", "b": "4"}}, lines: []int{2, 3}},
		{name: "bom", in: "\xef\xbb\xbfa,b\n1,2\n", cols: []string{"a", "b"}, want: []map[string]string{{"a": "1", "b": "2"}}},
		{name: "quoted newline and quotes", in: "a,b\n\"x\r\ny\",\"say \"\"hi\"\"\"\n5,6\n", cols: []string{"a", "b"},
			want: []map[string]string{{"a": "x\ny", "b": `say "hi"`}, {"a": "5", "b": "6"}}, lines: []int{2, 4}},
		{name: "empty fields and blank lines", in: "a,b,c\n\n,,\n\r\n1,,3\n", cols: []string{"a", "b", "c"},
			want: []map[string]string{{"a": "", "b": "", "c": ""}, {"a": "1", "b": "", "c": "3"}}, lines: []int{3, 5}},
		{name: "wrong field count", in: "a,b\n1\n1,2,3\n4,5\n", want: []map[string]string{{"a": "4", "b": "5"}},
			rejs: []wantRej{{2, ErrMalformed}, {3, ErrMalformed}}},
		{name: "bare quote", in: "a,b\n1,x\"y\n2,3\n", want: []map[string]string{{"a": "2", "b": "3"}}, rejs: []wantRej{{2, ErrMalformed}}},
		{name: "text after closing quote", in: "a,b\n\"1\"x,2\n2,3\n", want: []map[string]string{{"a": "2", "b": "3"}}, rejs: []wantRej{{2, ErrMalformed}}},
		{name: "unterminated quote", in: "a,b\n1,2\n3,\"open\n4,5\n", want: []map[string]string{{"a": "1", "b": "2"}}, rejs: []wantRej{{3, ErrMalformed}}},
		{name: "long record", in: "a,b\n1," + strings.Repeat("z", 100) + "\n2,3\n", maxLine: 50,
			want: []map[string]string{{"a": "2", "b": "3"}}, rejs: []wantRej{{2, ErrLineTooLong}}},
		{name: "long quoted record", in: "a,b\n1,\"" + strings.Repeat("z\n", 100) + "\"\n2,3\n", maxLine: 50,
			want: []map[string]string{{"a": "2", "b": "3"}}, rejs: []wantRej{{2, ErrLineTooLong}}, lines: []int{103}},
		{name: "duplicate and empty headers", in: "a, a ,,b\n1,2,3,4\n", cols: []string{"a", "a_2", "column_3", "b"},
			want: []map[string]string{{"a": "1", "a_2": "2", "column_3": "3", "b": "4"}}},
		{name: "windows-1252", in: "name\nJos\xe9\nM\x9fller\n", cols: []string{"name"}, charset: "windows-1252",
			want: []map[string]string{{"name": "José"}, {"name": "MŸller"}}},
		{name: "utf-16le", in: "\xff\xfen\x00,\x00v\x00\n\x00\xe9\x00,\x001\x00\n\x00", cols: []string{"n", "v"}, charset: "utf-16le",
			want: []map[string]string{{"n": "é", "v": "1"}}},
		{name: "invalid utf-8 after the sniffed start", in: "k,v\n" + big + "bad,\xff\xfe\nok,1\n", cols: []string{"k", "v"}, charset: "utf-8",
			rejs: []wantRej{{802, ErrEncoding}}},
		{name: "nul byte", in: "a\nx\x00y\nz\n", want: []map[string]string{{"a": "z"}}, rejs: []wantRej{{2, ErrEncoding}}},
		{name: "tsv has no quoting", format: FormatTSV, in: "a\tb\n\"x\t5\" pipe\n", cols: []string{"a", "b"},
			want: []map[string]string{{"a": `"x`, "b": `5" pipe`}}},
		{name: "header only", in: "a,b\n", cols: []string{"a", "b"}},
		{name: "empty", in: "", fileFail: ErrEmpty},
		{name: "blank", in: "\n\r\n\n", fileFail: ErrEmpty},
		{name: "bad header", in: "a,\"b\n", fileFail: ErrMalformed},
		{name: "too many columns", in: strings.Repeat("c,", 10_000) + "c\n1\n", fileFail: ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.format
			if f == "" {
				f = FormatCSV
			}
			maxLine := tc.maxLine
			if maxLine == 0 {
				maxLine = 1 << 20
			}
			rs, rj := newCSVSource(context.Background(), strings.NewReader(tc.in), "t.csv", f, maxLine)
			if tc.fileFail != nil {
				if rj == nil || !errors.Is(rj, tc.fileFail) {
					t.Fatalf("want file rejection %v, got %v", tc.fileFail, rj)
				}
				return
			}
			if rj != nil {
				t.Fatalf("file rejected: %v", rj)
			}
			if tc.cols != nil && !reflect.DeepEqual(rs.Columns(), tc.cols) {
				t.Errorf("columns %q, want %q", rs.Columns(), tc.cols)
			}
			if tc.charset != "" && rs.Charset() != tc.charset {
				t.Errorf("charset %q, want %q", rs.Charset(), tc.charset)
			}
			rows, rejs := readRows(t, rs)
			if tc.name == "invalid utf-8 after the sniffed start" {
				if len(rows) != 801 || rows[800].Fields["k"] != "ok" {
					t.Fatalf("got %d rows", len(rows))
				}
			} else {
				var got []map[string]string
				for _, r := range rows {
					got = append(got, r.Fields)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("rows %q, want %q", got, tc.want)
				}
			}
			for i, l := range tc.lines {
				if i < len(rows) && rows[i].Line != l {
					t.Errorf("row %d on line %d, want %d", i, rows[i].Line, l)
				}
			}
			if len(rejs) != len(tc.rejs) {
				t.Fatalf("rejections %v, want %v", rejs, tc.rejs)
			}
			for i, w := range tc.rejs {
				if rejs[i].Line != w.line || !errors.Is(rejs[i], w.kind) || rejs[i].Path != "t.csv" || rejs[i].Offset < 0 {
					t.Errorf("rejection %d = %v (line %d), want line %d kind %v", i, rejs[i], rejs[i].Line, w.line, w.kind)
				}
			}
		})
	}
}

func TestCSVRowOffsets(t *testing.T) {
	in := "a,b\n1,2\n\"3\",4\n"
	rs, rj := newCSVSource(context.Background(), strings.NewReader(in), "t.csv", FormatCSV, 1<<20)
	if rj != nil {
		t.Fatal(rj)
	}
	rows, _ := readRows(t, rs)
	for _, r := range rows {
		if !strings.HasPrefix(in[r.Offset:], strings.SplitN(in[r.Offset:], "\n", 2)[0]) || (in[r.Offset] != '1' && in[r.Offset] != '"') {
			t.Errorf("row on line %d: offset %d points at %q", r.Line, r.Offset, in[r.Offset:])
		}
	}
}

func TestJSONLRows(t *testing.T) {
	in := strings.Join([]string{
		`{"name":"Ann","age":30,"ok":true,"tags":["a", "b"],"addr":{"city":"Leeds"},"gone":null,"esc":"a\"b\u00e9"}`,
		``,
		`[1,2]`,
		`{"broken":`,
		`{"long":"` + strings.Repeat("x", 400) + `"}`,
		"{\"crlf\":1}\r",
		`"just a string"`,
	}, "\n")
	rs := newJSONLSource(context.Background(), strings.NewReader(in), "t.jsonl", 300)
	rows, rejs := readRows(t, rs)
	want := []map[string]string{
		{"name": "Ann", "age": "30", "ok": "true", "tags": `["a","b"]`, "addr": `{"city":"Leeds"}`, "esc": `a"bé`},
		{"crlf": "1"},
	}
	var got []map[string]string
	for _, r := range rows {
		got = append(got, r.Fields)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
	if rows[0].Line != 1 || rows[1].Line != 6 {
		t.Errorf("lines %d %d", rows[0].Line, rows[1].Line)
	}
	wantRejs := []wantRej{{3, ErrMalformed}, {4, ErrMalformed}, {5, ErrLineTooLong}, {7, ErrMalformed}}
	if len(rejs) != len(wantRejs) {
		t.Fatalf("rejections %v", rejs)
	}
	for i, w := range wantRejs {
		if rejs[i].Line != w.line || !errors.Is(rejs[i], w.kind) {
			t.Errorf("rejection %v, want line %d %v", rejs[i], w.line, w.kind)
		}
	}
}

func TestJSONLInvalidUTF8(t *testing.T) {
	good := strings.Repeat(`{"k":"`+strings.Repeat("v", 90)+`"}`+"\n", 800) // > 64 KiB sniffed as UTF-8
	rs := newJSONLSource(context.Background(), strings.NewReader(good+"{\"bad\":\"\xff\"}\n{\"k\":\"end\"}\n"), "t.jsonl", 1<<20)
	rows, rejs := readRows(t, rs)
	if rs.Charset() != "utf-8" || len(rows) != 801 || rows[800].Fields["k"] != "end" {
		t.Fatalf("charset %s, %d rows", rs.Charset(), len(rows))
	}
	if len(rejs) != 1 || rejs[0].Line != 801 || !errors.Is(rejs[0], ErrEncoding) {
		t.Fatalf("rejections %v", rejs)
	}
}

// endless yields n bytes of c without holding them.
type endless struct {
	c byte
	n int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.n {
		p = p[:e.n]
	}
	for i := range p {
		p[i] = e.c
	}
	e.n -= int64(len(p))
	return len(p), nil
}

// TestHundredMegabyteLine feeds a 100 MB single line (then a good row)
// and checks it is rejected and that memory stays near the cap.
func TestHundredMegabyteLine(t *testing.T) {
	for _, f := range []Format{FormatCSV, FormatJSONL} {
		t.Run(string(f), func(t *testing.T) {
			in := io.MultiReader(strings.NewReader("a,b\n1,"), &endless{c: 'x', n: 100 << 20}, strings.NewReader("\n2,3\n"))
			if f == FormatJSONL {
				in = io.MultiReader(strings.NewReader(`{"a":"`), &endless{c: 'x', n: 100 << 20}, strings.NewReader("\"}\n{\"a\":\"2\"}\n"))
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var rs *RowSource
			if f == FormatCSV {
				var rj *Rejection
				rs, rj = newCSVSource(context.Background(), in, "big", f, 1<<20)
				if rj != nil {
					t.Fatal(rj)
				}
			} else {
				rs = newJSONLSource(context.Background(), in, "big", 1<<20)
			}
			rows, rejs := readRows(t, rs)
			runtime.ReadMemStats(&after)
			if len(rejs) != 1 || !errors.Is(rejs[0], ErrLineTooLong) || rejs[0].Line == 0 {
				t.Fatalf("rejections %v", rejs)
			}
			if len(rows) != 1 || rows[0].Fields["a"] != "2" {
				t.Fatalf("rows %v", rows)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Errorf("allocated %d bytes for a 100 MB line; want under 16 MiB", alloc)
			}
		})
	}
}

func TestRowSourceCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	in := "a\n" + strings.Repeat("1\n", 5000)
	rs, rj := newCSVSource(ctx, strings.NewReader(in), "t.csv", FormatCSV, 1<<20)
	if rj != nil {
		t.Fatal(rj)
	}
	cancel()
	n := 0
	var err error
	for {
		_, err = rs.Next()
		if err != nil {
			break
		}
		n++
	}
	if !errors.Is(err, context.Canceled) || n >= 5000 {
		t.Fatalf("after cancel: %d rows, err %v", n, err)
	}
}

func TestRejectionError(t *testing.T) {
	tests := []struct {
		r    Rejection
		want string
	}{
		{Rejection{Path: "a.csv", Line: 4, Offset: 17, Reason: "bad"}, "a.csv:4: bad (byte 17)"},
		{Rejection{Path: "a.zip", Offset: -1, Reason: "corrupt"}, "a.zip: corrupt"},
		{Rejection{Path: "a.zip", Offset: 9, Reason: "corrupt"}, "a.zip: corrupt (byte 9)"},
	}
	for _, tc := range tests {
		if got := tc.r.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	r := Rejection{Err: ErrBomb}
	if !errors.Is(&r, ErrBomb) || errors.Is(&r, ErrEmpty) {
		t.Error("Unwrap does not expose the kind")
	}
	_ = bytes.MinRead
}
