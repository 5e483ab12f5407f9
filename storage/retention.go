package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"samspil/access"
	"samspil/forms"
	"samspil/partnership"
	"samspil/retention"
)

// Free text is deleted after a while, which needs the responses that hold
// some without reading every response: the embedded store would parse
// them all. So a response with text is noted, before it is stored, in
// text_notes under its day, and the retention job reads the notes. A note
// whose response never got stored finds nothing and goes.

// textNoteDoc lists a day's responses with free text, as
// "partnership\tresponse".
type textNoteDoc struct {
	Day     string   `bson:"_id"`
	Entries []string `bson:"entries"`
}

// NoteText notes that a response given on day may hold free text.
func (s *Store) NoteText(ctx context.Context, day, partnership, response string) error {
	err := s.update(ctx, s.textNotes, bson.D{{Key: "_id", Value: day}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "entries", Value: partnership + "\t" + response}}}}, true)
	if err != nil {
		return fmt.Errorf("note free text of %q: %w", response, err)
	}
	return nil
}

// TextNotes returns the notes of responses that may hold free text given
// on or before the day named.
func (s *Store) TextNotes(ctx context.Context, through string) ([]retention.TextNote, error) {
	cur, err := s.textNotes.Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("read free-text notes: %w", err)
	}
	var docs []textNoteDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read free-text notes: %w", err)
	}
	var out []retention.TextNote
	for _, d := range docs {
		if d.Day > through {
			continue
		}
		for _, e := range d.Entries {
			pid, id, _ := strings.Cut(e, "\t")
			out = append(out, retention.TextNote{Day: d.Day, Partnership: pid, Response: id})
		}
	}
	return out, nil
}

// DropTextNote removes a note once its response holds no more free text.
func (s *Store) DropTextNote(ctx context.Context, n retention.TextNote) error {
	err := s.update(ctx, s.textNotes, bson.D{{Key: "_id", Value: n.Day}},
		bson.D{{Key: "$pull", Value: bson.D{{Key: "entries", Value: n.Partnership + "\t" + n.Response}}}}, false)
	if err != nil {
		return fmt.Errorf("drop free-text note: %w", err)
	}
	return nil
}

// StripAnswers deletes some answers of a stored response, such as its
// free text, from the response and its export row. The running totals
// keep counting that the questions were answered: what was said goes,
// not that something was. A response that is gone, or holds none of the
// items, is left as it is.
func (s *Store) StripAnswers(ctx context.Context, id string, items []string) error {
	// Its row may be in a delta still, which would put the text back.
	if err := s.fold(ctx); err != nil {
		return err
	}
	var doc responseDoc
	err := s.responses.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc)
	switch {
	case notFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("load response %q: %w", id, err)
	}
	unset := bson.D{}
	for _, it := range items {
		if _, ok := doc.Answers[it]; ok {
			unset = append(unset, bson.E{Key: "answers." + it, Value: ""})
			delete(doc.Answers, it)
		}
	}
	if len(unset) == 0 || doc.Erased {
		return nil
	}
	stripped, err := s.atRevision(ctx, id, doc.Revision, func(filter bson.D) (bool, error) {
		res, err := s.responses.UpdateOne(ctx, filter, bson.D{{Key: "$unset", Value: unset}})
		return err == nil && res.MatchedCount > 0, err
	})
	if err != nil {
		return fmt.Errorf("delete answers of %q: %w", id, err)
	}
	if !stripped {
		return forms.ErrReplacedMeanwhile
	}
	pages := s.newPageWriter()
	if err := pages.add(ctx, doc); err != nil {
		return err
	}
	return pages.flush(ctx)
}

// DeleteInvitations deletes a wave's invitations: their links stop
// working. It reports how many went.
func (s *Store) DeleteInvitations(ctx context.Context, waveID string) (int, error) {
	res, err := s.invitations.DeleteMany(ctx, bson.D{{Key: "wave", Value: waveID}})
	if err != nil {
		return 0, fmt.Errorf("delete invitations of %s: %w", waveID, err)
	}
	return int(res.DeletedCount), nil
}

// DeleteAuditBefore deletes the audit entries made before t, reporting
// how many went.
func (s *Store) DeleteAuditBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := s.audit.DeleteMany(ctx, bson.D{{Key: "value.at", Value: bson.D{{Key: "$lt", Value: t.UTC()}}}})
	if err != nil {
		return 0, fmt.Errorf("delete old audit entries: %w", err)
	}
	return int(res.DeletedCount), nil
}

// ClearContacts deletes a partnership's contact details: the contact the
// partners write to and every partner's e-mail address. It reports how
// many partners had one.
func (s *Store) ClearContacts(ctx context.Context, p partnership.Partnership) (int, error) {
	partners, err := s.Partners(ctx, p.ID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, pa := range partners {
		if pa.Email == "" {
			continue
		}
		pa.Email = ""
		if err := s.UpdatePartner(ctx, pa); err != nil {
			return n, fmt.Errorf("clear e-mail of partner %s: %w", pa.ID, err)
		}
		n++
	}
	if p.Contact != "" {
		p.Contact = ""
		if err := s.UpdatePartnership(ctx, p); err != nil {
			return n, fmt.Errorf("clear contact of %s: %w", p.ID, err)
		}
	}
	return n, nil
}

// DeleteExpiredSignIns deletes staff sessions that ended by age and
// password links that expired, reporting how many went.
func (s *Store) DeleteExpiredSignIns(ctx context.Context, now time.Time) (int, error) {
	a, err := s.sessions.DeleteMany(ctx, bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: now.Add(-access.MaxSessionAge).UTC()}}}})
	if err != nil {
		return 0, fmt.Errorf("delete ended sessions: %w", err)
	}
	b, err := s.setupLinks.DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: now.UTC()}}}})
	if err != nil {
		return int(a.DeletedCount), fmt.Errorf("delete expired password links: %w", err)
	}
	return int(a.DeletedCount + b.DeletedCount), nil
}
