package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"samspil/outbox"
)

// QueueMail adds an entry to the outbox; an entry with its _id already
// there is left as it is and reports false.
func (s *Store) QueueMail(ctx context.Context, e outbox.Entry) (bool, error) {
	_, err := s.outbox.InsertOne(ctx, e)
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("queue mail: %w", err)
	}
	return true, nil
}

// DeleteMail takes an entry out of the outbox.
func (s *Store) DeleteMail(ctx context.Context, id string) error {
	if _, err := s.outbox.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("delete mail: %w", err)
	}
	return nil
}

// DueMail lists pending entries due by now, the longest waiting first,
// with their secrets: what the sender sends.
func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]outbox.Entry, error) {
	return s.mail(ctx, bson.D{{Key: "status", Value: outbox.Pending}, {Key: "due", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}},
		options.Find().SetSort(bson.D{{Key: "due", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
}

// MailOfWave lists a round's entries, for its status page.
func (s *Store) MailOfWave(ctx context.Context, wave string) ([]outbox.Entry, error) {
	return s.mail(ctx, bson.D{{Key: "wave", Value: wave}}, withoutSecret(options.Find().SetSort(bson.D{{Key: "created", Value: 1}})))
}

func withoutSecret(o *options.FindOptionsBuilder) *options.FindOptionsBuilder {
	return o.SetProjection(bson.D{{Key: "secret", Value: 0}})
}

func (s *Store) mail(ctx context.Context, filter bson.D, opts *options.FindOptionsBuilder) ([]outbox.Entry, error) {
	cur, err := s.outbox.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	var out []outbox.Entry
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// ClaimMail marks a pending entry as being sent and reports whether this
// caller got it: of several senders, exactly one does.
func (s *Store) ClaimMail(ctx context.Context, id string, now time.Time) (bool, error) {
	ok, err := s.writeIf(ctx, s.outbox, id, bson.D{{Key: "status", Value: outbox.Pending}}, hasStatus(outbox.Pending),
		updateOne(ctx, s.outbox, bson.D{{Key: "$set", Value: bson.D{
			{Key: "status", Value: outbox.Sending}, {Key: "claimed", Value: now.UTC()}}}}))
	if err != nil {
		return false, fmt.Errorf("claim mail: %w", err)
	}
	return ok, nil
}

// FinishMail records how a claimed entry ended and drops its secret.
func (s *Store) FinishMail(ctx context.Context, id string, status outbox.Status, reason string, at time.Time) error {
	return s.fromSending(ctx, id, bson.D{
		{Key: "$set", Value: bson.D{{Key: "status", Value: status}, {Key: "reason", Value: reason}, {Key: "done", Value: at.UTC()}}},
		{Key: "$unset", Value: bson.D{{Key: "secret", Value: ""}}},
	})
}

// RetryMail puts a claimed entry back to wait until due, counting a try
// when one was made. Only an entry still claimed goes back: one whose
// lease ran out meanwhile was marked Unknown and may have been sent
// again by hand, so it must never be sent by itself.
func (s *Store) RetryMail(ctx context.Context, id string, due time.Time, attempted bool, reason string) error {
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: outbox.Pending}, {Key: "due", Value: due.UTC()},
		{Key: "reason", Value: reason}}}}
	if attempted {
		update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}})
	}
	ok, err := s.writeIf(ctx, s.outbox, id, bson.D{{Key: "status", Value: outbox.Sending}}, hasStatus(outbox.Sending),
		updateOne(ctx, s.outbox, update))
	if err != nil {
		return fmt.Errorf("record mail: %w", err)
	}
	if !ok {
		return fmt.Errorf("record mail %s: its claim ran out; it stays as it was marked", id)
	}
	return nil
}

// fromSending records the end of an entry this caller claimed. No guard
// is needed: only the claimant moves a claimed entry on, and an entry its
// lease ran out on meanwhile (marked Unknown) is better told how it ended.
// A single write by _id is also what the embedded store does fastest.
func (s *Store) fromSending(ctx context.Context, id string, update bson.D) error {
	if err := s.update(ctx, s.outbox, bson.D{{Key: "_id", Value: id}}, update, false); err != nil {
		return fmt.Errorf("record mail: %w", err)
	}
	return nil
}

// ExpireClaims marks entries claimed before the given time as Unknown:
// their sender stopped before saying how sending went.
func (s *Store) ExpireClaims(ctx context.Context, before, at time.Time) (int, error) {
	stale, err := s.mail(ctx, bson.D{{Key: "status", Value: outbox.Sending}, {Key: "claimed", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}},
		withoutSecret(options.Find()))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range stale {
		ok, err := s.writeIf(ctx, s.outbox, e.ID, bson.D{{Key: "status", Value: outbox.Sending}, {Key: "claimed", Value: e.Claimed}},
			func(doc bson.Raw) bool {
				c, _ := doc.Lookup("claimed").TimeOK()
				return hasStatus(outbox.Sending)(doc) && c.Equal(e.Claimed)
			},
			updateOne(ctx, s.outbox, bson.D{
				{Key: "$set", Value: bson.D{{Key: "status", Value: outbox.Unknown}, {Key: "done", Value: at.UTC()},
					{Key: "reason", Value: "the sender stopped while handing it over; it may or may not have gone"}}},
				{Key: "$unset", Value: bson.D{{Key: "secret", Value: ""}}},
			}))
		if err != nil {
			return n, fmt.Errorf("settle old claim: %w", err)
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// MailStats counts the outbox's entries by status and tells when the
// longest-waiting pending entry fell due.
func (s *Store) MailStats(ctx context.Context) (map[outbox.Status]int, time.Time, error) {
	cur, err := s.outbox.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "status", Value: 1}, {Key: "due", Value: 1}}))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("count outbox: %w", err)
	}
	var es []outbox.Entry
	if err := cur.All(ctx, &es); err != nil {
		return nil, time.Time{}, fmt.Errorf("count outbox: %w", err)
	}
	by := map[outbox.Status]int{}
	var oldest time.Time
	for _, e := range es {
		by[e.Status]++
		if e.Status == outbox.Pending && (oldest.IsZero() || e.Due.Before(oldest)) {
			oldest = e.Due
		}
	}
	return by, oldest, nil
}

func hasStatus(st outbox.Status) func(bson.Raw) bool {
	return func(doc bson.Raw) bool {
		v, ok := doc.Lookup("status").StringValueOK()
		return ok && v == string(st)
	}
}

// DeleteMailBefore deletes the entries done with before t.
func (s *Store) DeleteMailBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := s.outbox.DeleteMany(ctx, bson.D{{Key: "done", Value: bson.D{{Key: "$lt", Value: t.UTC()}}}})
	if err != nil {
		return 0, fmt.Errorf("delete old mail: %w", err)
	}
	return int(res.DeletedCount), nil
}
