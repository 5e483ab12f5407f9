package storage

import (
	"bytes"
	"cmp"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// A batch of new responses reaches the totals as one delta: a document
// that holds their counts and export rows, written with one insert. The
// embedded store parses and rewrites a whole cell on every update, which
// cost a batch two cell rewrites and a page rewrite; an insert costs
// about what one small update does. Folding then adds the deltas that
// gathered into their cells and pages in the background, a few times a
// second, and every read of totals or pages folds first, so no reader
// ever sees totals without a response that was acknowledged.
//
// Exactly once: a revision's journal entry stays until its delta is
// folded, and goes before the delta does; each cell lists the deltas
// folded into it while they are still there, and a fold adds nothing to a
// cell that lists the delta. A crash anywhere leaves either the delta,
// which the next fold finishes, or a journal entry without a delta, which
// the repair counts.

// foldEvery is how often the background fold runs while deltas gather.
const foldEvery = 500 * time.Millisecond

// deltaDoc is one delta as stored: its revisions as one BSON binary,
// which the embedded store keeps as one string instead of parsing a
// document per answer.
type deltaDoc struct {
	ID string    `bson:"_id"`
	At time.Time `bson:"at"`
	// Journal is the journal document of the delta's revisions.
	Journal string      `bson:"journal"`
	Body    bson.Binary `bson:"body"`
}

// deltaBody is what a delta holds: the revisions it counts, without what
// neither totals nor exports need.
type deltaBody struct {
	Docs []responseDoc `bson:"docs"`
}

// deltaPrefix starts every delta id, and so tells a delta's key on a
// cell's pending list from a revision's (which holds '#').
const deltaPrefix = "d:"

// newDeltaID makes a delta id that sorts by when it was made and says how
// old it is.
func newDeltaID(now time.Time) string {
	return deltaPrefix + strconv.FormatInt(now.UnixMilli(), 36) + ":" + newToken()
}

// deltaAge tells how old a delta id is; ok is false for a revision key.
func deltaAge(key string, now time.Time) (time.Duration, bool) {
	if len(key) < len(deltaPrefix) || key[:len(deltaPrefix)] != deltaPrefix {
		return 0, false
	}
	rest := key[len(deltaPrefix):]
	for i := range rest {
		if rest[i] == ':' {
			ms, err := strconv.ParseInt(rest[:i], 36, 64)
			if err != nil {
				return 0, false
			}
			return now.Sub(time.UnixMilli(ms)), true
		}
	}
	return 0, false
}

// writeDelta stores revisions' counts and rows as one delta.
func (s *Store) writeDelta(ctx context.Context, journal string, docs []responseDoc) error {
	slim := make([]responseDoc, len(docs))
	for i, d := range docs {
		d.SubmissionID, d.Fingerprint = "", ""
		slim[i] = d
	}
	body, err := encodeDelta(deltaBody{Docs: slim})
	if err != nil {
		return fmt.Errorf("encode delta of %d responses: %w", len(docs), err)
	}
	now := time.Now().UTC()
	if _, err := s.deltas.InsertOne(ctx, deltaDoc{ID: newDeltaID(now), At: now, Journal: journal, Body: bson.Binary{Data: body}}); err != nil {
		return fmt.Errorf("write delta of %d responses: %w", len(docs), err)
	}
	s.unfolded.Add(1)
	select {
	case s.foldDue <- struct{}{}:
	default:
	}
	return nil
}

// encodeDelta encodes a delta's body as compressed BSON: its revisions
// repeat the same count paths, and the embedded store reads a delta
// whole each time it finds it, even to delete it.
func encodeDelta(body deltaBody) ([]byte, error) {
	raw, err := bson.Marshal(body)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestSpeed) // the level is valid
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// decodeDelta reads a delta's body back.
func decodeDelta(data []byte) (deltaBody, error) {
	var body deltaBody
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(data)))
	if err != nil {
		return body, err
	}
	err = bson.Unmarshal(raw, &body)
	return body, err
}

