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
	Hash        string      `bson:"_id"`
	ID          string      `bson:"key_id"`
	Role        access.Role `bson:"role"`
	Partnership string      `bson:"partnership,omitempty"`
	CreatedAt   time.Time   `bson:"created_at"`
	RevokedAt   *time.Time  `bson:"revoked_at,omitempty"`
}

func (d keyDoc) key() access.Key {
	return access.Key{Hash: d.Hash, ID: d.ID, Role: d.Role, Partnership: d.Partnership, CreatedAt: d.CreatedAt, RevokedAt: d.RevokedAt}
}

// SaveKey stores a key. Saving a key whose secret is already stored keeps
// the stored one, so that a configured admin key survives every restart.
func (s *Store) SaveKey(ctx context.Context, k access.Key) error {
	err := s.update(ctx, s.keys, bson.D{{Key: "_id", Value: k.Hash}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{
			{Key: "key_id", Value: k.ID},
			{Key: "role", Value: k.Role},
			{Key: "partnership", Value: k.Partnership},
			{Key: "created_at", Value: k.CreatedAt},
		}}}, true)
	if err != nil {
		return fmt.Errorf("save key %s: %w", k.ID, err)
	}
	return nil
}

// Key returns the key whose secret has the given hash, unless revoked.
func (s *Store) Key(ctx context.Context, hash string) (access.Key, bool, error) {
	var doc keyDoc
	err := s.keys.FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&doc)
	if notFound(err) {
		return access.Key{}, false, nil
	}
	if err != nil {
		return access.Key{}, false, fmt.Errorf("look up key: %w", err)
	}
	if doc.RevokedAt != nil {
		return access.Key{}, false, nil
	}
	return doc.key(), true, nil
}

// Keys returns every key, revoked ones included, without secrets.
func (s *Store) Keys(ctx context.Context) ([]access.Key, error) {
	cur, err := s.keys.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	var docs []keyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	keys := make([]access.Key, 0, len(docs))
	for _, d := range docs {
		keys = append(keys, d.key())
	}
	return keys, nil
}

// RevokeKey stops a key from working. It reports false for an unknown id.
func (s *Store) RevokeKey(ctx context.Context, id string, now time.Time) (bool, error) {
	if s.serialize {
		s.updates.Lock()
		defer s.updates.Unlock()
	}
	res, err := s.keys.UpdateOne(ctx, bson.D{{Key: "key_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: now.UTC()}}}})
	if err != nil {
		return false, fmt.Errorf("revoke key %s: %w", id, err)
	}
	return res.MatchedCount > 0, nil
}

// HasKey reports whether any key with the role exists.
func (s *Store) HasKey(ctx context.Context, role access.Role) (bool, error) {
	n, err := s.keys.CountDocuments(ctx, bson.D{{Key: "role", Value: role}}, options.Count().SetLimit(1))
	if err != nil {
		return false, fmt.Errorf("count %s keys: %w", role, err)
	}
	return n > 0, nil
}
