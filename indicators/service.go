// Package indicators turns stored answers into the figures Samspil
// publishes, and is the one place that decides what may be published:
// JSON, pages, charts, reports and exports all take their figures from
// here and never compute or un-hide a statistic themselves.
package indicators

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"samspil/forms"
	"samspil/partnership"
)

// Store is what indicators need from storage.
type Store interface {
	// EachResponseIn calls fn with every response to a form in one
	// partnership ("" for responses that name none) within days.
	EachResponseIn(ctx context.Context, form, partnership string, days forms.Days, fn func(forms.Response) error) error
	// LoadRelease and SaveRelease keep a release, encoded, under an id.
	LoadRelease(ctx context.Context, id string) ([]byte, bool, error)
	SaveRelease(ctx context.Context, id string, data []byte) error
}

// Service answers indicator queries: citizen figures from released
// classes, partner figures from the answers of closed waves.
type Service struct {
	store    Store
	partners PartnerStore
	forms    FormFinder
	now      func() time.Time
	mu       sync.Mutex
	cached   map[string]Release
	// extending lets one request extend a release while the others
	// asking for it at the same time wait for its result.
	extending singleflight.Group
}

// New returns a service over the stores; finder finds form versions and
// now tells the time.
func New(store Store, partners PartnerStore, finder FormFinder, now func() time.Time) *Service {
	return &Service{store: store, partners: partners, forms: finder, now: now, cached: map[string]Release{}}
}

// DefaultMinGroup protects responses that name no partnership.
const DefaultMinGroup = 5

// ErrUnavailable wraps a store failure.
var ErrUnavailable = errors.New("indicators unavailable")

func releaseID(pid, form string) string { return "release:" + form + ":" + pid }

// released returns the partnership's release of a form, extended to the
// last closed month first when it is behind. Two services extending the
// same release at once write the same document: a release follows from
// the stored answers alone.
func (s *Service) released(ctx context.Context, p partnership.Partnership, f *forms.Form) (Release, error) {
	id := releaseID(p.ID, f.ID)
	through := lastClosedMonth(s.now())
	s.mu.Lock()
	rel, ok := s.cached[id]
	s.mu.Unlock()
	if ok && rel.Through == through {
		return rel, nil
	}
	v, err, _ := s.extending.Do(id+"@"+through, func() (any, error) {
		return s.extend(ctx, p, f, id, through)
	})
	if err != nil {
		return Release{}, err
	}
	return v.(Release), nil
}

// extend loads the stored release, which the background release or
// another instance may have extended already, and extends it through the
// month given if it is still behind.
func (s *Service) extend(ctx context.Context, p partnership.Partnership, f *forms.Form, id, through string) (Release, error) {
	min := max(p.MinGroup, partnership.MinGroupFloor)
	var rel Release
	data, found, err := s.store.LoadRelease(ctx, id)
	if err != nil {
		return Release{}, fmt.Errorf("%w: load release %s: %w", ErrUnavailable, id, err)
	}
	if found {
		if err := json.Unmarshal(data, &rel); err != nil {
			return Release{}, fmt.Errorf("decode release %s: %w", id, err)
		}
	}
	if !slices.Equal(rel.Dims, dims(f)) {
		// A form version with other quasi-identifiers starts afresh.
		rel = Release{Partnership: p.ID, Form: f.ID, Dims: dims(f)}
	}
	if rel.Through < through {
		rel.Min = min
		m := newMonthAtoms(f, s.forms)
		days := forms.Days{To: monthEnd(through)}
		if rel.Through != "" {
			days.From = nextMonth(rel.Through) + "-01"
		}
		err := s.store.EachResponseIn(ctx, f.ID, p.ID, days, func(r forms.Response) error {
			m.add(r)
			return nil
		})
		if err != nil {
			return Release{}, fmt.Errorf("%w: read responses for release %s: %w", ErrUnavailable, id, err)
		}
		rel = extend(rel, f, m, through)
		data, err := json.Marshal(rel)
		if err != nil {
			return Release{}, fmt.Errorf("encode release %s: %w", id, err)
		}
		if err := s.store.SaveRelease(ctx, id, data); err != nil {
			return Release{}, fmt.Errorf("%w: save release %s: %w", ErrUnavailable, id, err)
		}
	}
	s.mu.Lock()
	s.cached[id] = rel
	s.mu.Unlock()
	return rel, nil
}

// ReleaseAll releases the ended months of every citizen form in every
// partnership, and of responses that name none, so that the first person
// to look after a month ends does not wait while it is released.
func (s *Service) ReleaseAll(ctx context.Context, ps []partnership.Partnership, fs []*forms.Form) error {
	all := append([]partnership.Partnership{{ID: "", MinGroup: DefaultMinGroup}}, ps...)
	for _, f := range fs {
		if f.Kind == forms.KindPartner {
			continue
		}
		for _, p := range all {
			if _, err := s.released(ctx, p, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// shown lists the released classes that may be shown under the
// partnership's current minimum group: one raised after a month was
// released hides that month's smaller classes, and smaller parts of
// classes, whole.
func (rel Release) shown(f *forms.Form, min int) []Class {
	out := make([]Class, 0, len(rel.Classes))
	for _, c := range rel.Classes {
		if c.Tally.N < min {
			continue
		}
		if min > rel.Min {
			c = c.clone()
			protect(&c, f, min)
		}
		out = append(out, c)
	}
	return out
}
