package storage

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"samspil/forms"
)

// rebuildTimeout bounds a rebuild whose caller set no deadline.
const rebuildTimeout = 6 * time.Hour

// Recount scores a response to a form version with the current rules and
// lists what it adds to the running totals; it reports false for a form
// version it does not know, whose stored scores and counts then stand.
type Recount func(form string, version int, a forms.Answers) (forms.Scores, []forms.Count, bool)

// Rebuilt says what a rebuild read and wrote.
type Rebuilt struct {
	// Responses read, of which Rescored had scores or counts that the
	// current rules changed; Cells of running totals written.
	Responses, Rescored, Cells int
}

// RebuildTotals recomputes every running total and export page from the
// stored responses, reading them one at a time, and replaces the totals
// and pages with the result. With recount, each response's scores and
// counts are first recomputed from its answers, so that a corrected
// scoring rule reaches stored responses, totals and exports alike. Run it
// with the service stopped: answers stored meanwhile would be missed.
func (s *Store) RebuildTotals(ctx context.Context, recount Recount) (Rebuilt, error) {
	type cell struct {
		ref         cellRef
		doc         responseDoc
		counts      map[string]float64
		first, last string
	}
	if _, ok := ctx.Deadline(); !ok {
		// Clearing a collection of a large embedded store, which parses
		// every document it deletes, outlasts the client's usual timeout.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rebuildTimeout)
		defer cancel()
	}
	var done Rebuilt
	byID := map[string]*cell{}
	// What deltas hold is in the responses too; folded, none is left over.
	if err := s.fold(ctx); err != nil {
		return done, err
	}
	// Marked before anything is cleared and unmarked once all is written:
	// a store opened with the mark on finishes the rebuild before it
	// serves, so half the totals are never served.
	if err := s.update(ctx, s.meta, bson.D{{Key: "_id", Value: rebuilding}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: time.Now().UTC()}}}}, true); err != nil {
		return done, fmt.Errorf("mark the rebuild: %w", err)
	}
	if _, err := s.pages.DeleteMany(ctx, bson.D{}); err != nil {
		return done, fmt.Errorf("clear export pages: %w", err)
	}
	pages := s.newPageWriter()
	cur, err := s.responses.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "uncount", Value: 0}}))
	if err != nil {
		return done, fmt.Errorf("read responses: %w", err)
	}
	defer cur.Close(ctx)
	var erased []string
	for cur.Next(ctx) {
		var d responseDoc
		if err := cur.Decode(&d); err != nil {
			return done, fmt.Errorf("decode response: %w", err)
		}
		if d.Erased {
			// An erasure cut short: the rebuilt totals leave it out, and
			// it goes.
			erased = append(erased, d.ID)
			continue
		}
		if rescored, err := s.rescore(ctx, &d, recount); err != nil {
			return done, err
		} else if rescored {
			done.Rescored++
		}
		if d.Page == "" {
			// Stored before export pages existed.
			d.Page = s.pageAlloc.next(d.Cell, d.Day, rowSize(d))
			if err := s.update(ctx, s.responses, bson.D{{Key: "_id", Value: d.ID}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "page", Value: d.Page}}}}, false); err != nil {
				return done, fmt.Errorf("give %q an export page: %w", d.ID, err)
			}
		}
		if err := pages.add(ctx, d); err != nil {
			return done, err
		}
		for _, ref := range s.cells(d) {
			key := ref.coll.Name() + "/" + ref.id
			c := byID[key]
			if c == nil {
				c = &cell{ref: ref, doc: d, counts: map[string]float64{}}
				byID[key] = c
			}
			for _, n := range d.Counts {
				c.counts[n.Path] += n.By
			}
			if d.Day != "" && (c.first == "" || d.Day < c.first) {
				c.first = d.Day
			}
			c.last = max(c.last, d.Day)
		}
		done.Responses++
	}
	if err := cur.Err(); err != nil {
		return done, fmt.Errorf("read responses: %w", err)
	}
	if err := pages.flush(ctx); err != nil {
		return done, err
	}

	for _, coll := range []*mongo.Collection{s.totals, s.daily, s.monthly} {
		if _, err := coll.DeleteMany(ctx, bson.D{}); err != nil {
			return done, fmt.Errorf("clear %s: %w", coll.Name(), err)
		}
	}
	for _, c := range byID {
		doc := bson.M{"_id": c.ref.id}
		for _, e := range c.ref.fields(c.doc) {
			doc[e.Key] = e.Value
		}
		for path, v := range c.counts {
			setPath(doc, strings.Split(path, "."), v)
		}
		if c.ref.day == "" && c.first != "" {
			doc["first_day"], doc["last_day"] = c.first, c.last
		}
		if _, err := c.ref.coll.InsertOne(ctx, doc); err != nil {
			return done, fmt.Errorf("write totals %s: %w", c.ref.id, err)
		}
		if c.ref.coll == s.totals {
			done.Cells++
		}
	}
	if len(erased) > 0 {
		if _, err := s.responses.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: erased}}}}); err != nil {
			return done, fmt.Errorf("delete %d erased responses: %w", len(erased), err)
		}
	}
	if _, err := s.uncounted.DeleteMany(ctx, bson.D{}); err != nil {
		return done, fmt.Errorf("clear the journal: %w", err)
	}
	if _, err := s.meta.DeleteOne(ctx, bson.D{{Key: "_id", Value: rebuilding}}); err != nil {
		return done, fmt.Errorf("unmark the rebuild: %w", err)
	}
	return done, nil
}

