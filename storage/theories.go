package storage

import (
	"context"
	"fmt"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"samspil/theory"
)

// A partnership's program theory is kept version by version, one document
// each ("pid:7"), never changed once written. Writing the next version's
// document is what saves it: its _id is unique, so of two people saving
// over the same version one wins and the other learns it. The head
// ("pid") names the latest version for reading in one step; a save that
// crashed before moving it is found by looking one version further.

// theoryDoc is one saved version, or the head.
type theoryDoc struct {
	ID          string        `bson:"_id"`
	Partnership string        `bson:"partnership"`
	Version     int           `bson:"version"`
	Theory      theory.Theory `bson:"theory,omitempty"`
}

func theoryVersionID(pid string, v int) string { return pid + ":" + strconv.Itoa(v) }

// SaveTheory saves t as version t.Version of its partnership's theory. It
// reports false, saving nothing, when that version exists already.
func (s *Store) SaveTheory(ctx context.Context, t theory.Theory) (bool, error) {
	doc := theoryDoc{ID: theoryVersionID(t.Partnership, t.Version), Partnership: t.Partnership, Version: t.Version, Theory: t}
	if _, err := s.theories.InsertOne(ctx, doc); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return false, nil
		}
		return false, fmt.Errorf("save program theory of %s: %w", t.Partnership, err)
	}
	head := bson.D{{Key: "$max", Value: bson.D{{Key: "version", Value: t.Version}}},
		{Key: "$set", Value: bson.D{{Key: "partnership", Value: t.Partnership}}}}
	if err := s.update(ctx, s.theories, bson.D{{Key: "_id", Value: t.Partnership}}, head, true); err != nil {
		// Saved all the same: readers look one version past the head.
		s.logger.Warn("move the head of a program theory", "partnership", t.Partnership, "err", err)
	}
	return true, nil
}

// Theory returns the latest version of a partnership's theory, if it has
// one.
func (s *Store) Theory(ctx context.Context, pid string) (theory.Theory, bool, error) {
	var head theoryDoc
	err := s.theories.FindOne(ctx, bson.D{{Key: "_id", Value: pid}}).Decode(&head)
	if err != nil && !notFound(err) {
		return theory.Theory{}, false, fmt.Errorf("load program theory of %s: %w", pid, err)
	}
	latest, found := theory.Theory{}, false
	for v := max(head.Version, 1); ; v++ {
		t, ok, err := s.TheoryVersion(ctx, pid, v)
		if err != nil || !ok {
			return latest, found, err
		}
		latest, found = t, true
	}
}

// TheoryVersion returns one version of a partnership's theory.
func (s *Store) TheoryVersion(ctx context.Context, pid string, v int) (theory.Theory, bool, error) {
	var doc theoryDoc
	err := s.theories.FindOne(ctx, bson.D{{Key: "_id", Value: theoryVersionID(pid, v)}}).Decode(&doc)
	switch {
	case notFound(err):
		return theory.Theory{}, false, nil
	case err != nil:
		return theory.Theory{}, false, fmt.Errorf("load version %d of the program theory of %s: %w", v, pid, err)
	}
	return doc.Theory, true, nil
}

// TheoryVersions returns every version of a partnership's theory, newest
// first.
func (s *Store) TheoryVersions(ctx context.Context, pid string) ([]theory.Theory, error) {
	latest, ok, err := s.Theory(ctx, pid)
	if err != nil || !ok {
		return nil, err
	}
	out := []theory.Theory{latest}
	for v := latest.Version - 1; v >= 1; v-- {
		t, ok, err := s.TheoryVersion(ctx, pid, v)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, t)
		}
	}
	return out, nil
}