// foldLoop folds deltas at most every foldEvery while they gather, until
// ctx ends.
func (s *Store) foldLoop(ctx context.Context) {
	defer close(s.foldingStopped)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.foldDue:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(foldEvery):
		}
		if err := s.fold(ctx); err != nil {
			s.logger.Error("fold running totals", "err", err)
			select {
			case s.foldDue <- struct{}{}:
			default:
			}
		}
	}
}

// fold adds every delta there is to the totals and export pages.
func (s *Store) fold(ctx context.Context) error {
	s.foldMu.Lock()
	defer s.foldMu.Unlock()
	return s.foldLocked(ctx)
}

// foldLocked folds, with foldMu held.
func (s *Store) foldLocked(ctx context.Context) error {
	if s.embedded != nil && s.unfolded.Load() == 0 {
		// This process is the embedded store's only writer: it knows.
		return nil
	}
	before := s.unfolded.Load()
	f, err := s.readDeltas(ctx)
	if err != nil {
		return err
	}
	if len(f.ids) == 0 {
		s.unfolded.Add(-before)
		return nil
	}
	cells, err := s.apply(ctx, f.docs, func(d responseDoc) string { return f.deltaOf[d.pendingKey()] })
	if err != nil {
		return err
	}
	// Off the journal before the deltas go: a revision is counted when the
	// journal does not list it, and until its delta goes, a retried fold
	// adds nothing to a cell that lists the delta. A delta's journal
	// document lists its batch: the revisions in it, and retries that
	// stored nothing.
	if err := s.dropJournal(ctx, f.journals...); err != nil {
		return err
	}
	// One by one: by _id alone, the embedded store reads only the one it
	// deletes instead of every delta.
	for _, id := range f.ids {
		if _, err := s.deltas.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
			return fmt.Errorf("clear folded delta %q: %w", id, err)
		}
	}
	s.unfolded.Add(-min(before, int64(len(f.ids))))
	return s.pruneSome(ctx, cells)
}

// folding is what one fold does: the deltas it deletes, the journal
// documents it clears, and the revisions it counts, by their delta.
type folding struct {
	ids, journals []string
	docs          []responseDoc
	deltaOf       map[string]string
}

// readDeltas reads the deltas there are, oldest first, and what they
// count that the journal still lists.
func (s *Store) readDeltas(ctx context.Context) (folding, error) {
	f := folding{deltaOf: map[string]string{}}
	cur, err := s.deltas.Find(ctx, bson.D{})
	if err != nil {
		return f, fmt.Errorf("read deltas: %w", err)
	}
	var deltas []deltaDoc
	if err := cur.All(ctx, &deltas); err != nil {
		return f, fmt.Errorf("read deltas: %w", err)
	}
	if len(deltas) == 0 {
		return f, nil
	}
	slices.SortFunc(deltas, func(a, b deltaDoc) int { return cmp.Compare(a.ID, b.ID) })
	journaled, err := s.journaled(ctx)
	if err != nil {
		return f, err
	}
	for _, d := range deltas {
		f.ids = append(f.ids, d.ID)
		body, err := decodeDelta(d.Body.Data)
		if err != nil {
			// Set aside rather than stop every fold: its revisions stay on
			// the journal, and the repair counts them from the responses.
			s.logger.Error("a delta cannot be read; its responses are left to the repair", "delta", d.ID, "err", err)
			s.repairDue.Store(true)
			continue
		}
		f.journals = append(f.journals, d.Journal)
		for _, doc := range body.Docs {
			// A revision off the journal was counted another way (a
			// repair), or by this delta before a crash; one in two deltas
			// (a count retried after a timeout that had in fact written)
			// counts once.
			if _, seen := f.deltaOf[doc.pendingKey()]; seen || !journaled[doc.revision()] {
				continue
			}
			f.deltaOf[doc.pendingKey()] = d.ID
			f.docs = append(f.docs, doc)
		}
	}
	return f, nil
}

// pageOrder sorts revisions so that a response's latest comes last.
func pageOrder(a, b responseDoc) int {
	return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Revision, b.Revision))
}
