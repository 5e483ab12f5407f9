package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A cell's pending list names what its counts hold that could be offered
// again: the deltas folded into it, until they are deleted, and revisions
// counted directly, until they leave the journal. Keys that can no longer
// be offered are pruned once enough have gathered.

// pruneAt is how many keys a cell gathers on its pending list, as this
// process counts, before the stale ones are taken off.
const pruneAt = 200

// deltaKeep is how long a folded delta's key stays on a cell's list after
// the delta is gone, on MongoDB: another instance that read the delta
// before it went may still be folding it. The embedded store has one
// process, whose folds take turns.
const deltaKeep = 2 * batchTimeout

// pendingGrew notes n more keys on a cell's pending list and reports
// whether it is time to prune it.
func (s *Store) pendingGrew(ref cellRef, n int) bool {
	s.pendingMu.Lock()
	defer s.pendingMu.Unlock()
	if s.pendingKeys == nil {
		s.pendingKeys = map[string]int{}
	}
	key := ref.coll.Name() + "/" + ref.id
	s.pendingKeys[key] += n
	if s.pendingKeys[key] < pruneAt {
		return false
	}
	delete(s.pendingKeys, key)
	return true
}

// prunePending takes off a cell's pending list the keys that nothing can
// offer again: deltas that are gone (and old enough), and revisions off
// the journal. A journaled revision keeps its key: it may be being
// counted, and its key is listed before its entry goes.
func (s *Store) prunePending(ctx context.Context, ref cellRef) error {
	var cell struct {
		Pending []string `bson:"pending"`
	}
	err := ref.coll.FindOne(ctx, bson.D{{Key: "_id", Value: ref.id}}, options.FindOne().SetProjection(bson.D{{Key: "pending", Value: 1}})).Decode(&cell)
	if err != nil {
		return fmt.Errorf("read pending of %q: %w", ref.id, err)
	}
	now, keep := time.Now(), s.keepDeltaKeys
	var deltas bson.A
	for _, k := range cell.Pending {
		if age, ok := deltaAge(k, now); ok && age >= keep {
			deltas = append(deltas, k)
		}
	}
	live := map[string]bool{}
	if len(deltas) > 0 {
		ids, err := s.idsIn(ctx, s.deltas.Name(), deltas)
		if err != nil {
			return err
		}
		for _, id := range ids {
			live[id] = true
		}
	}
	journaled, err := s.journaled(ctx)
	if err != nil {
		return err
	}
	stale := bson.A{}
	for _, k := range cell.Pending {
		age, isDelta := deltaAge(k, now)
		switch {
		case isDelta && age >= keep && !live[k]:
			stale = append(stale, k)
		case !isDelta && !journaled[revisionOfKey(k)]:
			stale = append(stale, k)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	if err := s.update(ctx, ref.coll, bson.D{{Key: "_id", Value: ref.id}},
		bson.D{{Key: "$pullAll", Value: bson.D{{Key: "pending", Value: stale}}}}, false); err != nil {
		return fmt.Errorf("prune pending of %q: %w", ref.id, err)
	}
	return nil
}

// idsIn returns which of ids a collection holds.
func (s *Store) idsIn(ctx context.Context, coll string, ids bson.A) ([]string, error) {
	cur, err := s.db.Collection(coll).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", coll, err)
	}
	var found []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &found); err != nil {
		return nil, fmt.Errorf("read %s: %w", coll, err)
	}
	out := make([]string, len(found))
	for i, f := range found {
		out[i] = f.ID
	}
	return out, nil
}

// revisionOfKey reads the revision a pending key names: "id#n#token", or
// "id#n" for one without a token.
func revisionOfKey(key string) revision {
	id, rest, _ := strings.Cut(key, "#")
	_, token, _ := strings.Cut(rest, "#")
	return revision{id, token}
}
