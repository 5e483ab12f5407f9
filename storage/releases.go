package storage

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"samspil/forms"
)

// releaseDoc holds an encoded release as bytes, which the embedded store
// keeps as one string instead of parsing a deep document on every read.
type releaseDoc struct {
	ID   string `bson:"_id"`
	Data []byte `bson:"data"`
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

// SaveRelease replaces a release. A release follows from the stored
// answers alone, so two services saving one at once save the same.
func (s *Store) SaveRelease(ctx context.Context, id string, data []byte) error {
	_, err := s.releases.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, releaseDoc{ID: id, Data: data},
		options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("save release %q: %w", id, err)
	}
	return nil
}

// clearReleases drops every release, so that figures are released anew
// from corrected scores; the classes come out the same, since they follow
// from where and when people answered, not from their scores.
func (s *Store) clearReleases(ctx context.Context) error {
	if _, err := s.releases.DeleteMany(ctx, bson.D{}); err != nil {
		return fmt.Errorf("clear releases: %w", err)
	}
	return nil
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
