package storage

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Responses that arrive together are counted together: while one batch is
// written, the requests that come in wait, and the next batch counts them
// all with one update per cell. A cell document holds every answer count
// of its form, and the embedded store parses and rewrites it whole on
// every update, so one update per cell per batch instead of per response
// is what lets many phones answer at once. Each request still returns
// only once its response is in the totals.

// maxBatch bounds how many responses one batch counts.
const maxBatch = 100

// batchTimeout bounds the writes of one batch.
const batchTimeout = 30 * time.Second

// errStoreClosed answers a count asked for after Close.
var errStoreClosed = errors.New("store closed")

// countJob is one stored response waiting to be counted.
type countJob struct {
	doc  responseDoc
	done chan error
}

// countSoon has a freshly stored response counted in the next batch, and
// waits until it is.
func (s *Store) countSoon(ctx context.Context, doc responseDoc) error {
	job := countJob{doc: doc, done: make(chan error, 1)}
	select {
	case s.toCount <- job:
	case <-s.countingStopped:
		return errStoreClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-job.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// countLoop counts the responses that wait, a batch at a time, until ctx
// ends.
func (s *Store) countLoop(ctx context.Context) {
	defer close(s.countingStopped)
	for {
		var jobs []countJob
		select {
		case <-ctx.Done():
			return
		case j := <-s.toCount:
			jobs = append(jobs, j)
		}
	waiting:
		for len(jobs) < maxBatch {
			select {
			case j := <-s.toCount:
				jobs = append(jobs, j)
			default:
				break waiting
			}
		}
		docs := make([]responseDoc, len(jobs))
		for i, j := range jobs {
			docs[i] = j.doc
		}
		batchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), batchTimeout)
		err := s.count(batchCtx, docs...)
		cancel()
		for _, j := range jobs {
			j.done <- err
		}
	}
}

// cellBatch is the responses of a batch that add to one cell.
type cellBatch struct {
	ref  cellRef
	docs []responseDoc
}

