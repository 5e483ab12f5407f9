package indicators

import (
	"context"
	"errors"
	"fmt"
	"time"

	"samspil/forms"
	"samspil/partnership"
	"samspil/theory"
)

// Reading is what a program theory's box shows of its measure: the latest
// figure the partnership's protected results publish, and the one before,
// never anything they withhold.
type Reading struct {
	// Shown is false when there is no figure to show: Withheld then says
	// whether it is for too few answers, rather than none yet.
	Shown    bool `json:"shown"`
	Withheld bool `json:"withheld,omitempty"`
	// Value is the figure: a mean on the scale's range, a share from 0 to
	// 1, a count, or a network metric.
	Value float64 `json:"value,omitempty"`
	// Previous is the figure before the latest month or wave, when that
	// is shown too.
	Previous *float64 `json:"previous,omitempty"`
	// Met says whether the target is met, when there is one.
	Met *bool `json:"met,omitempty"`
	// Through names what the figure covers: the last month released, or
	// the partner wave.
	Through string `json:"through,omitempty"`
}

// Reading reads a measure through the same protected results the
// partnership's figures come from.
func (s *Service) Reading(ctx context.Context, p partnership.Partnership, m theory.Measure) (Reading, error) {
	rs, err := s.Readings(ctx, p, []theory.Measure{m})
	if err != nil {
		return Reading{}, err
	}
	return rs[0], nil
}

// Readings reads several measures, such as every box of a theory, asking
// for each result they share (a form's figures, the latest round's health
// or network) once.
func (s *Service) Readings(ctx context.Context, p partnership.Partnership, ms []theory.Measure) ([]Reading, error) {
	rd := &reader{s: s, p: p, inclusions: map[string]Inclusion{}}
	out := make([]Reading, len(ms))
	for i, m := range ms {
		var r Reading
		var err error
		switch m.Kind {
		case theory.Index, theory.Share, theory.Responses:
			r, err = rd.citizen(ctx, m)
		case theory.Health:
			r, err = rd.health(ctx, m)
		case theory.Network:
			r, err = rd.network(ctx, m)
		default:
			return nil, fmt.Errorf("unknown measure kind %q", m.Kind)
		}
		if err != nil {
			return nil, err
		}
		if r.Shown && m.Target != nil {
			// A share's target is written in per cent.
			v := r.Value
			if m.Kind == theory.Share {
				v *= 100
			}
			met := m.Target.Met(v)
			r.Met = &met
		}
		out[i] = r
	}
	return out, nil
}

// reader keeps the results a set of readings has asked for.
type reader struct {
	s          *Service
	p          partnership.Partnership
	inclusions map[string]Inclusion // by form and last month
	healthOf   *Health
	networkOf  *Network
	noWave     bool
}

// inclusion is a form's citizen figures through the month to ("" for all).
func (rd *reader) inclusion(ctx context.Context, f *forms.Form, to string) (Inclusion, error) {
	key := f.ID + "|" + to
	if inc, ok := rd.inclusions[key]; ok {
		return inc, nil
	}
	inc, err := rd.s.Inclusion(ctx, rd.p, f, Query{To: to})
	if err == nil {
		rd.inclusions[key] = inc
	}
	return inc, err
}

// citizen reads an index, a share or a response count over every
// released month, and over all but the last one for the one before.
func (rd *reader) citizen(ctx context.Context, m theory.Measure) (Reading, error) {
	f, err := rd.s.forms.Form(ctx, m.Form, 0)
	if err != nil {
		return Reading{}, nil
	}
	all, err := rd.inclusion(ctx, f, "")
	if err != nil {
		return Reading{}, err
	}
	r := readGroup(all.Total, m)
	r.Through = all.ReleasedThrough
	if !r.Shown || all.ReleasedThrough == "" {
		return r, nil
	}
	last, err := time.Parse("2006-01", all.ReleasedThrough)
	if err != nil {
		return r, nil
	}
	before, err := rd.inclusion(ctx, f, last.AddDate(0, -1, 0).Format("2006-01"))
	if err != nil {
		return Reading{}, err
	}
	if b := readGroup(before.Total, m); b.Shown {
		r.Previous = &b.Value
	}
	return r, nil
}

// readGroup reads a measure off a group of citizen figures.
func readGroup(g Group, m theory.Measure) Reading {
	withheld := Reading{Withheld: true}
	if g.Suppressed {
		return withheld
	}
	switch m.Kind {
	case theory.Responses:
		if g.N == 0 {
			return Reading{}
		}
		return Reading{Shown: true, Value: float64(g.N)}
	case theory.Index:
		ix, ok := g.Indices[m.Key]
		switch {
		case !ok && g.N == 0:
			return Reading{}
		case !ok || ix.Suppressed || ix.Mean == nil:
			return withheld
		}
		return Reading{Shown: true, Value: *ix.Mean}
	case theory.Share:
		item, value := m.ShareOf()
		shares, ok := g.Shares[item]
		if !ok {
			if g.N == 0 {
				return Reading{}
			}
			return withheld
		}
		return Reading{Shown: true, Value: shares[value]}
	}
	return Reading{}
}

// health reads an element of partnership health in the latest partner
// wave, and the change since the one before.
func (rd *reader) health(ctx context.Context, m theory.Measure) (Reading, error) {
	if rd.healthOf == nil && !rd.noWave {
		h, err := rd.s.Health(ctx, rd.p, "")
		switch {
		case errors.Is(err, ErrNoPartnerWave):
			rd.noWave = true
		case err != nil:
			return Reading{}, err
		default:
			rd.healthOf = &h
		}
	}
	if rd.healthOf == nil {
		return Reading{}, nil
	}
	h := rd.healthOf
	for _, f := range h.Factors {
		if f.Factor != m.Key {
			continue
		}
		switch {
		case !h.Released:
			return Reading{Through: h.Wave}, nil
		case f.Total.Suppressed || f.Total.Mean == nil:
			return Reading{Withheld: true, Through: h.Wave}, nil
		}
		r := Reading{Shown: true, Value: *f.Total.Mean, Through: h.Wave}
		if f.Change != nil {
			prev := r.Value - f.Change.Difference
			r.Previous = &prev
		}
		return r, nil
	}
	return Reading{}, nil
}

// network reads a metric of the latest partner wave's network.
func (rd *reader) network(ctx context.Context, m theory.Measure) (Reading, error) {
	if rd.networkOf == nil && !rd.noWave {
		n, err := rd.s.Network(ctx, rd.p, "")
		switch {
		case errors.Is(err, ErrNoPartnerWave):
			rd.noWave = true
		case err != nil:
			return Reading{}, err
		default:
			rd.networkOf = &n
		}
	}
	n := rd.networkOf
	if n == nil {
		return Reading{}, nil
	}
	if !n.Released {
		return Reading{Through: n.Wave}, nil
	}
	r := Reading{Shown: true, Through: n.Wave}
	switch m.Key {
	case "density":
		r.Value = n.Metrics.Density
	case "cross_sector":
		r.Value = n.Metrics.EIIndex
	case "isolates":
		r.Value = float64(len(n.Metrics.Isolates))
	case "partners":
		r.Value = float64(n.Metrics.Nodes)
	default:
		return Reading{}, nil
	}
	return r, nil
}
