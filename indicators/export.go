package indicators

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

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

// Export is a k-anonymous export of a citizen form, its releases loaded:
// each row is one of at least the minimum group of rows that agree on
// month, wave, activity and every quasi-identifier, because it shows its
// class's values and Generalised for what the class gave up; answers the
// class withholds from every figure are blank here too; responses not
// released are left out, and so is the language answered in, which would
// single out the few who answered in Arabic.
type Export struct {
	form *forms.Form
	pid  string
	// releases holds each partnership's release and the classes it may
	// show, by atom.
	releases map[string]exportRelease
}

type exportRelease struct {
	rel     Release
	byAtom  map[string]int
	classes []Class
}

// Export loads the releases an export of one partnership's responses (or,
// with pid "", of every partnership's in ps) reads, before anything is
// written: a store that fails fails the request, not its last rows.
func (s *Service) Export(ctx context.Context, f *forms.Form, ps []partnership.Partnership, pid string) (*Export, error) {
	e := &Export{form: f, pid: pid, releases: map[string]exportRelease{}}
	all := append([]partnership.Partnership{{ID: "", MinGroup: DefaultMinGroup}}, ps...)
	for _, p := range all {
		if pid != "" && p.ID != pid {
			continue
		}
		rel, err := s.released(ctx, p, f)
		if err != nil {
			return nil, err
		}
		er := exportRelease{rel: rel, byAtom: map[string]int{}, classes: rel.shown(f, p)}
		for i, c := range er.classes {
			for _, a := range c.Atoms {
				er.byAtom[a] = i
			}
		}
		e.releases[p.ID] = er
	}
	return e, nil
}

// Write reads the responses (of one wave, when wave is set: the wave a
// row's class keeps) and writes them. encode turns a protected row into a
// line; lines are written class by class, each class's lines sorted, so
// that the order tells nothing of where or when a row was stored (rows are
// stored by wave, activity and day). The lines are held until all are
// read: an export takes memory in proportion to its size.
func (e *Export) Write(ctx context.Context, store ExportStore, wave string, encode func(Row) (string, error), write func(string) error) error {
	lines := map[string][]string{}
	err := store.EachResponse(ctx, e.form.ID, e.pid, "", func(r forms.Response) error {
		er, ok := e.releases[r.Partnership]
		if !ok {
			return nil
		}
		month := r.SubmittedAt.UTC().Format("2006-01")
		ref, ok := er.rel.Months[month]
		if !ok || month > er.rel.Through {
			return nil
		}
		key := atomKey(er.rel.Sets[ref.Set].Dims, r)
		i, ok := er.byAtom[atomID(key)]
		if !ok {
			return nil
		}
		c := er.classes[i]
		if w, kept := value(c, er.rel.set(c).Dims, "wave"); wave != "" && (!kept || w != wave) {
			return nil
		}
		line, err := encode(protectRow(e.form, r, key, c, er.rel.set(c)))
		if err != nil {
			return err
		}
		id := fmt.Sprintf("%s\x00%08d", r.Partnership, i)
		lines[id] = append(lines[id], line)
		return nil
	})
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(lines))
	for id := range lines {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		slices.Sort(lines[id])
		for _, line := range lines[id] {
			if err := write(line); err != nil {
				return err
			}
		}
	}
	return nil
}

// protectRow gives a response its class's attributes and blanks what the
// class withholds: quasi-identifiers it gave up (even whether they were
// answered), the questions they show or hide, and withheld indices with
// their items, all as the class was released.
func protectRow(f *forms.Form, r forms.Response, key []string, c Class, set DimSet) Row {
	dims := set.Dims
	row := Row{Response: r, Month: key[0]}
	row.Lang, row.SubmissionID, row.ID, row.Fingerprint, row.SubmittedAt = "", "", "", "", time.Time{}
	row.Answers = forms.Answers{}
	for k, v := range r.Answers {
		row.Answers[k] = v
	}
	row.Scores = forms.Scores{}
	for k, v := range r.Scores {
		row.Scores[k] = v
	}
	if _, kept := value(c, dims, "month"); !kept {
		row.Month = Generalised
	}
	if _, kept := value(c, dims, "wave"); !kept {
		row.Wave = Generalised
	}
	if _, kept := value(c, dims, "activity"); !kept {
		row.Activity = Generalised
	}
	hidden := set.hidden(c)
	for id := range row.Answers {
		if hidden(id) {
			delete(row.Answers, id)
		}
	}
	for _, id := range set.qis() {
		if hidden(id) {
			row.Answers[id] = Generalised
		}
	}
	blankWithheld(f, &row, c.Withheld)
	return row
}