// byCell groups responses by the cells they add to.
func (s *Store) byCell(docs []responseDoc) []cellBatch {
	groups := map[string]*cellBatch{}
	for _, d := range docs {
		for _, ref := range s.cells(d) {
			key := ref.coll.Name() + "/" + ref.id
			if groups[key] == nil {
				groups[key] = &cellBatch{ref: ref}
			}
			groups[key].docs = append(groups[key].docs, d)
		}
	}
	out := make([]cellBatch, 0, len(groups))
	for _, key := range slices.Sorted(maps.Keys(groups)) {
		out = append(out, *groups[key])
	}
	return out
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
	if b.ref.day != "" {
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

func (b cellBatch) pendingKeys() bson.A {
	keys := make(bson.A, len(b.docs))
	for i, d := range b.docs {
		keys[i] = d.pendingKey()
	}
	return keys
}

// count applies stored responses' counts to their cells exactly once,
// even when a crash interrupted an earlier attempt, puts their rows in
// their export pages, marks them counted and takes them off the journal.
// Each cell gets one update that adds the counts of all of them and lists
// them as pending, and only applies while none of them is listed: a
// repair after a crash finds the counts in, and adds nothing.
func (s *Store) count(ctx context.Context, docs ...responseDoc) error {
	cells := s.byCell(docs)
	for _, c := range cells {
		err := s.addCounts(ctx, c)
		switch {
		case errors.Is(err, errListedAlready) && len(docs) > 1:
			// Some are in, some may not be: one by one skips what is in.
			return s.countEach(ctx, docs)
		case errors.Is(err, errListedAlready):
		case err != nil:
			return err
		}
	}
	pages := s.newPageWriter()
	for _, d := range docs {
		if err := pages.add(ctx, d); err != nil {
			return err
		}
	}
	if err := pages.flush(ctx); err != nil {
		return err
	}
	// Off the journal before off the pending lists: a revision is counted
	// exactly when no entry carries its token, and a journaled one's cells
	// list it wherever its counts are in, so a repair adds nothing twice.
	// The journal is small, so a filter on many ids costs little even
	// where only single ids use the index.
	// Each entry goes only while it carries the revision's token: a newer
	// revision's entry stays.
	entries := make(bson.A, len(docs))
	for i, d := range docs {
		entries[i] = entryOf(d.ID, d.Token)
	}
	if _, err := s.uncounted.DeleteMany(ctx, bson.D{{Key: "$or", Value: entries}}); err != nil {
		return fmt.Errorf("clear %d responses from the journal: %w", len(docs), err)
	}
	// Their keys stay on the pending lists, naming revisions that are
	// never counted again, until a cell has gathered enough of them to
	// prune: taking them off at every batch cost a second rewrite of every
	// cell it touched.
	for _, c := range cells {
		if !s.pendingGrew(c.ref, len(c.docs)) {
			continue
		}
		if err := s.prunePending(ctx, c.ref); err != nil {
			return err
		}
	}
	return nil
}

// pruneAt is how many keys a cell gathers on its pending list, as this
// process counts, before the ones of counted revisions are taken off.
const pruneAt = 200

// pendingGrew notes n more keys on a cell's pending list and reports
// whether it is time to prune it.
func (s *Store) pendingGrew(ref cellRef, n int) bool {
	s.pendingMu.Lock()
	defer s.pendingMu.Unlock()
	if s.pendingKeys == nil {
		s.pendingKeys = map[string]int{}
	}
	key := ref.coll.Name() + "/" + ref.id
	s.pendingKeys[key] += n
	if s.pendingKeys[key] < pruneAt {
		return false
	}
	delete(s.pendingKeys, key)
	return true
}

// prunePending takes off a cell's pending list the keys of revisions that
// are counted: those whose response is off the journal. A journaled
// response keeps its keys (it may be a revision being counted), and a
// revision's key is listed before its journal entry goes, so a key whose
// response is off the journal names a counted revision.
func (s *Store) prunePending(ctx context.Context, ref cellRef) error {
	var cell struct {
		Pending []string `bson:"pending"`
	}
	err := ref.coll.FindOne(ctx, bson.D{{Key: "_id", Value: ref.id}}, options.FindOne().SetProjection(bson.D{{Key: "pending", Value: 1}})).Decode(&cell)
	if err != nil {
		return fmt.Errorf("read pending of %q: %w", ref.id, err)
	}
	ids := bson.A{}
	for _, k := range cell.Pending {
		id, _, _ := strings.Cut(k, "#")
		ids = append(ids, id)
	}
	cur, err := s.uncounted.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return fmt.Errorf("read the journal: %w", err)
	}
	var entries []journalEntry
	if err := cur.All(ctx, &entries); err != nil {
		return fmt.Errorf("read the journal: %w", err)
	}
	journaled := map[string]bool{}
	for _, e := range entries {
		journaled[e.ID] = true
	}
	stale := bson.A{}
	for i, k := range cell.Pending {
		if !journaled[ids[i].(string)] {
			stale = append(stale, k)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	if err := s.update(ctx, ref.coll, bson.D{{Key: "_id", Value: ref.id}},
		bson.D{{Key: "$pullAll", Value: bson.D{{Key: "pending", Value: stale}}}}, false); err != nil {
		return fmt.Errorf("prune pending of %q: %w", ref.id, err)
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
	sum, keys := c.sum(), c.pendingKeys()
	applied, err := s.writeIf(ctx, c.ref.coll, c.ref.id, bson.D{{Key: "pending", Value: bson.D{{Key: "$nin", Value: keys}}}},
		func(cell bson.Raw) bool { return !listsAny(cell, keys) },
		func(filter bson.D) (bool, error) {
			_, err := c.ref.coll.UpdateOne(ctx, filter, append(bson.D{
				{Key: "$inc", Value: increments(sum)},
				{Key: "$addToSet", Value: bson.D{{Key: "pending", Value: bson.D{{Key: "$each", Value: keys}}}}},
				{Key: "$setOnInsert", Value: cellFields(sum, c.ref.day)},
			}, c.dayBounds()...), options.UpdateOne().SetUpsert(true))
			// A duplicate key means the cell exists and did not match.
			if mongo.IsDuplicateKeyError(err) {
				return false, nil
			}
			return err == nil, err
		})
	switch {
	case err != nil:
		return fmt.Errorf("add counts of %d responses to %q: %w", len(c.docs), c.ref.id, err)
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
	if err != nil {
		return false
	}
	for _, v := range values {
		if key, ok := v.StringValueOK(); ok && slices.Contains(keys, any(key)) {
			return true
		}
	}
	return false
}

// countEach counts responses one by one.
func (s *Store) countEach(ctx context.Context, docs []responseDoc) error {
	for _, d := range docs {
		if err := s.count(ctx, d); err != nil {
			return err
		}
	}
	return nil
}
