package sqlstore

// CoreSchema returns the portable DDL of schema version 1. seqPK is the
// column definition of the auto-incrementing sequence key (SQLite:
// "INTEGER PRIMARY KEY AUTOINCREMENT"; PostgreSQL: "BIGINT GENERATED ALWAYS
// AS IDENTITY PRIMARY KEY") and blob the binary type (BLOB, BYTEA).
// Full-text search tables are the dialect's own.
func CoreSchema(seqPK, blob string) []string {
	return []string{
		`CREATE TABLE sources(
			name TEXT PRIMARY KEY,
			kind TEXT NOT NULL,
			marking TEXT NOT NULL DEFAULT '',
			description TEXT NOT NULL DEFAULT '')`,
		// The item log: documents and records in arrival order.
		`CREATE TABLE items(
			seq ` + seqPK + `,
			id TEXT NOT NULL UNIQUE,
			source TEXT NOT NULL,
			kind TEXT NOT NULL,
			marking TEXT NOT NULL,
			observed BIGINT NOT NULL,
			stored BIGINT NOT NULL,
			locator TEXT NOT NULL,
			body TEXT NOT NULL,
			facts TEXT)`,
		`CREATE TABLE doc_content(
			seq BIGINT PRIMARY KEY,
			text TEXT NOT NULL,
			raw ` + blob + ` NOT NULL)`,
		// Resolution: which entity each mention belongs to.
		`CREATE TABLE resolution(
			mention TEXT PRIMARY KEY,
			entity TEXT NOT NULL,
			type TEXT NOT NULL,
			item BIGINT NOT NULL,
			caption TEXT NOT NULL DEFAULT '')`,
		`CREATE INDEX resolution_entity ON resolution(entity)`,
		`CREATE INDEX resolution_item ON resolution(item)`,
		// Pipeline progress: completed item ranges and failures per stage.
		`CREATE TABLE stage_done(
			stage TEXT NOT NULL,
			lo BIGINT NOT NULL,
			hi BIGINT NOT NULL,
			PRIMARY KEY(stage, lo))`,
		`CREATE TABLE stage_failures(
			stage TEXT NOT NULL,
			seq BIGINT NOT NULL,
			error TEXT NOT NULL,
			attempts INTEGER NOT NULL,
			at BIGINT NOT NULL,
			PRIMARY KEY(stage, seq))`,
		// The link index: links between mentions, by item.
		`CREATE TABLE links(
			id TEXT PRIMARY KEY,
			item BIGINT NOT NULL,
			subject TEXT NOT NULL,
			predicate TEXT NOT NULL,
			object TEXT NOT NULL,
			evidence TEXT NOT NULL,
			start_at BIGINT NOT NULL,
			end_at BIGINT NOT NULL,
			confidence DOUBLE PRECISION NOT NULL,
			source TEXT NOT NULL,
			marking TEXT NOT NULL)`,
		`CREATE INDEX links_item ON links(item)`,
		`CREATE INDEX links_subject ON links(subject)`,
		`CREATE INDEX links_object ON links(object)`,
		// Alerts, folded by ID, with their lifecycle.
		`CREATE TABLE alerts(
			id TEXT PRIMARY KEY,
			rule TEXT NOT NULL,
			state TEXT NOT NULL,
			first_at BIGINT NOT NULL,
			last_at BIGINT NOT NULL,
			marking TEXT NOT NULL,
			body TEXT NOT NULL)`,
		`CREATE INDEX alerts_last ON alerts(last_at)`,
		`CREATE TABLE counters(
			name TEXT PRIMARY KEY,
			value BIGINT NOT NULL)`,
	}
}

// ItemsByKindSchema is schema version 3: an index for reading the items of
// one kind (watch-list entries at start, evaluations) without scanning the
// whole log.
func ItemsByKindSchema() []string {
	return []string{`CREATE INDEX items_kind ON items(kind, seq)`}
}

// linkEndsFromLinks fills link_ends from the links already stored: the
// ends that are not mentions of the link's own item (or of an item the
// store does not hold).
const linkEndsFromLinks = `INSERT INTO link_ends(mention, item)
	SELECT DISTINCT e.mention, e.item FROM (SELECT subject AS mention, item FROM links UNION SELECT object AS mention, item FROM links) e
	LEFT JOIN items i ON i.seq = e.item
	WHERE i.id IS NULL OR substr(e.mention, 1, length(i.id) + 1) <> i.id || '/'`

