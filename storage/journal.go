package storage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The journal notes that revisions are about to change the totals, before
// they do: the repair then finds them in a small collection instead of
// scanning every response, which the embedded store cannot index. A
// batch of new responses is one journal document, written with one
// insert; a replacement or an erasure is one of its own. A revision is
// uncounted exactly while the journal lists it with its token: the token
// tells it from a retry's, which stores nothing and is cleared.

// journalDoc is one journal document: revisions, each as "token:id".
// Documents written by earlier versions name one revision, by the
// response id and a token of its own.
type journalDoc struct {
	ID      string    `bson:"_id"`
	At      time.Time `bson:"at"`
	Entries []string  `bson:"entries,omitempty"`
	Token   string    `bson:"token,omitempty"`
}

// revision names one revision of a response: its id and its token.
type revision struct{ id, token string }

func (d responseDoc) revision() revision { return revision{d.ID, d.Token} }

// revisions lists what a journal document names.
func (j journalDoc) revisions() []revision {
	if j.Entries == nil {
		return []revision{{j.ID, j.Token}}
	}
	out := make([]revision, 0, len(j.Entries))
	for _, e := range j.Entries {
		token, id, _ := strings.Cut(e, ":")
		out = append(out, revision{id, token})
	}
	return out
}

func entriesOf(revs []revision) []string {
	out := make([]string, len(revs))
	for i, r := range revs {
		out[i] = r.token + ":" + r.id
	}
	return out
}

// newToken makes a revision's journal token. It holds no ':'.
func newToken() string {
	b := make([]byte, 9)
	rand.Read(b) // never fails; see crypto/rand.Read
	return base64.RawURLEncoding.EncodeToString(b)
}

// journalRevisions journals revisions with one document, and returns its
// id.
func (s *Store) journalRevisions(ctx context.Context, revs []revision) (string, error) {
	now := time.Now().UTC()
	id := "j:" + strconv.FormatInt(now.UnixMilli(), 36) + ":" + newToken()
	if _, err := s.uncounted.InsertOne(ctx, journalDoc{ID: id, At: now, Entries: entriesOf(revs)}); err != nil {
		return "", fmt.Errorf("journal %d responses: %w", len(revs), err)
	}
	return id, nil
}

// journalAs journals a new revision of a stored response, whose earlier
// revision is counted.
func (s *Store) journalAs(ctx context.Context, id, token string) error {
	_, err := s.journalRevisions(ctx, []revision{{id, token}})
	return err
}

// journal journals a revision without a token (as tests write one).
func (s *Store) journal(ctx context.Context, id string) error { return s.journalAs(ctx, id, "") }

// readJournal reads the whole journal, which holds what is being counted
// now and what crashes left.
func (s *Store) readJournal(ctx context.Context) ([]journalDoc, error) {
	cur, err := s.uncounted.Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("read the journal: %w", err)
	}
	var docs []journalDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read the journal: %w", err)
	}
	return docs, nil
}

// journaled reads which revisions the journal lists.
func (s *Store) journaled(ctx context.Context) (map[revision]bool, error) {
	docs, err := s.readJournal(ctx)
	if err != nil {
		return nil, err
	}
	out := map[revision]bool{}
	for _, d := range docs {
		for _, r := range d.revisions() {
			out[r] = true
		}
	}
	return out, nil
}

// unjournal takes revisions off the journal: each document that lists
// one loses it (pulled, so that two instances pulling from one document
// keep both changes), and goes once it lists nothing.
func (s *Store) unjournal(ctx context.Context, revs ...revision) error {
	if len(revs) == 0 {
		return nil
	}
	drop := make(map[revision]bool, len(revs))
	for _, r := range revs {
		drop[r] = true
	}
	docs, err := s.readJournal(ctx)
	if err != nil {
		return err
	}
	for _, d := range docs {
		all := d.revisions()
		var gone []revision
		for _, r := range all {
			if drop[r] {
				gone = append(gone, r)
			}
		}
		switch {
		case len(gone) == 0:
		case len(gone) == len(all) || d.Entries == nil:
			if err := s.dropJournal(ctx, d.ID); err != nil {
				return err
			}
		default:
			if err := s.update(ctx, s.uncounted, bson.D{{Key: "_id", Value: d.ID}},
				bson.D{{Key: "$pullAll", Value: bson.D{{Key: "entries", Value: entriesOf(gone)}}}}, false); err != nil {
				return fmt.Errorf("clear %d responses from journal entry %q: %w", len(gone), d.ID, err)
			}
		}
	}
	return nil
}

// dropJournal deletes whole journal documents, such as a batch's once its
// delta is folded.
func (s *Store) dropJournal(ctx context.Context, ids ...string) error {
	for _, id := range ids {
		if _, err := s.uncounted.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
			return fmt.Errorf("clear journal entry %q: %w", id, err)
		}
	}
	return nil
}

// counted reports whether a revision's counts are in the totals: the
// journal does not list it (or, stored by an earlier version, it is
// marked counted).
func (s *Store) counted(ctx context.Context, doc responseDoc) (bool, error) {
	if doc.Counted {
		return true, nil
	}
	journaled, err := s.journaled(ctx)
	if err != nil {
		return false, fmt.Errorf("look up %q in the journal: %w", doc.ID, err)
	}
	return !journaled[doc.revision()], nil
}
