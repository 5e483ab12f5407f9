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
	journal, err := s.readJournal(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, j := range journal {
		for _, e := range j.revisions() {
			counted, isYoung, err := s.repairOne(ctx, j, e, now)
			if err != nil {
				return repaired, young, err
			}
			if counted {
				repaired++
			}
			if isYoung {
				young++
			}
		}
	}
	return repaired, young, nil
}

// repairOne settles one revision the journal lists: it counts it, or
// takes a stale entry off, or leaves one too young to touch.
func (s *Store) repairOne(ctx context.Context, j journalDoc, e revision, now time.Time) (counted, young bool, err error) {
	var doc responseDoc
	err = s.responses.FindOne(ctx, bson.D{{Key: "_id", Value: e.id}}).Decode(&doc)
	switch {
	case notFound(err) && now.Sub(j.At) < repairAge:
		return false, true, nil
	case notFound(err):
		// Journaled, then never stored: nothing to count.
		return false, false, s.unjournal(ctx, e)
	case err != nil:
		return false, false, fmt.Errorf("load journaled response %q: %w", e.id, err)
	case doc.Erased:
		// An erasure cut short: finish it, whatever its age.
		if err := s.finishErasure(ctx, doc); err != nil {
			return false, false, err
		}
		return true, false, s.unjournal(ctx, e)
	case doc.Counted || e.token != doc.Token:
		// Counted (marked so by an earlier version), or an entry a retry
		// left: it says nothing about the stored revision.
		return false, false, s.unjournal(ctx, e)
	case now.Sub(doc.SubmittedAt) < repairAge:
		return false, true, nil
	}
	// Read again just before counting: the journal was read at the start,
	// and an earlier step may have counted this revision since.
	journaled, err := s.journaled(ctx)
	if err != nil || !journaled[e] {
		return false, false, err
	}
	if err := s.countLocked(ctx, doc); err != nil {
		return false, false, err
	}
	return true, false, nil
}
