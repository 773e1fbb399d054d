// Package worker scales the pipeline out: stateless workers on many
// machines share one PostgreSQL store and one NATS JetStream cluster, and
// API nodes keep their in-memory indexes current from them.
//
// # Which stage runs where
//
// Extract and link keep no state between batches: every worker that runs
// them takes work from the stage's shared durable consumer, so they
// spread over all workers. Screen (the watch-list index), resolve (one
// engine whose decisions depend on everything it has seen) and rules (the
// alert rules' memory, with a watch-list index of its own) run as Ordered
// stages: one worker at a time holds the
// stage's lease and processes items in Seq order, restoring the state
// from the store when it takes over. So two workers never decide the same
// merge differently, and the results are those of the embedded pipeline.
//
// # Leases and the fence
//
// A lease is a row in the store (Lease); its holder is the
// application_name of the worker's connections. The fence, a trigger on
// stage_done (Install), refuses a batch commit from a worker that no
// longer holds its stage's lease, in the batch's own transaction; a
// takeover waits for batches in flight. A deposed worker therefore writes
// nothing after a takeover, whatever its clock or its pauses.
//
// # API nodes
//
// Follower keeps an API node's link graph and watch-list index current
// by following the store (the link stage's progress) and fan-out Events
// over core NATS (resolution moved mentions; the screen stage passed
// watch-list entries).
//
// # Concurrency
//
// Ordered.Run, Follower.Run and Lease.Hold own the goroutines they start
// and return when they have stopped.
package worker
