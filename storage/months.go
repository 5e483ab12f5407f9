package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// monthsBuilt marks, in the meta collection, a store whose daily totals
// are summed by month too: stores written before monthly totals existed
// get them once, from their days.
const monthsBuilt = "monthly_totals"

// buildMonths gives a store written before monthly totals existed its
// months, summed from its daily cells, once.
func (s *Store) buildMonths(ctx context.Context) error {
	err := s.meta.FindOne(ctx, bson.D{{Key: "_id", Value: monthsBuilt}}).Err()
	if err == nil {
		return nil
	}
	if !notFound(err) {
		return fmt.Errorf("read store metadata: %w", err)
	}
	cur, err := s.totals.Find(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("read totals: %w", err)
	}
	var cells []totalsDoc
	if err := cur.All(ctx, &cells); err != nil {
		return fmt.Errorf("read totals: %w", err)
	}
	for _, c := range cells {
		if err := s.buildMonthsOf(ctx, c); err != nil {
			return err
		}
	}
	_, err = s.meta.InsertOne(ctx, bson.D{{Key: "_id", Value: monthsBuilt}, {Key: "at", Value: time.Now().UTC()}})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("write store metadata: %w", err)
	}
	return nil
}

// buildMonthsOf writes a cell's months as the sums of its days.
func (s *Store) buildMonthsOf(ctx context.Context, c totalsDoc) error {
	if c.FirstDay == "" {
		return nil
	}
	day, err := time.Parse(time.DateOnly, c.FirstDay)
	if err != nil {
		return fmt.Errorf("cell %q: %w", c.ID, err)
	}
	months := map[string]bson.M{}
	var order []string
	for ; day.Format(time.DateOnly) <= c.LastDay; day = day.AddDate(0, 0, 1) {
		var d bson.M
		err := s.daily.FindOne(ctx, bson.D{{Key: "_id", Value: c.ID + ":" + day.Format(time.DateOnly)}}).Decode(&d)
		switch {
		case notFound(err):
			continue
		case err != nil:
			return fmt.Errorf("read daily totals of %q: %w", c.ID, err)
		}
		month := day.Format("2006-01")
		if months[month] == nil {
			months[month] = bson.M{"_id": c.ID + ":" + month, "form": c.Form, "version": c.Version, "partnership": c.Partnership,
				"wave": c.Wave, "activity": c.Activity, "day": "", "month": month}
			order = append(order, month)
		}
		addNumbers(months[month], d, true)
	}
	for _, month := range order {
		m := months[month]
		if _, err := s.monthly.ReplaceOne(ctx, bson.D{{Key: "_id", Value: m["_id"]}}, m, options.Replace().SetUpsert(true)); err != nil {
			return fmt.Errorf("write monthly totals %q: %w", m["_id"], err)
		}
	}
	return nil
}

// cellMeta are a cell's fields that are not counts.
var cellMeta = map[string]bool{"_id": true, "form": true, "version": true, "partnership": true, "wave": true,
	"activity": true, "day": true, "month": true, "first_day": true, "last_day": true, "pending": true}

// addNumbers adds the counts of one cell to another, as $inc would have:
// numbers add up, documents are added field by field.
func addNumbers(dst, src bson.M, top bool) {
	for k, v := range src {
		if top && cellMeta[k] {
			continue
		}
		switch v := v.(type) {
		case bson.M:
			sub, _ := dst[k].(bson.M)
			if sub == nil {
				sub = bson.M{}
				dst[k] = sub
			}
			addNumbers(sub, v, false)
		case bson.D:
			m := bson.M{}
			for _, e := range v {
				m[e.Key] = e.Value
			}
			addNumbers(dst, bson.M{k: m}, false)
		case int32:
			dst[k] = addNumber(dst[k], int64(v))
		case int64:
			dst[k] = addNumber(dst[k], v)
		case float64:
			dst[k] = addNumber(dst[k], v)
		}
	}
}

// addNumber adds v to a number that may not be there yet; whole numbers
// stay integers.
func addNumber(have any, v any) any {
	switch h := have.(type) {
	case nil:
		return v
	case int64:
		if w, ok := v.(int64); ok {
			return h + w
		}
		return float64(h) + v.(float64)
	case float64:
		if w, ok := v.(int64); ok {
			return h + float64(w)
		}
		return h + v.(float64)
	}
	return v
}
