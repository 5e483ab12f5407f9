package storage

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// New responses are counted a batch at a time, as they are stored
// (inserting.go), with one delta (deltas.go) for the batch. Each request
// returns once its response is in a delta, which every read of the
// totals folds in first.
//
// What a crash, an outage or a race may have counted in part is counted
// directly instead, cell by cell, each cell guarded by the revisions' own
// keys on its pending list.

// errStoreClosed answers a response sent after Close.
var errStoreClosed = errors.New("store closed")

// count adds stored revisions to the totals with one delta, which the
// next fold (or any read before it) adds to their cells and pages. Their
// journal document stays until then, and goes with the fold.
func (s *Store) count(ctx context.Context, journal string, docs ...responseDoc) error {
	return s.writeDelta(ctx, journal, docs)
}

// countNow counts revisions that a crash, an outage or a race may have
// counted in part (a repair, an erasure, a replacement), at once: the
// deltas there are first, then the revisions themselves, each cell
// guarded by their own keys.
func (s *Store) countNow(ctx context.Context, docs ...responseDoc) error {
	s.foldMu.Lock()
	defer s.foldMu.Unlock()
	if err := s.foldLocked(ctx); err != nil {
		return err
	}
	return s.countLocked(ctx, docs...)
}

// countLocked counts revisions directly, with foldMu held and the deltas
// folded. Only those the journal still lists are counted: one that left
// it was counted meanwhile (by a fold, a repair or another request).
func (s *Store) countLocked(ctx context.Context, docs ...responseDoc) error {
	cells, err := s.applyJournaled(ctx, docs)
	if err != nil {
		return err
	}
	if err := s.unjournalAll(ctx, docs); err != nil {
		return err
	}
	return s.pruneSome(ctx, cells)
}

// applyJournaled applies, guarded by their own keys, the revisions the
// journal lists.
func (s *Store) applyJournaled(ctx context.Context, docs []responseDoc) ([]cellBatch, error) {
	journaled, err := s.journaled(ctx)
	if err != nil {
		return nil, err
	}
	var listed []responseDoc
	for _, d := range docs {
		if journaled[d.revision()] {
			listed = append(listed, d)
		}
	}
	return s.apply(ctx, listed, responseDoc.pendingKey)
}

// cellBatch is the revisions that add to one cell, the keys the cell
// lists once their counts are in, and the keys that say they are in
// already: those, and the revisions' own (which a direct count lists).
type cellBatch struct {
	ref         cellRef
	docs        []responseDoc
	keys, guard bson.A
}

// byCell groups revisions by the cells they add to; keyOf names the key a
// cell lists for each.
func (s *Store) byCell(docs []responseDoc, keyOf func(responseDoc) string) []cellBatch {
	groups := map[string][]responseDoc{}
	refs := map[string]cellRef{}
	for _, d := range docs {
		for _, ref := range s.cells(d) {
			id := ref.coll.Name() + "/" + ref.id
			groups[id], refs[id] = append(groups[id], d), ref
		}
	}
	out := make([]cellBatch, 0, len(groups))
	for _, id := range slices.Sorted(maps.Keys(groups)) {
		out = append(out, batchOf(refs[id], groups[id], keyOf))
	}
	return out
}

// batchOf is the batch of revisions for one cell.
func batchOf(ref cellRef, docs []responseDoc, keyOf func(responseDoc) string) cellBatch {
	b := cellBatch{ref: ref, docs: docs}
	seen := map[string]bool{}
	for _, d := range docs {
		if k := keyOf(d); !seen[k] {
			seen[k] = true
			b.keys = append(b.keys, k)
		}
	}
	b.guard = slices.Clone(b.keys)
	for _, d := range docs {
		if k := d.pendingKey(); !seen[k] {
			seen[k] = true
			b.guard = append(b.guard, k)
		}
	}
	return b
}

// sum is one response document that adds what all of the batch's do.
func (b cellBatch) sum() responseDoc {
	sum := b.docs[0]
	sum.Counts, sum.Uncount = nil, nil
	for _, d := range b.docs {
		sum.Counts = append(sum.Counts, d.Counts...)
		sum.Uncount = append(sum.Uncount, d.Uncount...)
	}
	return sum
}

// dayBounds widens a cell without a day to the days of the batch's
// responses, so that a date range finds its days by _id.
func (b cellBatch) dayBounds() bson.D {
	if b.ref.day != "" || b.ref.month != "" {
		return nil
	}
	var first, last string
	for _, d := range b.docs {
		if d.Day == "" {
			continue
		}
		if first == "" || d.Day < first {
			first = d.Day
		}
		last = max(last, d.Day)
	}
	if first == "" {
		return nil
	}
	return bson.D{{Key: "$min", Value: bson.D{{Key: "first_day", Value: first}}},
		{Key: "$max", Value: bson.D{{Key: "last_day", Value: last}}}}
}

