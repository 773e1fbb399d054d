package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
)

// Dialect is the PostgreSQL dialect. Its zero value assumes no optional
// extension; Open fills it in from what the database has.
type Dialect struct {
	unaccent bool // the search configuration strips accents
	trgm     bool // pg_trgm is installed
	fuzzy    bool // the search table has its trigram index
	amcheck  bool // amcheck is installed
}

var _ sqlstore.Dialect = Dialect{}

// searchConfig is the text search configuration of the index: a copy of
// 'simple' (no stemming, no stop words: names are not English words),
// with unaccent in front of it when available.
const searchConfig = "mosaic_search"

// Name implements sqlstore.Dialect.
func (Dialect) Name() string { return "postgres" }

var _ sqlstore.RowLocker = Dialect{}

// LockRows implements sqlstore.RowLocker: writers run concurrently, so a
// read-modify-write locks what it reads.
func (Dialect) LockRows() string { return " FOR UPDATE" }

// Rebind implements sqlstore.Dialect: '?' becomes $1, $2, ... Question
// marks inside string literals, quoted identifiers and comments are left
// alone (the store's queries have none, but a rebinder that broke on them
// would be a trap).
func (Dialect) Rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(q))
			b.WriteString(q[i:end])
			i = end - 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Migrations implements sqlstore.Dialect. Version 1 matches SQLite's
// version 1: the core schema and the full-text index.
func (d Dialect) Migrations() []sqlstore.Migration {
	v1 := []string{
		// Item seqs in commit order (see the package doc): the default
		// locks item_seq_lock's row until the transaction ends, then
		// draws from the sequence.
		`CREATE SEQUENCE items_seq_gen AS BIGINT`,
		`CREATE TABLE item_seq_lock(id INTEGER PRIMARY KEY)`,
		`INSERT INTO item_seq_lock(id) VALUES (1)`,
		`CREATE FUNCTION mosaic_next_item_seq() RETURNS BIGINT LANGUAGE sql VOLATILE AS $$
			SELECT id FROM item_seq_lock WHERE id = 1 FOR UPDATE;
			SELECT nextval('items_seq_gen');
		$$`,
	}
	v1 = append(v1, sqlstore.CoreSchema("BIGINT PRIMARY KEY DEFAULT mosaic_next_item_seq()", "BYTEA")...)
	v1 = append(v1,
		`ALTER SEQUENCE items_seq_gen OWNED BY items.seq`,
		`CREATE TEXT SEARCH CONFIGURATION `+searchConfig+` (COPY = pg_catalog.simple)`)
	if d.unaccent {
		v1 = append(v1, `ALTER TEXT SEARCH CONFIGURATION `+searchConfig+`
			ALTER MAPPING FOR word, numword, hword, numhword, hword_part, hword_numpart WITH unaccent, simple`)
	}
	v1 = append(v1,
		// body holds the start of the text for headlines; words the
		// distinct words for trigram matching; tsv the index proper.
		`CREATE TABLE search(
			seq BIGINT PRIMARY KEY,
			title TEXT NOT NULL,
			body TEXT NOT NULL,
			words TEXT NOT NULL,
			tsv TSVECTOR NOT NULL)`,
		`CREATE INDEX search_tsv ON search USING GIN (tsv)`)
	if d.fuzzy {
		v1 = append(v1, `CREATE INDEX search_words_trgm ON search USING GIN (words gin_trgm_ops)`)
	}
	return []sqlstore.Migration{
		{Version: 1, Name: "core", SQL: v1},
		{Version: 2, Name: "judgements", SQL: sqlstore.JudgementsSchema("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")},
		{Version: 3, Name: "items by kind", SQL: sqlstore.ItemsByKindSchema()},
		{Version: 4, Name: "links by item", SQL: sqlstore.LinksByItemSchema()},
		{Version: 5, Name: "resolution by item", SQL: sqlstore.ResolutionByItemSchema()},
	}
}