// PartnerExport is an export of partner-survey answers, its waves loaded:
// the answers of waves that have closed (until then they may change, and
// the backbone sees who answered) and that at least the minimum group of
// partners answered, without the rater, the day or the roster (whom a
// partner works with, which the network map shows, would tell whose row a
// row is), in sorted order.
type PartnerExport struct {
	form  *forms.Form
	pid   string
	waves map[string]partnership.Wave
	min   map[string]int
	now   time.Time
}

// PartnerExport loads the waves an export of one partnership's partner
// answers (or, with pid "", of every partnership's in ps) reads.
func (s *Service) PartnerExport(ctx context.Context, f *forms.Form, ps []partnership.Partnership, pid string) (*PartnerExport, error) {
	e := &PartnerExport{form: f, pid: pid, waves: map[string]partnership.Wave{}, min: map[string]int{}, now: s.now()}
	for _, p := range ps {
		if pid != "" && p.ID != pid {
			continue
		}
		ws, err := s.partners.Waves(ctx, p.ID)
		if err != nil {
			return nil, fmt.Errorf("%w: waves of %s: %w", ErrUnavailable, p.ID, err)
		}
		for _, w := range ws {
			e.waves[w.ID] = w
		}
		e.min[p.ID] = minGroup(p)
	}
	return e, nil
}

// Write reads the answers (of one wave, when wave is set) and writes the
// lines encode makes of them, wave by wave, each wave's lines sorted.
func (e *PartnerExport) Write(ctx context.Context, store ExportStore, wave string, encode func(Row) (string, error), write func(string) error) error {
	rows := map[string][]Row{}
	err := store.EachResponse(ctx, e.form.ID, e.pid, wave, func(r forms.Response) error {
		w, ok := e.waves[r.Wave]
		if !ok || w.Status(e.now) != partnership.Closed {
			return nil
		}
		row := Row{Response: r}
		row.Partner, row.Lang, row.SubmittedAt = "", "", time.Time{}
		row.Answers = forms.Answers{}
		for k, v := range r.Answers {
			if it, ok := e.form.Item(k); !ok || it.Type != forms.TypePartners {
				row.Answers[k] = v
			}
		}
		id := w.Partnership + "\x00" + w.ID
		rows[id] = append(rows[id], row)
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(rows)) {
		pid, _, _ := strings.Cut(id, "\x00")
		if len(rows[id]) < e.min[pid] {
			continue
		}
		// The wave is one class: what fewer than the minimum of its
		// partners answered is blank, as health leaves it out.
		wave := Class{}
		for _, r := range rows[id] {
			wave.Tally.Apply(e.form.Counts(r.Answers))
		}
		protect(&wave, e.form, DimSet{Dims: place}, e.min[pid])
		var lines []string
		for _, r := range rows[id] {
			blankWithheld(e.form, &r, wave.Withheld)
			line, err := encode(r)
			if err != nil {
				return err
			}
			lines = append(lines, line)
		}
		slices.Sort(lines)
		for _, line := range lines {
			if err := write(line); err != nil {
				return err
			}
		}
	}
	return nil
}

// blankWithheld takes out of a row the questions and indices (with their
// items) its class withholds from every figure.
func blankWithheld(f *forms.Form, row *Row, withheld []string) {
	for _, id := range withheld {
		delete(row.Answers, id)
		if sc, ok := f.Scale(id); ok {
			delete(row.Scores, id)
			for _, it := range sc.Items {
				delete(row.Answers, it)
			}
		}
	}
}
