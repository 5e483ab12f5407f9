package storage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The journal notes that a response is about to change the totals, before
// it does: the repair then finds it by _id in a small collection instead
// of scanning every response, which the embedded store cannot index. A
// revision is uncounted exactly while an entry with its token is there:
// counting takes the entry off before the revision's keys can leave its
// cells' pending lists, so a journaled revision's cells list it wherever
// its counts are in.

// journalEntry is a journal entry.
type journalEntry struct {
	ID    string    `bson:"_id"`
	At    time.Time `bson:"at"`
	Token string    `bson:"token,omitempty"`
}

// newToken makes a revision's journal token.
func newToken() string {
	b := make([]byte, 9)
	rand.Read(b) // never fails; see crypto/rand.Read
	return base64.RawURLEncoding.EncodeToString(b)
}

// claimJournal journals a new response under token before it is stored.
// When an entry for the id is there already (a retry racing its first
// send, or one a crash left before the response was stored), the response
// takes that entry's token instead, so the two agree whoever stores it;
// mine says the entry is this call's own.
func (s *Store) claimJournal(ctx context.Context, id, token string) (string, bool, error) {
	_, err := s.uncounted.InsertOne(ctx, journalEntry{ID: id, At: time.Now().UTC(), Token: token})
	if err == nil {
		return token, true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return "", false, fmt.Errorf("journal response %q: %w", id, err)
	}
	var e journalEntry
	if err := s.uncounted.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&e); err != nil {
		if notFound(err) { // counted and cleared meanwhile: try once more
			return s.claimJournal(ctx, id, token)
		}
		return "", false, fmt.Errorf("read journal entry %q: %w", id, err)
	}
	return e.Token, false, nil
}

// journal journals a new revision of a stored response, whose earlier
// revision is counted: any entry there is stale, and takes token.
func (s *Store) journal(ctx context.Context, id string) error { return s.journalAs(ctx, id, "") }

func (s *Store) journalAs(ctx context.Context, id, token string) error {
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: time.Now().UTC()}, {Key: "token", Value: token}}}}
	if token == "" {
		update = bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: time.Now().UTC()}}},
			{Key: "$unset", Value: bson.D{{Key: "token", Value: ""}}}}
	}
	err := s.update(ctx, s.uncounted, bson.D{{Key: "_id", Value: id}}, update, true)
	if err != nil {
		return fmt.Errorf("journal response %q: %w", id, err)
	}
	return nil
}

// dropJournal takes off an entry this call made, unless the stored
// response carries its token: another send took the entry over and
// stored the response under it, and it is counting.
func (s *Store) dropJournal(ctx context.Context, id, token string) error {
	var doc responseDoc
	err := s.responses.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(bson.D{{Key: "token", Value: 1}})).Decode(&doc)
	switch {
	case err == nil && doc.Token == token:
		return nil
	case err != nil && !notFound(err):
		return fmt.Errorf("load response %q: %w", id, err)
	}
	return s.unjournal(ctx, id, token)
}

// unjournal takes off a journal entry, only while it still carries
// token: an entry a newer revision took over stays.
func (s *Store) unjournal(ctx context.Context, id, token string) error {
	if _, err := s.uncounted.DeleteOne(ctx, entryOf(id, token)); err != nil {
		return fmt.Errorf("clear %q from the journal: %w", id, err)
	}
	return nil
}

// entryOf is a filter for the journal entry of id that carries token; an
// empty token matches an entry without one (written by an earlier
// version, or by a test).
func entryOf(id, token string) bson.D {
	if token == "" {
		return bson.D{{Key: "_id", Value: id}, {Key: "token", Value: bson.D{{Key: "$exists", Value: false}}}}
	}
	return bson.D{{Key: "_id", Value: id}, {Key: "token", Value: token}}
}

// counted reports whether a revision's counts are in the totals: no
// journal entry carries its token (or, stored by an earlier version, it
// is marked counted).
func (s *Store) counted(ctx context.Context, doc responseDoc) (bool, error) {
	if doc.Counted {
		return true, nil
	}
	var e journalEntry
	err := s.uncounted.FindOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}).Decode(&e)
	switch {
	case notFound(err):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("look up %q in the journal: %w", doc.ID, err)
	}
	return e.Token != doc.Token, nil
}
