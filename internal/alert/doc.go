// Package alert raises alerts from declarative rules over resolved
// entities, their associations and time, and delivers them.
//
// # Rules
//
// A rules file (YAML; the built-in one is rules/default.yaml, a data
// directory may hold its own alert-rules.yaml) names who counts as a
// subject, which link paths make two people associates (one hop), named
// value sets, and the rules. A rule fires on an anchor record of a kind
// for the person in one of its roles when its conditions hold: the
// person is a subject (optionally on given lists); a link of the record
// joins them to a subject; a subject is within N hops; other records with
// equal fields (the same flight and day) have enough distinct subjects;
// or enough records of another kind by them or an associate fall within a
// time window. Alerts fold on a key (the record, the subject's entries,
// the entity, or the shared fields), so mosaic.AlertID is stable. A rule
// that uses special-category data (religion, ethnicity, national or
// ethnic origin, race, politics, sexuality, health, ...) in any field,
// value, set or record kind is refused at load (SpecialCategoryError).
//
// # Evaluation
//
// Engine implements stages.Rules: the rules stage (the last) calls
// Evaluate with every batch after resolution and linking. The engine keeps the link
// graph its rules need, the records of the kinds they name and who is a
// subject; it asks a Resolver for entities at every evaluation, so merges
// and splits are always current. Rules are re-evaluated around a subject
// that appears after its records and around links that arrive after the
// records they connect, so arrival order does not decide what alerts.
// Hubs (a number given by dozens of people) are never crossed.
//
// # Delivery
//
// The store's alerts table is the system of record. Feed reads alerts in
// the order they were raised or folded after a Cursor, which can be kept
// in a file; Notifier wakes in-process readers when alerts commit. The
// command line (mosaic alerts --follow), the HTTP event stream
// (internal/httpapi) and the webhook Deliverer all read the feed, so a
// restart of either side loses nothing. A Deliverer keeps a durable
// outbox per webhook and retries with exponential backoff; requests carry
// an HMAC-SHA256 signature (Signature) and a stable delivery ID.
//
// # Concurrency
//
// An Engine serialises Evaluate, Observe and Restore with one mutex; the
// pipeline calls them from the rules stage's goroutine. Feed, Notifier
// and Deliverer are safe for concurrent use; each Deliverer.Run owns one
// goroutine, stopped by its context (Service.Stop waits for them).
package alert
