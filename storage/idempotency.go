package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// replayDoc is a stored answer to a request sent with an Idempotency-Key.
type replayDoc struct {
	ID          string    `bson:"_id"`
	At          time.Time `bson:"at"`
	Status      int       `bson:"status"`
	ContentType string    `bson:"content_type"`
	Body        []byte    `bson:"body"`
}

// Replay returns the stored answer to the request with the key's id.
func (s *Store) Replay(ctx context.Context, id string) (status int, contentType string, body []byte, found bool, err error) {
	var d replayDoc
	err = s.idempotency.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	switch {
	case notFound(err):
		return 0, "", nil, false, nil
	case err != nil:
		return 0, "", nil, false, fmt.Errorf("read idempotent answer: %w", err)
	}
	return d.Status, d.ContentType, d.Body, true, nil
}

// SaveReplay stores the answer to a request with an Idempotency-Key; the
// first stored answer stands.
func (s *Store) SaveReplay(ctx context.Context, id string, status int, contentType string, body []byte, at time.Time) error {
	_, err := s.idempotency.InsertOne(ctx, replayDoc{ID: id, At: at.UTC(), Status: status, ContentType: contentType, Body: body})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("store idempotent answer: %w", err)
	}
	return nil
}

// DeleteReplaysBefore deletes answers stored before t, reporting how many.
func (s *Store) DeleteReplaysBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := s.idempotency.DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: t.UTC()}}}})
	if err != nil {
		return 0, fmt.Errorf("delete old idempotent answers: %w", err)
	}
	return int(res.DeletedCount), nil
}
