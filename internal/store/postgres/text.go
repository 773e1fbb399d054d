package postgres

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what one item puts into the search index. PostgreSQL refuses a
// tsvector whose lexemes add up to 1 MiB or more, and a document larger
// than that would otherwise fail to store; the text beyond the limit is
// still stored, just not searchable.
const (
	maxIndexedText  = 900_000 // bytes of folded title and body
	maxFuzzyWords   = 200_000 // bytes of distinct words for trigram matching
	maxHeadlineText = 100_000 // characters of body ts_headline reads
)

// foldText rewrites s as its runs of letters and digits separated by single
// spaces: the same words sqlstore's query parser sees. PostgreSQL's default
// text-search parser would otherwise read "1985-04-12" as 1985, -04, -12,
// an e-mail address as one token and a path as a file name, and a query
// for the words of such a value would not match. The result is cut at
// limit bytes on a word boundary.
func foldText(s string, limit int) string {
	var b strings.Builder
	b.Grow(min(len(s), limit))
	inWord := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if !inWord && b.Len() > 0 {
				if b.Len()+1+utf8.RuneLen(r) > limit {
					break
				}
				b.WriteByte(' ')
			}
			if b.Len()+utf8.RuneLen(r) > limit {
				break
			}
			b.WriteRune(r)
			inWord = true
			continue
		}
		inWord = false
	}
	return b.String()
}

// distinctWords returns the distinct lower-case words of folded text, in
// order of first appearance, joined by spaces and cut at limit bytes: the
// text trigram matching runs over (pg_trgm looks at each word on its own,
// so repeats add nothing).
func distinctWords(folded string, limit int) string {
	seen := map[string]bool{}
	var b strings.Builder
	for _, w := range strings.Fields(strings.ToLower(folded)) {
		if seen[w] {
			continue
		}
		if b.Len()+len(w)+1 > limit {
			break
		}
		seen[w] = true
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// headlineText cuts s to the first maxHeadlineText characters.
func headlineText(s string) string {
	n := 0
	for i := range s {
		if n == maxHeadlineText {
			return s[:i]
		}
		n++
	}
	return s
}
