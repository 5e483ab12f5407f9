package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"samspil/forms"
)

// formDoc is a published form version. The definition is kept as JSON
// text: it is read whole, never queried into, and its maps may hold keys
// that stored documents may not.
type formDoc struct {
	ID          string    `bson:"_id"`
	Form        string    `bson:"form"`
	Version     int       `bson:"version"`
	Definition  string    `bson:"definition"`
	PublishedAt time.Time `bson:"published_at"`
}

// SaveForm stores a published form version. When the version is stored
// already, nothing is written and the stored one comes back with created
// false: the caller tells a repeat from a conflict.
func (s *Store) SaveForm(ctx context.Context, f *forms.Form, now time.Time) (stored *forms.Form, created bool, err error) {
	def, err := json.Marshal(f)
	if err != nil {
		return nil, false, fmt.Errorf("encode form %q: %w", f.ID, err)
	}
	doc := formDoc{ID: fmt.Sprintf("%s:%d", f.ID, f.Version), Form: f.ID, Version: f.Version,
		Definition: string(def), PublishedAt: now.UTC()}
	if _, err := s.forms.InsertOne(ctx, doc); err != nil {
		if !mongo.IsDuplicateKeyError(err) {
			return nil, false, fmt.Errorf("insert form %s: %w", doc.ID, err)
		}
		var existing formDoc
		if err := s.forms.FindOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}).Decode(&existing); err != nil {
			return nil, false, fmt.Errorf("load form %s: %w", doc.ID, err)
		}
		stored, err := forms.Decode([]byte(existing.Definition))
		return stored, false, err
	}
	return f, true, nil
}

// Forms returns every published form version in the store.
func (s *Store) Forms(ctx context.Context) ([]*forms.Form, error) {
	cur, err := s.forms.Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("load published forms: %w", err)
	}
	var docs []formDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("load published forms: %w", err)
	}
	out := make([]*forms.Form, 0, len(docs))
	for _, d := range docs {
		f, err := forms.Parse([]byte(d.Definition))
		if err != nil {
			return nil, fmt.Errorf("stored form %s: %w", d.ID, err)
		}
		out = append(out, f)
	}
	return out, nil
}
