package indicators

import (
	"context"
	"slices"

	"samspil/forms"
	"samspil/partnership"
)

// Generalised is what an export shows for an attribute a row's class gave
// up: the row is one of at least the minimum group that agree on all the
// rest.
const Generalised = "*"

// Row is one response as a protected export shows it.
type Row struct {
	forms.Response
	// Month replaces the day and time of answering.
	Month string
}

// ExportStore streams the stored responses an export reads.
type ExportStore interface {
	EachResponse(ctx context.Context, form, partnership, wave string, fn func(forms.Response) error) error
}

// EachRow calls fn with every released citizen response to f, in one
// partnership or (pid "") in all of ps, as a k-anonymous export shows it:
// each row is one of at least the minimum group of rows that agree on
// month, wave, activity and every quasi-identifier, because it shows its
// class's values and Generalised for what the class gave up; answers the
// class withholds from every figure are blank here too; responses not
// released yet are left out. The language of the form is left out: it
// would single out the few who answered in Arabic.
func (s *Service) EachRow(ctx context.Context, store ExportStore, f *forms.Form, ps []partnership.Partnership, pid, wave string, fn func(Row) error) error {
	classes := map[string]map[string]*Class{}
	load := func(id string) (map[string]*Class, error) {
		if m, ok := classes[id]; ok {
			return m, nil
		}
		p := partnership.Partnership{ID: id, MinGroup: DefaultMinGroup}
		if i := slices.IndexFunc(ps, func(p partnership.Partnership) bool { return p.ID == id }); i >= 0 {
			p = ps[i]
		}
		rel, err := s.released(ctx, p, f)
		if err != nil {
			return nil, err
		}
		m := map[string]*Class{}
		shown := rel.shown(f, p.MinGroup)
		for i := range shown {
			for _, a := range shown[i].Atoms {
				m[a] = &shown[i]
			}
		}
		classes[id] = m
		return m, nil
	}
	return store.EachResponse(ctx, f.ID, pid, wave, func(r forms.Response) error {
		m, err := load(r.Partnership)
		if err != nil {
			return err
		}
		key := atomKey(f, r)
		c := m[atomID(key)]
		if c == nil {
			return nil
		}
		return fn(protectRow(f, r, key, c))
	})
}

// protectRow gives a response its class's attributes and blanks what the
// class withholds.
func protectRow(f *forms.Form, r forms.Response, key []string, c *Class) Row {
	row := Row{Response: r, Month: key[0]}
	row.Lang, row.SubmissionID, row.ID = "", "", ""
	row.Answers = forms.Answers{}
	for k, v := range r.Answers {
		row.Answers[k] = v
	}
	row.Scores = forms.Scores{}
	for k, v := range r.Scores {
		row.Scores[k] = v
	}
	if _, kept := c.value(0); !kept {
		row.Month = Generalised
	}
	if _, kept := c.value(1); !kept {
		row.Wave = Generalised
	}
	if _, kept := c.value(2); !kept {
		row.Activity = Generalised
	}
	for i, id := range f.QuasiIdentifiers {
		// Even whether it was answered stays with the class.
		if _, kept := c.value(3 + i); !kept {
			row.Answers[id] = Generalised
		}
	}
	for _, id := range c.Withheld {
		delete(row.Answers, id)
		if sc, ok := f.Scale(id); ok {
			delete(row.Scores, id)
			for _, it := range sc.Items {
				delete(row.Answers, it)
			}
		}
	}
	return row
}
