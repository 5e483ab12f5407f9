package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The journal (uncounted) names every response whose counts may not be in
// the totals yet; the repair reads it after a crash or an outage and
// finishes what was interrupted, exactly once.

// repairAge is how old an uncounted response must be before a repair
// counts it: younger ones may still be in the hands of their request.
const repairAge = time.Minute

// repairTotals counts every response that a crash or an outage left
// uncounted and is older than repairAge. It reports how many it counted
// and how many were too young to touch yet.
func (s *Store) repairTotals(ctx context.Context, now time.Time) (repaired, young int, err error) {
	// In turn with folds, after them: a revision in a delta is counted,
	// and its entry goes when the delta is folded.
	s.foldMu.Lock()
	defer s.foldMu.Unlock()
	if err := s.foldLocked(ctx); err != nil {
		return 0, 0, err
	}
	cur, err := s.uncounted.Find(ctx, bson.D{})
	if err != nil {
		return 0, 0, fmt.Errorf("read the journal: %w", err)
	}
	var entries []journalEntry
	if err := cur.All(ctx, &entries); err != nil {
		return 0, 0, fmt.Errorf("read the journal: %w", err)
	}
	for _, e := range entries {
		var doc responseDoc
		err := s.responses.FindOne(ctx, bson.D{{Key: "_id", Value: e.ID}}).Decode(&doc)
		switch {
		case notFound(err) && now.Sub(e.At) < repairAge:
			young++
			continue
		case notFound(err):
			// Journaled, then never stored: nothing to count.
			if err := s.unjournal(ctx, e.ID, e.Token); err != nil {
				return repaired, young, err
			}
			continue
		case err != nil:
			return repaired, young, fmt.Errorf("load journaled response %q: %w", e.ID, err)
		case doc.Erased:
			// An erasure cut short: finish it, whatever its age.
			if err := s.finishErasure(ctx, doc, false); err != nil {
				return repaired, young, err
			}
			if err := s.unjournal(ctx, e.ID, e.Token); err != nil {
				return repaired, young, err
			}
			repaired++
			continue
		case doc.Counted || e.Token != doc.Token:
			// Counted (marked so by an earlier version), or an entry a
			// retry left: it says nothing about the stored revision.
			if err := s.unjournal(ctx, e.ID, e.Token); err != nil {
				return repaired, young, err
			}
			continue
		case now.Sub(doc.SubmittedAt) < repairAge:
			young++
			continue
		}
		// Read again just before counting: the entries were read at the
		// start, and another count may have finished it since.
		if err := s.uncounted.FindOne(ctx, entryOf(e.ID, e.Token)).Err(); notFound(err) {
			continue
		} else if err != nil {
			return repaired, young, fmt.Errorf("read journal entry %q: %w", e.ID, err)
		}
		if err := s.countLocked(ctx, doc); err != nil {
			return repaired, young, err
		}
		repaired++
	}
	return repaired, young, nil
}
