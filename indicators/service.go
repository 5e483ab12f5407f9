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
	"maps"
	"slices"
	"strings"
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
	SaveRelease(ctx context.Context, id, through string, data []byte) error
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
// month given if it is still behind: the new months first, then the head
// that says they are there.
func (s *Service) extend(ctx context.Context, p partnership.Partnership, f *forms.Form, id, through string) (Release, error) {
	rel, err := s.load(ctx, id)
	if err != nil {
		return Release{}, err
	}
	rel.Partnership, rel.Form = p.ID, f.ID
	if rel.Through < through {
		d, m := dims(f), newMonthAtoms(s.forms)
		days := forms.Days{To: monthEnd(through)}
		if rel.Through != "" {
			days.From = nextMonth(rel.Through) + "-01"
		}
		err := s.store.EachResponseIn(ctx, f.ID, p.ID, days, func(r forms.Response) error { return m.add(ctx, d, r) })
		if err != nil {
			return Release{}, fmt.Errorf("%w: read responses for release %s: %w", ErrUnavailable, id, err)
		}
		var added map[string][]Class
		rel, added = extend(rel, f, d, m, through, minGroup(p))
		for month, classes := range added {
			if err := s.save(ctx, id+":"+month, month, monthClasses{Classes: classes}); err != nil {
				return Release{}, err
			}
		}
		if err := s.save(ctx, id, through, rel.Head); err != nil {
			return Release{}, err
		}
	}
	s.mu.Lock()
	s.cached[id] = rel
	s.mu.Unlock()
	return rel, nil
}

// load reads a release's head and the classes of each of its months.
func (s *Service) load(ctx context.Context, id string) (Release, error) {
	var rel Release
	if _, err := s.read(ctx, id, &rel.Head); err != nil {
		return Release{}, err
	}
	for _, month := range slices.Sorted(maps.Keys(rel.Months)) {
		var mc monthClasses
		found, err := s.read(ctx, id+":"+month, &mc)
		if err != nil {
			return Release{}, err
		}
		if !found {
			return Release{}, fmt.Errorf("%w: release %s lacks month %s", ErrUnavailable, id, month)
		}
		for _, c := range mc.Classes {
			c.Released = month
			rel.Classes = append(rel.Classes, c)
		}
	}
	return rel, nil
}

func (s *Service) read(ctx context.Context, id string, v any) (bool, error) {
	data, found, err := s.store.LoadRelease(ctx, id)
	if err != nil {
		return false, fmt.Errorf("%w: load release %s: %w", ErrUnavailable, id, err)
	}
	if !found {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("decode release %s: %w", id, err)
	}
	return true, nil
}

func (s *Service) save(ctx context.Context, id, through string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode release %s: %w", id, err)
	}
	if err := s.store.SaveRelease(ctx, id, through, data); err != nil {
		return fmt.Errorf("%w: save release %s: %w", ErrUnavailable, id, err)
	}
	return nil
}

// minGroup is the partnership's minimum group, never below the floor.
func minGroup(p partnership.Partnership) int {
	return max(p.MinGroup, partnership.MinGroupFloor)
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
// partnership's current minimum group: one raised after a class was
// released hides the class, or the parts of it too small now, whole.
func (rel Release) shown(f *forms.Form, p partnership.Partnership) []Class {
	min := minGroup(p)
	out := make([]Class, 0, len(rel.Classes))
	for _, c := range rel.Classes {
		if c.Tally.N < min {
			continue
		}
		if min > c.Min {
			c = c.clone()
			protect(&c, f, rel.DimSets[c.Dims], min)
		}
		out = append(out, c)
	}
	return out
}

// dims gives the dimension set a class was released with.
func (rel Release) dims(c Class) []string { return rel.DimSets[c.Dims] }

// Retally recomputes the tallies of a form's released classes in a
// partnership from the stored answers, with the current scoring rules,
// after a correction. Which responses make up a class never changes: a
// class formed anew could be compared with the one published before.
func (s *Service) Retally(ctx context.Context, p partnership.Partnership, f *forms.Form) error {
	id := releaseID(p.ID, f.ID)
	rel, err := s.load(ctx, id)
	if err != nil || rel.Through == "" {
		return err
	}
	m := newMonthAtoms(s.forms)
	err = s.store.EachResponseIn(ctx, f.ID, p.ID, forms.Days{To: monthEnd(rel.Through)}, func(r forms.Response) error {
		if set, ok := rel.Months[r.SubmittedAt.UTC().Format("2006-01")]; ok {
			return m.add(ctx, rel.DimSets[set], r)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: read responses for release %s: %w", ErrUnavailable, id, err)
	}
	tally := func(aid string) forms.Tally {
		month, _, _ := strings.Cut(aid, "/")
		if c := m.months[month][aid]; c != nil {
			return c.atom().Tally
		}
		return forms.Tally{}
	}
	byMonth := map[string][]Class{}
	for _, c := range rel.Classes {
		c.Tally, c.Withheld = forms.Tally{}, nil
		for _, aid := range c.Atoms {
			c.Tally.Add(tally(aid))
		}
		protect(&c, f, rel.dims(c), c.Min)
		byMonth[c.Released] = append(byMonth[c.Released], c)
	}
	for i, a := range rel.Carry {
		rel.Carry[i].Tally = tally(atomID(a.Key))
	}
	for month := range rel.Months {
		if err := s.save(ctx, id+":"+month, month, monthClasses{Classes: byMonth[month]}); err != nil {
			return err
		}
	}
	return s.save(ctx, id, rel.Through, rel.Head)
}
