package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	"samspil/followup"
	"samspil/forms"
)

// followUpDoc is a follow-up code's link, by the code's keyed hash: the
// store never sees the code itself.
type followUpDoc struct {
	ID          string    `bson:"_id"`
	Partnership string    `bson:"partnership"`
	Responses   []string  `bson:"responses"`
	Created     time.Time `bson:"created"`
}

// FollowUp returns the link of a code's hash, if there is one.
func (s *Store) FollowUp(ctx context.Context, hash string) (followup.Link, bool, error) {
	var d followUpDoc
	err := s.followUps.FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d)
	switch {
	case notFound(err):
		return followup.Link{}, false, nil
	case err != nil:
		return followup.Link{}, false, fmt.Errorf("load follow-up code: %w", err)
	}
	return followup.Link{Hash: d.ID, Partnership: d.Partnership, Responses: d.Responses, Created: d.Created}, true, nil
}

// LinkFollowUp adds a response to a code's link, creating the link in
// the partnership when there is none. Adding a response twice leaves one.
func (s *Store) LinkFollowUp(ctx context.Context, hash, partnership, response string, at time.Time) error {
	err := s.update(ctx, s.followUps, bson.D{{Key: "_id", Value: hash}}, bson.D{
		{Key: "$addToSet", Value: bson.D{{Key: "responses", Value: response}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "partnership", Value: partnership}, {Key: "created", Value: at.UTC()}}},
	}, true)
	if err != nil {
		return fmt.Errorf("link response to follow-up code: %w", err)
	}
	return nil
}

// DeleteFollowUp deletes a code's link; the responses stay.
func (s *Store) DeleteFollowUp(ctx context.Context, hash string) error {
	if _, err := s.followUps.DeleteOne(ctx, bson.D{{Key: "_id", Value: hash}}); err != nil {
		return fmt.Errorf("delete follow-up code: %w", err)
	}
	return nil
}

// FollowedResponses returns, person by person, the responses that
// follow-up codes link in a partnership, without their answers: where and
// when each was given and its scores. Responses are read by _id, a few at
// a time.
func (s *Store) FollowedResponses(ctx context.Context, partnership string) ([][]forms.Response, error) {
	cur, err := s.followUps.Find(ctx, bson.D{{Key: "partnership", Value: partnership}})
	if err != nil {
		return nil, fmt.Errorf("load follow-up codes: %w", err)
	}
	var links []followUpDoc
	if err := cur.All(ctx, &links); err != nil {
		return nil, fmt.Errorf("load follow-up codes: %w", err)
	}
	found := make([][]*forms.Response, len(links))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(cellReads)
	skip := options.FindOne().SetProjection(bson.D{{Key: "answers", Value: 0}, {Key: "counts", Value: 0}, {Key: "uncount", Value: 0}})
	for i, l := range links {
		found[i] = make([]*forms.Response, len(l.Responses))
		for j, id := range l.Responses {
			g.Go(func() error {
				var d responseDoc
				err := s.responses.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, skip).Decode(&d)
				switch {
				case notFound(err):
					return nil
				case err != nil:
					return fmt.Errorf("load followed response: %w", err)
				}
				if !d.Erased {
					r := d.response()
					found[i][j] = &r
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	people := make([][]forms.Response, 0, len(found))
	for _, rs := range found {
		var person []forms.Response
		for _, r := range rs {
			if r != nil {
				person = append(person, *r)
			}
		}
		if len(person) > 0 {
			people = append(people, person)
		}
	}
	return people, nil
}
