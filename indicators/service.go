// Package indicators turns stored answers into the figures Samspil
// publishes, and is the one place that decides what may be published:
// JSON, pages, charts, reports and exports all take their figures from
// here and never compute or un-hide a statistic themselves.
package indicators

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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
	// LoadRelease and SaveRelease keep release documents, encoded, under
	// an id. SaveRelease writes one only if the stored one reaches through
	// expect ("": there is none), and says whether it wrote it.
	LoadRelease(ctx context.Context, id string) ([]byte, bool, error)
	SaveRelease(ctx context.Context, id, expect, through string, data []byte) (bool, error)
	// FollowedResponses returns the responses follow-up codes link in a
	// partnership, person by person, with scores and without answers.
	FollowedResponses(ctx context.Context, partnership string) ([][]forms.Response, error)
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
// last closed month first when it is behind.
func (s *Service) released(ctx context.Context, p partnership.Partnership, f *forms.Form) (Release, error) {
	id := releaseID(p.ID, f.ID)
	through := lastClosedMonth(s.now())
	s.mu.Lock()
	rel, ok := s.cached[id]
	s.mu.Unlock()
	if ok && rel.Through == through {
		return rel, nil
	}
	// The extension outlives a caller that gives up, so that the others
	// waiting for it do not fail with it.
	ch := s.extending.DoChan(id+"@"+through, func() (_ any, err error) {
		// A panic runs in this goroutine; the callers get it back as one.
		defer func() {
			if v := recover(); v != nil {
				err = panicked{v}
			}
		}()
		work, cancel := context.WithTimeout(context.WithoutCancel(ctx), extendTimeout)
		defer cancel()
		return s.extend(work, p, f, id, through)
	})
	select {
	case <-ctx.Done():
		return Release{}, fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err())
	case res := <-ch:
		var pe panicked
		if errors.As(res.Err, &pe) {
			panic(pe.v)
		}
		if res.Err != nil {
			return Release{}, res.Err
		}
		return res.Val.(Release), nil
	}
}

// panicked carries a panic out of a shared extension to its callers.
type panicked struct{ v any }

func (p panicked) Error() string { return fmt.Sprint("release panicked: ", p.v) }

// extendTimeout bounds releasing the months that ended: a million
// responses take about a minute.
const extendTimeout = 10 * time.Minute

// extend loads the stored release, which the background release or
// another instance may have extended already, and extends it through the
// month given if it is still behind: the new months first, each in a
// document of this extension's own, then the head that names them, only
// if the stored head is still the one extended. When another extension
// got there first, its release is the one served, here too: every
// instance serves the same stored release.
func (s *Service) extend(ctx context.Context, p partnership.Partnership, f *forms.Form, id, through string) (Release, error) {
	rel, err := s.load(ctx, id)
	if err != nil {
		return Release{}, err
	}
	if rel.Through < through {
		loaded := rel.Through
		rel.Partnership, rel.Form = p.ID, f.ID
		d, m := dimSet(f), newMonthAtoms(s.forms)
		days := forms.Days{To: monthEnd(through)}
		if rel.Through != "" {
			days.From = nextMonth(rel.Through) + "-01"
		}
		err := s.store.EachResponseIn(ctx, f.ID, p.ID, days, func(r forms.Response) error { return m.add(ctx, d.Dims, r) })
		if err != nil {
			return Release{}, fmt.Errorf("%w: read responses for release %s: %w", ErrUnavailable, id, err)
		}
		gen := newGeneration()
		var added map[string][]Class
		rel, added = extend(rel, f, d, m, through, gen, minGroup(p))
		for month, classes := range added {
			if _, err := s.save(ctx, monthID(id, month, gen), "", month, monthClasses{Classes: classes}); err != nil {
				return Release{}, err
			}
		}
		saved, err := s.save(ctx, id, loaded, through, rel.Head)
		if err != nil {
			return Release{}, err
		}
		if !saved {
			if rel, err = s.load(ctx, id); err != nil {
				return Release{}, err
			}
		}
	}
	s.mu.Lock()
	s.cached[id] = rel
	s.mu.Unlock()
	return rel, nil
}

// newGeneration names one extension's month documents.
func newGeneration() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func monthID(id, month, gen string) string { return id + ":" + month + ":" + gen }

// load reads a release's head and the classes of each of its months.
func (s *Service) load(ctx context.Context, id string) (Release, error) {
	var rel Release
	if _, err := s.read(ctx, id, &rel.Head); err != nil {
		return Release{}, err
	}
	for _, month := range slices.Sorted(maps.Keys(rel.Months)) {
		var mc monthClasses
		found, err := s.read(ctx, monthID(id, month, rel.Months[month].Gen), &mc)
		if err != nil {
			return Release{}, err
		}
		if !found {
			return Release{}, fmt.Errorf("%w: release %s lacks month %s", ErrUnavailable, id, month)
		}
		rel.Classes = append(rel.Classes, mc.Classes...)
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

// save writes a release document reaching through a month if the stored
// one reaches through expect ("": none is stored), and says whether it did.
func (s *Service) save(ctx context.Context, id, expect, through string, v any) (bool, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return false, fmt.Errorf("encode release %s: %w", id, err)
	}
	saved, err := s.store.SaveRelease(ctx, id, expect, through, data)
	if err != nil {
		return false, fmt.Errorf("%w: save release %s: %w", ErrUnavailable, id, err)
	}
	return saved, nil
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
			protect(&c, f, rel.set(c), min)
		}
		out = append(out, c)
	}
	return out
}

// set gives the dimension set a class was released with.
func (rel Release) set(c Class) DimSet { return rel.Sets[c.Set] }
