package storage

import (
	"context"
	"fmt"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"samspil/forms"
)

// Erasing a response follows the rule of every change to the totals: the
// response is first replaced by an erased revision that carries its
// counts to take off and none of its answers, journaled; counting that
// revision takes the counts off its cells and its row out of its export
// page exactly once; then the document goes. A crash anywhere leaves
// either the response, or a revision without answers that the repair
// finishes.

// EraseResponse deletes a response and takes it off the running totals
// and export pages. A response that is gone already is no error.
func (s *Store) EraseResponse(ctx context.Context, id string) error {
	var old responseDoc
	err := s.responses.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&old)
	switch {
	case notFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("load response %q: %w", id, err)
	case old.Erased:
		// Cut short before: finish it.
		return s.finishErasureNow(ctx, old)
	}
	// Its counts must be in before they are taken off again.
	if old, err = s.settle(ctx, old); err != nil {
		return err
	}
	doc := responseDoc{ID: old.ID, Form: old.Form, Version: old.Version, Partnership: old.Partnership,
		Activity: old.Activity, Wave: old.Wave, Partner: old.Partner, SubmittedAt: old.SubmittedAt,
		Cell: old.Cell, Day: old.Day, Page: old.Page, Revision: old.Revision + 1, Uncount: old.Counts, Erased: true,
		Token: newToken()}
	if err := s.journalAs(ctx, id, doc.Token); err != nil {
		return err
	}
	replaced, err := s.atRevision(ctx, id, old.Revision, func(filter bson.D) (bool, error) {
		res, err := s.responses.ReplaceOne(ctx, filter, doc)
		return err == nil && res.MatchedCount > 0, err
	})
	if err != nil {
		return fmt.Errorf("erase response %q: %w", id, err)
	}
	if !replaced {
		return forms.ErrReplacedMeanwhile
	}
	return s.finishErasureNow(ctx, doc)
}

// finishErasureNow finishes an erasure in turn with folds and repairs,
// after the deltas there are.
func (s *Store) finishErasureNow(ctx context.Context, doc responseDoc) error {
	s.foldMu.Lock()
	defer s.foldMu.Unlock()
	if err := s.foldLocked(ctx); err != nil {
		return err
	}
	return s.finishErasure(ctx, doc)
}

// finishErasure takes an erased revision off the totals unless that is
// done (the journal no longer lists it), then deletes it, and only then
// takes it off the journal: a crash in between leaves an entry whose
// response is gone, which the repair clears. foldMu is held and the
// deltas folded.
func (s *Store) finishErasure(ctx context.Context, doc responseDoc) error {
	cells, err := s.applyJournaled(ctx, []responseDoc{doc})
	if err != nil {
		return fmt.Errorf("take erased response %q off the totals: %w", doc.ID, err)
	}
	if _, err := s.responses.DeleteOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}); err != nil {
		return fmt.Errorf("delete erased response %q: %w", doc.ID, err)
	}
	if err := s.unjournal(ctx, doc.revision()); err != nil {
		return err
	}
	return s.pruneSome(ctx, cells)
}

// DeleteInvitationsOf deletes a partner's invitations in every round of
// its partnership, and its mail: its links stop working and its address
// leaves the outbox. It reports how many invitations went.
func (s *Store) DeleteInvitationsOf(ctx context.Context, partnershipID, partnerID string) (int, error) {
	// The partner's mail first: its entries hold the address.
	if _, err := s.outbox.DeleteMany(ctx, bson.D{{Key: "partnership", Value: partnershipID}, {Key: "partner", Value: partnerID}}); err != nil {
		return 0, fmt.Errorf("delete mail of partner %s: %w", partnerID, err)
	}
	res, err := s.invitations.DeleteMany(ctx, bson.D{{Key: "partnership", Value: partnershipID}, {Key: "name_key", Value: partnerID}})
	if err != nil {
		return 0, fmt.Errorf("delete invitations of partner %s: %w", partnerID, err)
	}
	return int(res.DeletedCount), nil
}

// ErasePartnership deletes everything a partnership holds: its responses
// with their totals, export pages, releases and follow-up links, its
// rounds, invitations, activities and partners, and last the partnership
// itself, so that an erasure cut short is finished by asking again. The
// partnership must take no more answers (it ended): totals are deleted
// rather than counted down.
func (s *Store) ErasePartnership(ctx context.Context, partnershipID string, waves []string) error {
	byPartnership := bson.D{{Key: "partnership", Value: partnershipID}}
	ownReleases := bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^release:[^:]+:" + regexp.QuoteMeta(partnershipID) + "(:|$)"}}}}
	steps := []struct {
		what   string
		coll   *mongo.Collection
		filter bson.D
	}{
		{"follow-up links", s.followUps, byPartnership},
		{"releases", s.releases, ownReleases},
		{"export pages", s.pages, byPartnership},
		{"running totals", s.totals, byPartnership},
		{"daily totals", s.daily, byPartnership},
		{"monthly totals", s.monthly, byPartnership},
		{"responses", s.responses, byPartnership},
		{"mail", s.outbox, byPartnership},
		{"program theory", s.theories, byPartnership},
		{"invitations", s.invitations, byPartnership},
		{"rounds", s.waves, byPartnership},
		{"activities", s.activities, byPartnership},
		{"partners", s.partners, byPartnership},
	}
	for _, w := range waves {
		steps = append(steps, struct {
			what   string
			coll   *mongo.Collection
			filter bson.D
		}{"partner-survey releases", s.releases, bson.D{{Key: "_id", Value: "release:health:" + w}}})
	}
	// Folded first: a delta would otherwise bring some of it back.
	if err := s.fold(ctx); err != nil {
		return err
	}
	for _, st := range steps {
		if _, err := st.coll.DeleteMany(ctx, st.filter); err != nil {
			return fmt.Errorf("erase %s of %s: %w", st.what, partnershipID, err)
		}
	}
	if _, err := s.partnerships.DeleteOne(ctx, bson.D{{Key: "_id", Value: partnershipID}}); err != nil {
		return fmt.Errorf("erase partnership %s: %w", partnershipID, err)
	}
	return nil
}
