package format

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// markdownDocument builds a document from Markdown: the text is kept and
// the markup lightly removed (heading and list markers, emphasis, link and
// image syntax, code fences, table pipes, HTML tags). A YAML front-matter
// block supplies title and date when present.
func markdownDocument(raw []byte) *Document {
	text, cs, guessed := decodeText(raw)
	text = cleanText(text)
	meta := charsetMeta(cs, guessed)
	body, front := splitFrontMatter(text)
	for k, v := range front {
		meta[k] = v
	}
	plain, heading := stripMarkdown(body)
	d := &Document{Text: plain, MediaType: "text/markdown", Meta: meta}
	switch {
	case front["title"] != "":
		d.Title = shorten(front["title"], maxTitleRunes)
	case heading != "":
		d.Title = shorten(heading, maxTitleRunes)
	default:
		d.Title = firstLineTitle(plain)
	}
	if t, ok := parseDate(front["date"]); ok {
		d.Published = t
	} else if t, ok := headerDate(plain); ok {
		d.Published = t
	}
	return d
}

// splitFrontMatter removes a leading "---" ... "---" block and returns its
// simple "key: value" lines.
func splitFrontMatter(text string) (string, map[string]string) {
	if !strings.HasPrefix(text, "---\n") {
		return text, nil
	}
	end := strings.Index(text[4:], "\n---")
	if end < 0 {
		return text, nil
	}
	block := text[4 : 4+end]
	rest := text[4+end+4:]
	if i := strings.IndexByte(rest, '\n'); i >= 0 && isBlank(rest[:i]) {
		rest = rest[i+1:]
	} else if isBlank(rest) {
		rest = ""
	}
	m := map[string]string{}
	for line := range strings.SplitSeq(block, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, " ") {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		if k != "" && v != "" && len(m) < 50 {
			m[k] = shorten(v, 1000)
		}
	}
	return rest, m
}

var (
	mdRule      = regexp.MustCompile(`^\s{0,3}([-*_])(\s*([-*_])){2,}\s*$`)
	mdSetext    = regexp.MustCompile(`^\s{0,3}(=+|-+)\s*$`)
	mdHeading   = regexp.MustCompile(`^\s{0,3}(#{1,6})(\s+|$)`)
	mdList      = regexp.MustCompile(`^(\s*)([-*+]|\d{1,9}[.)])\s+`)
	mdRefDef    = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*\S+`)
	mdTableRule = regexp.MustCompile(`^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$`)
	mdTag       = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>`)
)

// stripMarkdown returns the visible text of Markdown and its first
// heading.
func stripMarkdown(src string) (string, string) {
	var b strings.Builder
	b.Grow(len(src))
	heading := ""
	fence := ""
	lines := strings.Split(src, "\n")
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if fence != "" { // inside a code block: keep the code, drop the closing fence
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
				continue
			}
			b.WriteString(line)
			b.WriteByte('\n')
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			continue
		}
		switch {
		case mdSetext.MatchString(line) && i > 0 && !isBlank(lines[i-1]) && !mdList.MatchString(line):
			if heading == "" {
				heading = strings.TrimSpace(stripInline(lines[i-1]))
			}
			continue
		case mdRule.MatchString(line), mdRefDef.MatchString(line), mdTableRule.MatchString(line) && strings.Contains(line, "-") && strings.Contains(line, "|"):
			continue
		}
		for {
			t := strings.TrimLeft(line, " ")
			if !strings.HasPrefix(t, ">") {
				break
			}
			line = strings.TrimPrefix(t[1:], " ")
		}
		if m := mdHeading.FindStringSubmatchIndex(line); m != nil {
			line = strings.TrimRight(strings.TrimSpace(line[m[1]:]), "#")
			line = strings.TrimSpace(line)
			if heading == "" {
				heading = stripInline(line)
			}
		} else if m := mdList.FindStringSubmatchIndex(line); m != nil {
			line = line[:m[3]] + line[m[1]:]
		}
		if strings.HasPrefix(strings.TrimSpace(line), "|") {
			cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
			for i, c := range cells {
				cells[i] = strings.TrimSpace(c)
			}
			line = strings.Join(cells, "\t")
		}
		b.WriteString(stripInline(line))
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n") + "\n", heading
}

// stripInline removes inline Markdown: images and links keep their text,
// code spans their code, emphasis markers go, backslash escapes resolve
// and HTML tags are dropped.
func stripInline(s string) string {
	if !strings.ContainsAny(s, "*_`[]!<\\~") {
		return s
	}
	s = mdTag.ReplaceAllString(s, "")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte("\\`*_{}[]()#+-.!|<>~", s[i+1]) >= 0:
			b.WriteByte(s[i+1])
			i += 2
			continue
		case c == '`':
			n := run(s[i:], '`')
			if end := strings.Index(s[i+n:], s[i:i+n]); end >= 0 {
				b.WriteString(strings.TrimSpace(s[i+n : i+n+end]))
				i += n + end + n
				continue
			}
			b.WriteString(s[i : i+n])
			i += n
			continue
		case c == '[' || (c == '!' && i+1 < len(s) && s[i+1] == '['):
			if text, n, ok := linkAt(s[i:]); ok {
				b.WriteString(stripInline(text))
				i += n
				continue
			}
		case c == '*' || c == '_' || c == '~':
			n := run(s[i:], c)
			if c == '~' && n != 2 {
				break
			}
			prev, _ := utf8.DecodeLastRuneInString(s[:i])
			next, _ := utf8.DecodeRuneInString(s[i+n:])
			opening := i+n < len(s) && !unicode.IsSpace(next) && (i == 0 || !isWordRune(prev))
			closing := i > 0 && !unicode.IsSpace(prev) && (i+n == len(s) || !isWordRune(next))
			if opening || closing {
				i += n
				continue
			}
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func run(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

// linkAt parses "[text](target)", "[text][ref]" or "![alt](src)" at the
// start of s and returns the text and the length consumed.
func linkAt(s string) (string, int, bool) {
	start := 1
	if s[0] == '!' {
		start = 2
	}
	depth := 0
	for i := start; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
				continue
			}
			text := s[start:i]
			rest := s[i+1:]
			if strings.HasPrefix(rest, "(") {
				if end := strings.IndexByte(rest, ')'); end >= 0 {
					return text, i + 1 + end + 1, true
				}
			}
			if strings.HasPrefix(rest, "[") {
				if end := strings.IndexByte(rest, ']'); end >= 0 {
					return text, i + 1 + end + 1, true
				}
			}
			return "", 0, false
		}
	}
	return "", 0, false
}
