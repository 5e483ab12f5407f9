package storage

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"golang.org/x/sync/errgroup"

	"samspil/forms"
)

// Running totals are kept in cells: one per form version, partnership,
// wave and activity, and the same cell's days and months. This file says
// which cells a response adds to, and reads them back, whole or by date.

// totalsDoc is one cell of running totals: the sums of the responses to
// one form version in one partnership, wave and activity, and in daily
// totals one day. Its pending list (not decoded here) names the responses
// whose counts are applied but not yet marked as counted.
type totalsDoc struct {
	ID          string `bson:"_id"`
	Form        string `bson:"form"`
	Version     int    `bson:"version"`
	Partnership string `bson:"partnership"`
	Wave        string `bson:"wave"`
	Activity    string `bson:"activity"`
	Day         string `bson:"day"`
	Month       string `bson:"month,omitempty"`
	// FirstDay and LastDay bound the days of a cell without a day.
	FirstDay string      `bson:"first_day,omitempty"`
	LastDay  string      `bson:"last_day,omitempty"`
	Tally    forms.Tally `bson:",inline"`
}

// cellID names the running totals a response adds to: one cell per form
// version, partnership, wave and activity. A citizen's response also adds
// to that cell's day in the daily totals; a partner's answer, which may be
// replaced on another day, does not.
func cellID(r forms.Response) string {
	return strings.Join([]string{r.FormID, strconv.Itoa(r.FormVersion), r.Partnership, r.Wave, r.Activity}, ":")
}

// cellRef is one running-totals document a response adds to: its cell,
// or that cell's day or month.
type cellRef struct {
	coll  *mongo.Collection
	id    string
	day   string
	month string
}

// cells lists where a response's counts go. A citizen's response also
// adds to its cell's day and month, which date ranges read.
func (s *Store) cells(doc responseDoc) []cellRef {
	refs := []cellRef{{coll: s.totals, id: doc.Cell}}
	if doc.Day != "" {
		month := doc.Day[:len("2006-01")]
		refs = append(refs, cellRef{coll: s.daily, id: doc.Cell + ":" + doc.Day, day: doc.Day},
			cellRef{coll: s.monthly, id: doc.Cell + ":" + month, month: month})
	}
	return refs
}

// fields describe a new cell, from any response in it.
func (r cellRef) fields(doc responseDoc) bson.D {
	f := cellFields(doc, r.day)
	if r.month != "" {
		f = append(f, bson.E{Key: "month", Value: r.month})
	}
	return f
}

func cellDay(r forms.Response) string {
	if r.Partner != "" {
		return ""
	}
	return r.SubmittedAt.UTC().Format(time.DateOnly)
}

// cellFields describe a new cell, from any response in it.
func cellFields(doc responseDoc, day string) bson.D {
	return bson.D{{Key: "form", Value: doc.Form}, {Key: "version", Value: doc.Version},
		{Key: "partnership", Value: doc.Partnership}, {Key: "wave", Value: doc.Wave},
		{Key: "activity", Value: doc.Activity}, {Key: "day", Value: day}}
}

// increments turns a response's counts, less those it replaces, into $inc.
func increments(doc responseDoc) bson.D {
	change := map[string]float64{}
	for _, c := range doc.Counts {
		change[c.Path] += c.By
	}
	for _, c := range doc.Uncount {
		change[c.Path] -= c.By
	}
	inc := bson.D{}
	for _, path := range slices.Sorted(maps.Keys(change)) {
		by := change[path]
		switch {
		case by == 0:
		case by == math.Trunc(by) && math.Abs(by) < 1<<53:
			// Whole increments stay integers, so counters stay integers.
			inc = append(inc, bson.E{Key: path, Value: int64(by)})
		default:
			inc = append(inc, bson.E{Key: path, Value: by})
		}
	}
	if len(inc) == 0 {
		// A replacement with the same counts: only the pending entry moves.
		inc = append(inc, bson.E{Key: "n", Value: 0})
	}
	return inc
}

