package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"golang.org/x/sync/errgroup"

	"samspil/forms"
)

// Reading running totals back: a partnership's cells of a form, whole or
// day by day.

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

// within lists, for a cell, what covers the days of a range it has seen:
// a month the range covers whole is one read, a month it covers in part
// is a read per day. "This month so far" is one read.
func (s *Store) within(c totalsDoc, days forms.Days) ([]cellRead, error) {
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
	var reads []cellRead
	for month := start.AddDate(0, 0, 1-start.Day()); month.Format(time.DateOnly) <= last; month = month.AddDate(0, 1, 0) {
		mFirst, mLast := month.Format(time.DateOnly), month.AddDate(0, 1, -1).Format(time.DateOnly)
		// Whole, as far as the cell goes: it has no days before its first
		// or after its last.
		if (days.From == "" || days.From <= max(mFirst, c.FirstDay)) && (days.To == "" || days.To >= min(mLast, c.LastDay)) {
			reads = append(reads, cellRead{s.monthly, c.ID + ":" + month.Format("2006-01")})
			continue
		}
		for day := month; day.Format(time.DateOnly) <= min(mLast, last); day = day.AddDate(0, 0, 1) {
			if d := day.Format(time.DateOnly); d >= first {
				reads = append(reads, cellRead{s.daily, c.ID + ":" + d})
			}
		}
	}
	return reads, nil
}

// cellsWithin reads the months and days of cells that fall within days,
// a few at a time: each is one small round trip.
func (s *Store) cellsWithin(ctx context.Context, cells []totalsDoc, days forms.Days) ([]totalsDoc, error) {
	var reads []cellRead
	for _, c := range cells {
		r, err := s.within(c, days)
		if err != nil {
			return nil, err
		}
		reads = append(reads, r...)
	}
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

// cellReads is how many months and days a date range reads at once (and
// follow-up codes their responses).
const cellReads = 8