// LinksByItemSchema is schema version 4 for PostgreSQL: links are found
// through their items instead of indexes on both ends (see links.go);
// link_ends holds the few ends that are mentions of another item.
func LinksByItemSchema() []string {
	return []string{
		`CREATE TABLE link_ends(
			mention TEXT NOT NULL,
			item BIGINT NOT NULL,
			PRIMARY KEY(mention, item))`,
		linkEndsFromLinks,
		`DROP INDEX links_subject`,
		`DROP INDEX links_object`,
	}
}

// LinksByItemSchemaWithoutRowid is schema version 4 for SQLite: as
// LinksByItemSchema, and the links table clustered by item (a table
// WITHOUT ROWID keyed by item and link ID), so that the link stage's
// writes append to one B-tree instead of landing on random pages of
// three hashed-ID indexes.
func LinksByItemSchemaWithoutRowid() []string {
	return []string{
		`CREATE TABLE links_by_item(
			id TEXT NOT NULL,
			item BIGINT NOT NULL,
			subject TEXT NOT NULL,
			predicate TEXT NOT NULL,
			object TEXT NOT NULL,
			evidence TEXT NOT NULL,
			start_at BIGINT NOT NULL,
			end_at BIGINT NOT NULL,
			confidence DOUBLE PRECISION NOT NULL,
			source TEXT NOT NULL,
			marking TEXT NOT NULL,
			PRIMARY KEY(item, id)) WITHOUT ROWID`,
		`INSERT INTO links_by_item SELECT id, item, subject, predicate, object, evidence, start_at, end_at, confidence, source, marking FROM links`,
		`CREATE TABLE link_ends(
			mention TEXT NOT NULL,
			item BIGINT NOT NULL,
			PRIMARY KEY(mention, item)) WITHOUT ROWID`,
		linkEndsFromLinks,
		`DROP TABLE links`,
		`ALTER TABLE links_by_item RENAME TO links`,
	}
}

// mentionItemsFromResolution fills mention_items from the resolution
// table: the mentions whose IDs do not begin with their item's ID (see
// resolution.go).
const mentionItemsFromResolution = `INSERT INTO mention_items(mention, item)
	SELECT r.mention, r.item FROM resolution r
	LEFT JOIN items i ON i.seq = r.item
	WHERE i.id IS NULL OR substr(r.mention, 1, length(i.id) + 1) <> i.id || '/'`

// ResolutionByItemSchema is schema version 5 for PostgreSQL: the
// resolution table keyed by item and mention instead of by mention
// (see resolution.go); mention_items holds the few mentions whose IDs do
// not begin with their item's ID.
func ResolutionByItemSchema() []string {
	return []string{
		`CREATE TABLE mention_items(
			mention TEXT PRIMARY KEY,
			item BIGINT NOT NULL)`,
		mentionItemsFromResolution,
		`ALTER TABLE resolution DROP CONSTRAINT resolution_pkey`,
		`ALTER TABLE resolution ADD PRIMARY KEY (item, mention)`,
		`DROP INDEX resolution_item`,
	}
}

// ResolutionByItemSchemaSQLite is schema version 5 for SQLite: as
// ResolutionByItemSchema. The table keeps its rowid, with a unique index
// on item and mention: a table clustered by that key (WITHOUT ROWID)
// would carry the key in every entry of the entity index, doubling that
// index, whose entries land on random pages (entity IDs are hashed), and
// saving nothing (docs/benchmarks/alerts.md).
func ResolutionByItemSchemaSQLite() []string {
	return []string{
		`CREATE TABLE resolution_by_item(
			mention TEXT NOT NULL,
			entity TEXT NOT NULL,
			type TEXT NOT NULL,
			item BIGINT NOT NULL,
			caption TEXT NOT NULL DEFAULT '')`,
		`INSERT INTO resolution_by_item(mention, entity, type, item, caption) SELECT mention, entity, type, item, caption FROM resolution ORDER BY item, mention`,
		`CREATE TABLE mention_items(
			mention TEXT PRIMARY KEY,
			item BIGINT NOT NULL) WITHOUT ROWID`,
		mentionItemsFromResolution,
		`DROP TABLE resolution`,
		`ALTER TABLE resolution_by_item RENAME TO resolution`,
		`CREATE UNIQUE INDEX resolution_at ON resolution(item, mention)`,
		`CREATE INDEX resolution_entity ON resolution(entity)`,
	}
}