// Cells returns the running totals of a form in a partnership, cell by
// cell; with a range of days, each cell's months that the range covers
// whole and its days in the rest instead. Those are looked up by _id,
// within the days each cell has seen: the embedded store would parse
// every partnership's daily cells for any other filter.
func (s *Store) Cells(ctx context.Context, partnershipID, formID string, days forms.Days) ([]forms.Cell, error) {
	if err := s.fold(ctx); err != nil {
		return nil, err
	}
	cur, err := s.totals.Find(ctx, bson.D{{Key: "partnership", Value: partnershipID}, {Key: "form", Value: formID}})
	if err != nil {
		return nil, fmt.Errorf("load totals of %q in %s: %w", formID, partnershipID, err)
	}
	var docs []totalsDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("load totals of %q in %s: %w", formID, partnershipID, err)
	}
	if days.Split() {
		if docs, err = s.cellsWithin(ctx, docs, days); err != nil {
			return nil, fmt.Errorf("load totals of %q in %s by date: %w", formID, partnershipID, err)
		}
	}
	cells := make([]forms.Cell, 0, len(docs))
	for _, d := range docs {
		cells = append(cells, forms.Cell{Form: d.Form, Version: d.Version, Partnership: d.Partnership, Wave: d.Wave,
			Activity: d.Activity, Day: d.Day, Month: d.Month, Tally: d.Tally})
	}
	return cells, nil
}

// cellRead is one cell of a month or a day to read.
type cellRead struct {
	coll *mongo.Collection
	id   string
}

// monthPlan is how one month of a cell is read: the cells to add up, less
// (if any) the days to take off them.
type monthPlan struct {
	add, less []cellRead
}

// within plans, for a cell, the reads that cover the days of a range it
// has seen, month by month: a month the range covers whole (as far as the
// cell has days) is one read; another is read day by day, or as the
// month less the days outside the range, whichever reads fewer. "This
// month so far" is one read, and a month covered in part at most 16.
func (s *Store) within(c totalsDoc, days forms.Days) ([]monthPlan, error) {
	first, last := max(c.FirstDay, days.From), c.LastDay
	if days.To != "" {
		last = min(last, days.To)
	}
	if c.FirstDay == "" || first > last {
		return nil, nil
	}
	start, err := time.Parse(time.DateOnly, first)
	if err != nil {
		return nil, err
	}
	var plans []monthPlan
	for month := start.AddDate(0, 0, 1-start.Day()); month.Format(time.DateOnly) <= last; month = month.AddDate(0, 1, 0) {
		whole := cellRead{s.monthly, c.ID + ":" + month.Format("2006-01")}
		var in, out []cellRead
		for day := month; day.Month() == month.Month(); day = day.AddDate(0, 0, 1) {
			d := day.Format(time.DateOnly)
			switch {
			case d < c.FirstDay || d > c.LastDay:
			case d >= first && d <= last:
				in = append(in, cellRead{s.daily, c.ID + ":" + d})
			default:
				out = append(out, cellRead{s.daily, c.ID + ":" + d})
			}
		}
		switch {
		case len(in) == 0:
		case len(out) == 0:
			plans = append(plans, monthPlan{add: []cellRead{whole}})
		case len(out)+1 < len(in):
			plans = append(plans, monthPlan{add: []cellRead{whole}, less: out})
		default:
			plans = append(plans, monthPlan{add: in})
		}
	}
	return plans, nil
}

// cellsWithin reads the months and days of cells that fall within days,
// a few at a time: each is one small round trip.
func (s *Store) cellsWithin(ctx context.Context, cells []totalsDoc, days forms.Days) ([]totalsDoc, error) {
	var plans []monthPlan
	for _, c := range cells {
		p, err := s.within(c, days)
		if err != nil {
			return nil, err
		}
		plans = append(plans, p...)
	}
	var reads []cellRead
	for _, p := range plans {
		reads = append(append(reads, p.add...), p.less...)
	}
	found, err := s.readCells(ctx, reads)
	if err != nil {
		return nil, err
	}
	var out []totalsDoc
	for _, p := range plans {
		var got []*totalsDoc
		for range p.add {
			got, found = append(got, found[0]), found[1:]
		}
		if len(p.less) == 0 {
			for _, d := range got {
				if d != nil {
					out = append(out, *d)
				}
			}
			continue
		}
		month := got[0]
		for _, d := range found[:len(p.less)] {
			if d != nil && month != nil {
				month.Tally.Add(d.Tally.Negated())
			}
		}
		found = found[len(p.less):]
		if month != nil {
			out = append(out, *month)
		}
	}
	return out, nil
}

// readCells reads cells by _id, a few at once; one not there is nil.
func (s *Store) readCells(ctx context.Context, reads []cellRead) ([]*totalsDoc, error) {
	found := make([]*totalsDoc, len(reads))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(cellReads)
	for i, r := range reads {
		g.Go(func() error {
			var d totalsDoc
			err := r.coll.FindOne(ctx, bson.D{{Key: "_id", Value: r.id}}).Decode(&d)
			switch {
			case notFound(err):
				return nil
			case err != nil:
				return err
			}
			found[i] = &d
			return nil
		})
	}
	return found, g.Wait()
}

// cellReads is how many months and days a date range reads at once (and
// follow-up codes their responses).
const cellReads = 8