// rescore recomputes a response's scores and counts with recount and
// stores them when they changed, reporting whether they did.
func (s *Store) rescore(ctx context.Context, d *responseDoc, recount Recount) (bool, error) {
	if recount == nil {
		return false, nil
	}
	scores, counts, ok := recount(d.Form, d.Version, answersOf(d.Answers))
	if !ok || (maps.Equal(scores, forms.Scores(d.Scores)) && slices.Equal(counts, []forms.Count(d.Counts))) {
		return false, nil
	}
	d.Scores, d.Counts = scores, counts
	if err := s.update(ctx, s.responses, bson.D{{Key: "_id", Value: d.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "scores", Value: d.Scores}, {Key: "counts", Value: d.Counts}}}}, false); err != nil {
		return false, fmt.Errorf("rescore %q: %w", d.ID, err)
	}
	return true, nil
}

// setPath sets a value at a dotted path in nested documents, as $inc
// would have built them; whole values stay integers.
func setPath(doc bson.M, path []string, v float64) {
	for _, key := range path[:len(path)-1] {
		next, ok := doc[key].(bson.M)
		if !ok {
			next = bson.M{}
			doc[key] = next
		}
		doc = next
	}
	if v == float64(int64(v)) {
		doc[path[len(path)-1]] = int64(v)
		return
	}
	doc[path[len(path)-1]] = v
}

// ImportResponses stores many responses at once, such as answers typed in
// from paper forms, and adds them to the running totals with one update
// per cell rather than per response. Responses already stored are skipped.
// An import that fails half-way leaves totals to repair with
// RebuildTotals.
func (s *Store) ImportResponses(ctx context.Context, rs []forms.Response, counts [][]forms.Count) (int, error) {
	docs := make([]any, 0, len(rs))
	byID := make(map[string]responseDoc, len(rs))
	for i, r := range rs {
		d := s.newResponseDoc(r, counts[i])
		d.Counted = true
		docs = append(docs, d)
		byID[d.ID] = d
	}
	res, err := s.responses.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if res == nil || (err != nil && !mongo.IsDuplicateKeyError(err)) {
		return 0, fmt.Errorf("import responses: %w", err)
	}
	pages := s.newPageWriter()
	inserted := make([]responseDoc, 0, len(res.InsertedIDs))
	for _, id := range res.InsertedIDs {
		d := byID[fmt.Sprint(id)]
		inserted = append(inserted, d)
		if err := pages.add(ctx, d); err != nil {
			return len(res.InsertedIDs), fmt.Errorf("import responses: %w", err)
		}
	}
	for _, c := range s.byCell(inserted, responseDoc.pendingKey) {
		if err := s.addTotals(ctx, c); err != nil {
			return len(res.InsertedIDs), fmt.Errorf("import responses: %w", err)
		}
	}
	if err := pages.flush(ctx); err != nil {
		return len(res.InsertedIDs), fmt.Errorf("import responses: %w", err)
	}
	return len(res.InsertedIDs), nil
}

// rebuilding marks, in the meta collection, a rebuild under way.
const rebuilding = "rebuilding"

// finishRebuild runs a rebuild again that a crash cut short, before the
// store serves anything.
func (s *Store) finishRebuild(ctx context.Context) error {
	err := s.meta.FindOne(ctx, bson.D{{Key: "_id", Value: rebuilding}}).Err()
	switch {
	case notFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("read store metadata: %w", err)
	}
	s.logger.Warn("a rebuild of the running totals was cut short; rebuilding them before serving (run a cut-short rescore again yourself)")
	if _, err := s.RebuildTotals(ctx, nil); err != nil {
		return fmt.Errorf("finish a rebuild cut short: %w", err)
	}
	return nil
}
