package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// New responses that arrive together are stored and counted together:
// while one batch is written, those that come in wait, and the next batch
// writes their journal entries with one insert, the responses with
// another, and their counts with a third, as one delta. The embedded
// store writes a batch of fifty in about the time of five single inserts.
// Each request learns on its own whether its response was new or there
// already, and returns once it is counted.

// maxBatch bounds how many responses one batch stores.
const maxBatch = 100

// batchTimeout bounds the writes of one batch.
const batchTimeout = 30 * time.Second

// insertJob is one new response waiting to be stored.
type insertJob struct {
	doc  responseDoc
	done chan insertResult
}

// insertResult says how storing one response went: its journal token,
// whether it was new, and whether storing it failed.
type insertResult struct {
	token   string
	created bool
	err     error
}

// insertSoon stores and counts a new response in the next batch, and
// reports whether it was new.
func (s *Store) insertSoon(ctx context.Context, doc responseDoc) (bool, error) {
	job := insertJob{doc: doc, done: make(chan insertResult, 1)}
	select {
	case s.toInsert <- job:
	case <-s.insertingStopped:
		return false, errStoreClosed
	case <-ctx.Done():
		return false, ctx.Err()
	}
	// Once handed over, the batch is waited for: it may store the
	// response, and then counts it.
	r := <-job.done
	return r.created, r.err
}

// insertLoop stores the new responses that wait, a batch at a time,
// until ctx ends.
func (s *Store) insertLoop(ctx context.Context) {
	defer close(s.insertingStopped)
	for {
		var jobs []insertJob
		select {
		case <-ctx.Done():
			return
		case j := <-s.toInsert:
			jobs = append(jobs, j)
		}
	waiting:
		for len(jobs) < maxBatch {
			select {
			case j := <-s.toInsert:
				jobs = append(jobs, j)
			default:
				break waiting
			}
		}
		batchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), batchTimeout)
		s.insertBatch(batchCtx, jobs)
		cancel()
	}
}

// insertBatch journals, stores and counts a batch. Two sends of one
// response in the same batch go one after the other, the second as a
// retry.
func (s *Store) insertBatch(ctx context.Context, jobs []insertJob) {
	var now, later []insertJob
	seen := map[string]bool{}
	for _, j := range jobs {
		if seen[j.doc.ID] {
			later = append(later, j)
			continue
		}
		seen[j.doc.ID] = true
		now = append(now, j)
	}
	results, journal := s.insertAll(ctx, now)
	var created []responseDoc
	var unsure []revision
	for i, j := range now {
		switch {
		case results[i].created:
			d := j.doc
			d.Token = results[i].token
			created = append(created, d)
		case results[i].err != nil && journal != "":
			unsure = append(unsure, revision{j.doc.ID, results[i].token})
		}
	}
	if len(unsure) > 0 {
		// Stored or not: the repair finds out, from a journal document of
		// their own, which the batch's delta leaves alone.
		s.repairDue.Store(true)
		if _, err := s.journalRevisions(ctx, unsure); err != nil {
			// Then the batch's journal stays whole, and the repair counts
			// the new responses with them.
			s.logger.Error("journal responses whose insert failed", "responses", len(unsure), "err", err)
			journal = ""
		}
	}
	switch {
	case journal == "":
	case len(created) == 0:
		// Only retries: the journal lists nothing that was stored.
		if err := s.dropJournal(ctx, journal); err != nil {
			s.logger.Error("clear the journal of a batch of retries", "err", err)
		}
	default:
		if err := s.count(ctx, journal, created...); err != nil {
			// The responses are safe; their totals are repaired later.
			s.logger.Error("count responses", "responses", len(created), "err", err)
			s.repairDue.Store(true)
		}
	}
	for i, j := range now {
		j.done <- results[i]
	}
	if len(later) > 0 {
		s.insertBatch(ctx, later)
	}
}

// insertAll journals the batch's responses with one insert, then stores
// them with another, and returns the journal document. A response whose
// insert failed otherwise than as a duplicate may be stored or not.
func (s *Store) insertAll(ctx context.Context, jobs []insertJob) (results []insertResult, journal string) {
	results = make([]insertResult, len(jobs))
	revs := make([]revision, len(jobs))
	docs := make([]any, len(jobs))
	for i, j := range jobs {
		results[i].token = newToken()
		revs[i] = revision{j.doc.ID, results[i].token}
		d := j.doc
		d.Token = results[i].token
		docs[i] = d
	}
	journal, err := s.journalRevisions(ctx, revs)
	if err != nil {
		for i := range results {
			results[i].err = err
		}
		return results, ""
	}
	failed := writeErrors(s.responses.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)))
	for i, j := range jobs {
		err, bad := failed.of(i)
		switch {
		case !bad:
			results[i].created = true
		case mongo.IsDuplicateKeyError(err):
			// Stored before: a retry, or another answer under its id.
		default:
			results[i].err = fmt.Errorf("insert response %q: %w", j.doc.ID, err)
		}
	}
	return results, journal
}

// failures are the documents of an unordered insert that failed, by
// their index.
type failures struct {
	each map[int]error
	// all is an error that names no document: every one failed with it.
	all error
}

func (f failures) of(i int) (error, bool) {
	if f.all != nil {
		return f.all, true
	}
	err, bad := f.each[i]
	return err, bad
}

// writeErrors sorts an unordered insert's error by document.
func writeErrors(_ *mongo.InsertManyResult, err error) failures {
	if err == nil {
		return failures{}
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 && bwe.WriteConcernError == nil {
		f := failures{each: map[int]error{}}
		for _, we := range bwe.WriteErrors {
			f.each[we.Index] = mongo.WriteException{WriteErrors: []mongo.WriteError{we.WriteError}}
		}
		return f
	}
	return failures{all: err}
}