// IndexText implements sqlstore.Dialect.
func (d Dialect) IndexText(ctx context.Context, tx *sql.Tx, seq int64, title, body string) error {
	ft := foldText(title, maxIndexedText)
	fb := foldText(body, maxIndexedText-len(ft))
	words := distinctWords(ft+" "+fb, maxFuzzyWords)
	wordsExpr := "$4"
	if d.unaccent {
		wordsExpr = "unaccent($4)"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO search(seq, title, body, words, tsv) VALUES($1, $2, $3, `+wordsExpr+`,
		setweight(to_tsvector('`+searchConfig+`', $5), 'A') || setweight(to_tsvector('`+searchConfig+`', $6), 'B'))
		ON CONFLICT (seq) DO NOTHING`,
		seq, title, headlineText(body), words, ft, fb)
	return err
}

// SearchText implements sqlstore.Dialect: items holding every query word,
// ranked by cover density (title words weigh more than body words), with
// a headline around the matches. When none holds every word, items whose
// words are each close in spelling to a query word (trigram similarity),
// if the trigram index exists.
func (d Dialect) SearchText(ctx context.Context, db *sql.DB, query string, limit int) ([]sqlstore.TextHit, error) {
	words := strings.Fields(foldText(query, maxIndexedText))
	if len(words) == 0 {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT h.seq, h.score, ts_headline('`+searchConfig+`', s.body, h.q, 'StartSel=[, StopSel=], MinWords=5, MaxWords=12')
		FROM (SELECT seq, ts_rank_cd(tsv, q, 1) AS score, q
			FROM search CROSS JOIN plainto_tsquery('`+searchConfig+`', $1) AS q
			WHERE tsv @@ q ORDER BY score DESC, seq LIMIT $2) h
		JOIN search s ON s.seq = h.seq
		ORDER BY h.score DESC, h.seq`, strings.Join(words, " "), limit)
	if err != nil {
		return nil, fmt.Errorf("full-text search: %w", err)
	}
	hits, err := scanHits(rows)
	if err != nil || len(hits) > 0 || !d.fuzzy {
		return hits, err
	}
	return d.fuzzySearch(ctx, db, words, limit)
}

// minFuzzyWord is the shortest word (in characters) the trigram fallback
// matches: shorter words have too few trigrams to tell words apart.
const minFuzzyWord = 3

func (d Dialect) fuzzySearch(ctx context.Context, db *sql.DB, words []string, limit int) ([]sqlstore.TextHit, error) {
	var long []string
	for _, w := range words {
		if utf8.RuneCountInString(w) >= minFuzzyWord {
			long = append(long, strings.ToLower(w))
		}
	}
	if len(long) == 0 {
		return nil, nil
	}
	if d.unaccent {
		// Fold accents as the indexed words were folded.
		joined := strings.Join(long, " ")
		if err := db.QueryRowContext(ctx, `SELECT unaccent($1)`, joined).Scan(&joined); err != nil {
			return nil, fmt.Errorf("fuzzy search: %w", err)
		}
		long = strings.Fields(joined)
	}
	var where, score []string
	args := make([]any, 0, len(long)+1)
	for i, w := range long {
		p := "$" + strconv.Itoa(i+1)
		where = append(where, "words %>> "+p)
		score = append(score, "strict_word_similarity("+p+", words)")
		args = append(args, w)
	}
	args = append(args, limit)
	rows, err := db.QueryContext(ctx, `SELECT h.seq, h.score, left(s.body, 200)
		FROM (SELECT seq, (`+strings.Join(score, " + ")+`) / `+strconv.Itoa(len(long))+` AS score
			FROM search WHERE `+strings.Join(where, " AND ")+`
			ORDER BY score DESC, seq LIMIT $`+strconv.Itoa(len(long)+1)+`) h
		JOIN search s ON s.seq = h.seq
		ORDER BY h.score DESC, h.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("fuzzy search: %w", err)
	}
	hits, err := scanHits(rows)
	for i := range hits {
		hits[i].Snippet = leadingWords(hits[i].Snippet, 12)
	}
	return hits, err
}

func scanHits(rows *sql.Rows) ([]sqlstore.TextHit, error) {
	defer rows.Close()
	var out []sqlstore.TextHit
	for rows.Next() {
		var h sqlstore.TextHit
		if err := rows.Scan(&h.Seq, &h.Score, &h.Snippet); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// leadingWords returns the first n words of s, with "…" if it cut any.
func leadingWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) <= n {
		return strings.Join(f, " ")
	}
	return strings.Join(f[:n], " ") + "…"
}

// IsBusy implements sqlstore.Dialect: serialisation failures (40001, what
// PostgreSQL-compatible distributed databases return for every conflict),
// deadlocks (40P01), and a lost or refused connection (class 08, server
// shutdown 57P01-57P03, a broken socket). Replaying the transaction is
// safe even when a lost connection hid a successful commit: every store
// write is idempotent.
func (Dialect) IsBusy(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "40001", pe.Code == "40P01":
			return true
		case strings.HasPrefix(pe.Code, "08"):
			return true
		case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03":
			return true
		}
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, pgconn.ErrConnClosed) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne)
}
