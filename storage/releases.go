package storage

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"samspil/forms"
)

// releaseDoc holds an encoded release as bytes, which the embedded store
// keeps as one string instead of parsing a deep document on every read,
// and how far it reaches.
type releaseDoc struct {
	ID      string `bson:"_id"`
	Through string `bson:"through"`
	Data    []byte `bson:"data"`
}

// LoadRelease reads a release by id.
func (s *Store) LoadRelease(ctx context.Context, id string) ([]byte, bool, error) {
	var d releaseDoc
	err := s.releases.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	switch {
	case notFound(err):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("load release %q: %w", id, err)
	}
	return d.Data, true, nil
}

// SaveRelease writes a release document reaching through a month, only if
// the stored one reaches through expect ("": there is none), and says
// whether it wrote it: of two services extending a release at once, one
// wins, and the other serves what the winner stored.
func (s *Store) SaveRelease(ctx context.Context, id, expect, through string, data []byte) (bool, error) {
	saved, err := s.writeIf(ctx, s.releases, id, bson.D{{Key: "through", Value: expect}},
		func(stored bson.Raw) bool {
			t, _ := stored.Lookup("through").StringValueOK()
			return expect != "" && t == expect
		},
		func(filter bson.D) (bool, error) {
			if expect == "" {
				_, err := s.releases.InsertOne(ctx, releaseDoc{ID: id, Through: through, Data: data})
				if mongo.IsDuplicateKeyError(err) {
					return false, nil
				}
				return err == nil, err
			}
			res, err := s.releases.ReplaceOne(ctx, filter, releaseDoc{ID: id, Through: through, Data: data})
			if err != nil {
				return false, err
			}
			return res.MatchedCount == 1, nil
		})
	if err != nil {
		return false, fmt.Errorf("save release %q: %w", id, err)
	}
	return saved, nil
}

// EachResponseIn calls fn with every response to a form in one partnership
// ("" for those that name none) answered within days, as an export shows
// them, a page at a time.
func (s *Store) EachResponseIn(ctx context.Context, form, partnership string, days forms.Days, fn func(forms.Response) error) error {
	filter := bson.D{{Key: "form", Value: form}, {Key: "partnership", Value: partnership}}
	within := bson.D{}
	if days.From != "" {
		within = append(within, bson.E{Key: "$gte", Value: days.From})
	}
	if days.To != "" {
		within = append(within, bson.E{Key: "$lte", Value: days.To})
	}
	if len(within) > 0 {
		filter = append(filter, bson.E{Key: "day", Value: within})
	}
	return s.eachPageRow(ctx, filter, fn)
}