// apply adds revisions' counts to their cells and their rows to their
// export pages, and returns the cells. Each cell gets one update that adds
// them all and lists their keys (keyOf) as pending, and applies only while
// it lists none of them and none of the revisions' own keys: a cell that
// lists one has those counts, and the rest go without them.
func (s *Store) apply(ctx context.Context, docs []responseDoc, keyOf func(responseDoc) string) ([]cellBatch, error) {
	cells := s.byCell(docs, keyOf)
	for _, c := range cells {
		if err := s.addToCell(ctx, c, keyOf); err != nil {
			return nil, err
		}
	}
	return cells, s.writePages(ctx, docs)
}

// addToCell adds a batch to its cell, leaving out what the cell lists.
func (s *Store) addToCell(ctx context.Context, c cellBatch, keyOf func(responseDoc) string) error {
	for range 3 {
		err := s.addCounts(ctx, c)
		if !errors.Is(err, errListedAlready) {
			return err
		}
		listed, err := s.listed(ctx, c.ref)
		if err != nil {
			return err
		}
		var rest []responseDoc
		for _, d := range c.docs {
			if !listed[keyOf(d)] && !listed[d.pendingKey()] {
				rest = append(rest, d)
			}
		}
		if len(rest) == 0 {
			return nil
		}
		c = batchOf(c.ref, rest, keyOf)
	}
	return fmt.Errorf("add counts to %q: its pending list keeps changing", c.ref.id)
}

// listed reads the keys on a cell's pending list.
func (s *Store) listed(ctx context.Context, ref cellRef) (map[string]bool, error) {
	var cell struct {
		Pending []string `bson:"pending"`
	}
	err := ref.coll.FindOne(ctx, bson.D{{Key: "_id", Value: ref.id}}, options.FindOne().SetProjection(bson.D{{Key: "pending", Value: 1}})).Decode(&cell)
	if err != nil && !notFound(err) {
		return nil, fmt.Errorf("read pending of %q: %w", ref.id, err)
	}
	listed := make(map[string]bool, len(cell.Pending))
	for _, k := range cell.Pending {
		listed[k] = true
	}
	return listed, nil
}

// writePages puts revisions' rows in their export pages, a response's
// latest revision last.
func (s *Store) writePages(ctx context.Context, docs []responseDoc) error {
	sorted := slices.SortedStableFunc(slices.Values(docs), pageOrder)
	pages := s.newPageWriter()
	for _, d := range sorted {
		if err := pages.add(ctx, d); err != nil {
			return err
		}
	}
	return pages.flush(ctx)
}

// unjournalAll takes revisions off the journal.
func (s *Store) unjournalAll(ctx context.Context, docs []responseDoc) error {
	revs := make([]revision, len(docs))
	for i, d := range docs {
		revs[i] = d.revision()
	}
	return s.unjournal(ctx, revs...)
}

// pruneSome prunes the pending lists of cells that gathered enough keys.
// Keys stay on a list, naming what is never counted again, until a cell
// has gathered enough of them: taking them off at every count cost a
// second rewrite of every cell it touched.
func (s *Store) pruneSome(ctx context.Context, cells []cellBatch) error {
	for _, c := range cells {
		if !s.pendingGrew(c.ref, len(c.keys)) {
			continue
		}
		if err := s.prunePending(ctx, c.ref); err != nil {
			return err
		}
	}
	return nil
}

// errListedAlready says a cell lists one of the responses as pending:
// their counts are in.
var errListedAlready = errors.New("a response is counted already")

// addCounts adds the counts of responses to one cell and lists them as
// pending, in one atomic update that applies only while none of them is
// listed.
func (s *Store) addCounts(ctx context.Context, c cellBatch) error {
	sum, keys := c.sum(), c.keys
	applied, err := s.writeIf(ctx, c.ref.coll, c.ref.id, bson.D{{Key: "pending", Value: bson.D{{Key: "$nin", Value: c.guard}}}},
		func(cell bson.Raw) bool { return !listsAny(cell, c.guard) },
		func(filter bson.D) (bool, error) {
			_, err := c.ref.coll.UpdateOne(ctx, filter, append(bson.D{
				{Key: "$inc", Value: increments(sum)},
				{Key: "$addToSet", Value: bson.D{{Key: "pending", Value: bson.D{{Key: "$each", Value: keys}}}}},
				{Key: "$setOnInsert", Value: c.ref.fields(sum)},
			}, c.dayBounds()...), options.UpdateOne().SetUpsert(true))
			// A duplicate key means the cell exists and did not match.
			if mongo.IsDuplicateKeyError(err) {
				return false, nil
			}
			return err == nil, err
		})
	switch {
	case err != nil:
		return fmt.Errorf("add counts of %d revisions to %q: %w", len(c.docs), c.ref.id, err)
	case !applied:
		return errListedAlready
	}
	return nil
}

// listsAny reports whether a cell lists any of keys as pending.
func listsAny(cell bson.Raw, keys bson.A) bool {
	pending, ok := cell.Lookup("pending").ArrayOK()
	if !ok {
		return false
	}
	values, err := pending.Values()
	if err != nil || len(values) == 0 {
		return false
	}
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[k.(string)] = true
	}
	for _, v := range values {
		if key, ok := v.StringValueOK(); ok && want[key] {
			return true
		}
	}
	return false
}
