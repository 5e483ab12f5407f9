package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"samspil/access"
)

// keyDoc is a stored API key, keyed by the hash of its secret so that
// checking a request's key is one lookup by _id.
type keyDoc struct {
	Hash      string      `bson:"_id"`
	ID        string      `bson:"key_id"`
	Role      access.Role `bson:"role"`
	CreatedAt time.Time   `bson:"created_at"`
}

// SaveKey stores a key. Saving a key whose secret is already stored keeps
// the stored one, so that a configured admin key survives every restart.
func (s *Store) SaveKey(ctx context.Context, k access.Key) error {
	doc := keyDoc{Hash: k.Hash, ID: k.ID, Role: k.Role, CreatedAt: k.CreatedAt}
	err := s.update(ctx, s.keys, bson.D{{Key: "_id", Value: k.Hash}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{
			{Key: "key_id", Value: doc.ID},
			{Key: "role", Value: doc.Role},
			{Key: "created_at", Value: doc.CreatedAt},
		}}}, true)
	if err != nil {
		return fmt.Errorf("save key %s: %w", k.ID, err)
	}
	return nil
}

// Key returns the key whose secret has the given hash.
func (s *Store) Key(ctx context.Context, hash string) (access.Key, bool, error) {
	var doc keyDoc
	err := s.keys.FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&doc)
	if notFound(err) {
		return access.Key{}, false, nil
	}
	if err != nil {
		return access.Key{}, false, fmt.Errorf("look up key: %w", err)
	}
	return access.Key{Hash: doc.Hash, ID: doc.ID, Role: doc.Role, CreatedAt: doc.CreatedAt}, true, nil
}

// HasKey reports whether any key with the role exists.
func (s *Store) HasKey(ctx context.Context, role access.Role) (bool, error) {
	n, err := s.keys.CountDocuments(ctx, bson.D{{Key: "role", Value: role}}, options.Count().SetLimit(1))
	if err != nil {
		return false, fmt.Errorf("count %s keys: %w", role, err)
	}
	return n > 0, nil
}
