package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"golang.org/x/sync/errgroup"

	"samspil/forms"
)

// Reading running totals back: a partnership's cells of a form, whole or
// day by day.

// Cells returns the running totals of a form in a partnership, cell by
// cell; with a range of days, the cells of each day in it instead. Those
// are looked up by _id, day by day within the days each cell has seen:
// the embedded store would parse every partnership's daily cells for any
// other filter.
func (s *Store) Cells(ctx context.Context, partnershipID, formID string, days forms.Days) ([]forms.Cell, error) {
	cur, err := s.totals.Find(ctx, bson.D{{Key: "partnership", Value: partnershipID}, {Key: "form", Value: formID}})
	if err != nil {
		return nil, fmt.Errorf("load totals of %q in %s: %w", formID, partnershipID, err)
	}
	var docs []totalsDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("load totals of %q in %s: %w", formID, partnershipID, err)
	}
	if days.Split() {
		if docs, err = s.dailyCells(ctx, docs, days); err != nil {
			return nil, fmt.Errorf("load daily totals of %q in %s: %w", formID, partnershipID, err)
		}
	}
	cells := make([]forms.Cell, 0, len(docs))
	for _, d := range docs {
		cells = append(cells, forms.Cell{Form: d.Form, Version: d.Version, Partnership: d.Partnership, Wave: d.Wave,
			Activity: d.Activity, Day: d.Day, Tally: d.Tally})
	}
	return cells, nil
}

// dailyCells reads the days of cells that fall within days, a few at a
// time: each is one small round trip.
func (s *Store) dailyCells(ctx context.Context, cells []totalsDoc, days forms.Days) ([]totalsDoc, error) {
	var ids []string
	for _, c := range cells {
		first, last := max(c.FirstDay, days.From), c.LastDay
		if days.To != "" {
			last = min(last, days.To)
		}
		if c.FirstDay == "" || first > last {
			continue
		}
		day, err := time.Parse(time.DateOnly, first)
		if err != nil {
			return nil, err
		}
		for ; day.Format(time.DateOnly) <= last; day = day.AddDate(0, 0, 1) {
			ids = append(ids, c.ID+":"+day.Format(time.DateOnly))
		}
	}
	found := make([]*totalsDoc, len(ids))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(dailyReads)
	for i, id := range ids {
		g.Go(func() error {
			var d totalsDoc
			err := s.daily.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
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
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := make([]totalsDoc, 0, len(found))
	for _, d := range found {
		if d != nil {
			out = append(out, *d)
		}
	}
	return out, nil
}

// dailyReads is how many daily cells a date range reads at once.
const dailyReads = 8
