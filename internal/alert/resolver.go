package alert

import (
	"context"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Resolver says which entity a person or organisation mention belongs to
// now. Entities merge and split as resolution learns, so the engine asks
// at every evaluation rather than remembering.
type Resolver interface {
	// EntityOf returns the entity holding mention m ("" when unresolved).
	EntityOf(ctx context.Context, m mosaic.ID) (mosaic.ID, error)
	// Peers returns the mentions of the entity holding m (just m when
	// unresolved).
	Peers(ctx context.Context, m mosaic.ID) ([]mosaic.ID, error)
}

// EngineResolver answers from the resolution engine in memory (the
// pipeline's own, so it is always current).
type EngineResolver struct{ Engine *resolve.Engine }

var _ Resolver = EngineResolver{}

// EntityOf implements Resolver.
func (r EngineResolver) EntityOf(_ context.Context, m mosaic.ID) (mosaic.ID, error) {
	c, err := r.Engine.Cluster(string(m))
	if err != nil {
		return "", nil // not a record the engine knows: unresolved
	}
	return mosaic.EntityIDFor(mosaic.ID(c)), nil
}

// Peers implements Resolver.
func (r EngineResolver) Peers(_ context.Context, m mosaic.ID) ([]mosaic.ID, error) {
	ms, err := r.Engine.Members(string(m))
	if err != nil {
		return []mosaic.ID{m}, nil
	}
	out := make([]mosaic.ID, len(ms))
	for i, x := range ms {
		out[i] = mosaic.ID(x)
	}
	return out, nil
}

// StoreResolver answers from the store's resolution table (for processes
// that do not run the resolution engine).
type StoreResolver struct{ Store store.EntityReader }

var _ Resolver = StoreResolver{}

// EntityOf implements Resolver.
func (r StoreResolver) EntityOf(ctx context.Context, m mosaic.ID) (mosaic.ID, error) {
	got, err := r.Store.EntityOf(ctx, []mosaic.ID{m})
	if err != nil {
		return "", err
	}
	return got[m], nil
}

// Peers implements Resolver.
func (r StoreResolver) Peers(ctx context.Context, m mosaic.ID) ([]mosaic.ID, error) {
	e, err := r.EntityOf(ctx, m)
	if err != nil || e == "" {
		return []mosaic.ID{m}, err
	}
	as, err := r.Store.Members(ctx, e)
	if err != nil {
		return nil, err
	}
	out := make([]mosaic.ID, 0, len(as))
	for _, a := range as {
		out = append(out, a.Mention)
	}
	if len(out) == 0 {
		out = append(out, m)
	}
	return out, nil
}
