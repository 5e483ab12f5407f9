package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"samspil/forms"
)

// responseDoc is a stored response. It doubles as the journal of its own
// running totals: counts lists what it adds to cell, and counted says
// whether that has been applied.
type responseDoc struct {
	ID           string             `bson:"_id"`
	Form         string             `bson:"form"`
	Version      int                `bson:"version"`
	SubmissionID string             `bson:"submission_id,omitempty"`
	Partnership  string             `bson:"partnership,omitempty"`
	Activity     string             `bson:"activity,omitempty"`
	Wave         string             `bson:"wave,omitempty"`
	Partner      string             `bson:"partner,omitempty"`
	Lang         string             `bson:"lang"`
	Answers      map[string]any     `bson:"answers"`
	Scores       map[string]float64 `bson:"scores,omitempty"`
	Fingerprint  string             `bson:"fingerprint"`
	SubmittedAt  time.Time          `bson:"submitted_at"`
	Cell         string             `bson:"cell"`
	Day          string             `bson:"day,omitempty"`
	Counts       countList          `bson:"counts"`
	// Counted marks a response counted before the journal alone decided
	// it (stores written by earlier versions); now a response is counted
	// when no journal entry carries its Token.
	Counted bool `bson:"counted"`
	// Token ties the revision to its journal entry: an entry with another
	// token is left from a retry and says nothing about this revision.
	Token string `bson:"token,omitempty"`
	// Page is the export page that holds the response's row.
	Page string `bson:"page,omitempty"`
	// Revision counts replacements of a partner's answer; Uncount holds the
	// counts of the answer it replaced, to take off the totals.
	Revision   int        `bson:"revision"`
	Uncount    countList  `bson:"uncount,omitempty"`
	ReplacedAt *time.Time `bson:"replaced_at,omitempty"`
	// Erased marks the revision that takes an erased response off the
	// totals: it holds no answers, and goes once it is counted.
	Erased bool `bson:"erased,omitempty"`
}

// countList is the increments a response makes to its cells. It is
// stored as one string, "path=value;path=value": an array of small
// documents made every response document several times larger, and the
// embedded store spends its time parsing documents.
type countList []forms.Count

// MarshalBSONValue writes the list as one string.
func (l countList) MarshalBSONValue() (byte, []byte, error) {
	var b strings.Builder
	for i, c := range l {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(c.Path)
		b.WriteByte('=')
		b.WriteString(strconv.FormatFloat(c.By, 'g', -1, 64))
	}
	t, data, err := bson.MarshalValue(b.String())
	return byte(t), data, err
}

// UnmarshalBSONValue reads the list back from its string.
func (l *countList) UnmarshalBSONValue(t byte, data []byte) error {
	var s string
	if err := bson.UnmarshalValue(bson.Type(t), data, &s); err != nil {
		return fmt.Errorf("decode counts: %w", err)
	}
	*l = nil
	if s == "" {
		return nil
	}
	for _, part := range strings.Split(s, ";") {
		path, value, _ := strings.Cut(part, "=")
		by, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return fmt.Errorf("decode count %q: %w", part, err)
		}
		*l = append(*l, forms.Count{Path: path, By: by})
	}
	return nil
}

// newResponseDoc prepares a response for storing, with a place in an
// export page.
func (s *Store) newResponseDoc(r forms.Response, counts []forms.Count) responseDoc {
	doc := responseDoc{
		ID:           r.ID,
		Form:         r.FormID,
		Version:      r.FormVersion,
		SubmissionID: r.SubmissionID,
		Partnership:  r.Partnership,
		Activity:     r.Activity,
		Wave:         r.Wave,
		Partner:      r.Partner,
		Lang:         r.Lang,
		Answers:      r.Answers,
		Scores:       r.Scores,
		Fingerprint:  r.Fingerprint,
		SubmittedAt:  r.SubmittedAt,
		Cell:         cellID(r),
		Day:          cellDay(r),
		Counts:       counts,
	}
	doc.Page = s.pageAlloc.next(doc.Cell, doc.Day, rowSize(doc))
	return doc
}

// SaveResponse stores a response and adds counts to its form's running
// totals. When a response with the same id exists, nothing is written and
// the stored one comes back with created false: the caller decides whether
// that is a retry or a conflict.
func (s *Store) SaveResponse(ctx context.Context, r forms.Response, counts []forms.Count) (stored forms.Response, created bool, err error) {
	created, err = s.insertSoon(ctx, s.newResponseDoc(r, counts))
	if err != nil {
		return forms.Response{}, false, err
	}
	if !created {
		existing, err := s.response(ctx, r.ID)
		return existing, false, err
	}
	return r, true, nil
}

// Response returns a stored response, if there is one.
func (s *Store) Response(ctx context.Context, id string) (forms.Response, bool, error) {
	r, err := s.response(ctx, id)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return forms.Response{}, false, nil
	}
	return r, err == nil, err
}

func (s *Store) response(ctx context.Context, id string) (forms.Response, error) {
	var doc responseDoc
	if err := s.responses.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		return forms.Response{}, fmt.Errorf("load response %q: %w", id, err)
	}
	return doc.response(), nil
}

func (doc responseDoc) response() forms.Response {
	return forms.Response{
		ID:           doc.ID,
		FormID:       doc.Form,
		FormVersion:  doc.Version,
		SubmissionID: doc.SubmissionID,
		Partnership:  doc.Partnership,
		Activity:     doc.Activity,
		Wave:         doc.Wave,
		Partner:      doc.Partner,
		Lang:         doc.Lang,
		Answers:      answersOf(doc.Answers),
		Scores:       doc.Scores,
		Fingerprint:  doc.Fingerprint,
		SubmittedAt:  doc.SubmittedAt,
	}
}

// pendingKey names one revision of a response in its cell's pending list.
func (doc responseDoc) pendingKey() string {
	key := doc.ID + "#" + strconv.Itoa(doc.Revision)
	if doc.Token != "" {
		// The token tells apart revisions that share a number: a response
		// sent again after it was erased starts at revision 0 again, while
		// the keys of the erased one may still be listed.
		key += "#" + doc.Token
	}
	return key
}

// addTotals adds a batch's counts to a cell without a pending guard: bulk
// imports are repaired by a rebuild, not response by response.
func (s *Store) addTotals(ctx context.Context, c cellBatch) error {
	sum := c.sum()
	err := s.update(ctx, c.ref.coll, bson.D{{Key: "_id", Value: c.ref.id}},
		append(bson.D{{Key: "$inc", Value: increments(sum)}, {Key: "$setOnInsert", Value: c.ref.fields(sum)}}, c.dayBounds()...), true)
	if err != nil {
		return fmt.Errorf("add counts to %q: %w", c.ref.id, err)
	}
	return nil
}

// writeIf runs write on the document with the given _id only while it
// matches cond, and reports whether write applied. holds is cond as Go
// code, over the stored document. The embedded store uses its index only
// for a filter on _id alone and scans the whole collection for anything
// more, so there the document is read by _id and holds decides, under the
// lock that already serializes its updates (this process is its only
// client); MongoDB gets cond in write's filter and checks it atomically.
func (s *Store) writeIf(ctx context.Context, coll *mongo.Collection, id string, cond bson.D, holds func(bson.Raw) bool,
	write func(filter bson.D) (bool, error)) (bool, error) {
	filter := bson.D{{Key: "_id", Value: id}}
	if !s.serialize {
		return write(append(filter, cond...))
	}
	s.updates.Lock()
	defer s.updates.Unlock()
	doc, err := coll.FindOne(ctx, filter).Raw()
	switch {
	case notFound(err):
	case err != nil:
		return false, err
	case !holds(doc):
		return false, nil
	}
	return write(filter)
}

// updateOne is the write of a writeIf that applies update to the
// document its filter finds, and reports whether it matched.
func updateOne(ctx context.Context, coll *mongo.Collection, update bson.D) func(filter bson.D) (bool, error) {
	return func(filter bson.D) (bool, error) {
		res, err := coll.UpdateOne(ctx, filter, update)
		if err != nil {
			return false, err
		}
		return res.MatchedCount == 1, nil
	}
}

func (s *Store) update(ctx context.Context, coll *mongo.Collection, filter, update bson.D, upsert bool) error {
	if s.serialize {
		s.updates.Lock()
		defer s.updates.Unlock()
	}
	_, err := coll.UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(upsert))
	return err
}

// Tally returns the running totals of all versions of a form.
func (s *Store) Tally(ctx context.Context, formID string) (forms.Tally, error) {
	if err := s.fold(ctx); err != nil {
		return forms.Tally{}, err
	}
	cur, err := s.totals.Find(ctx, bson.D{{Key: "form", Value: formID}})
	if err != nil {
		return forms.Tally{}, fmt.Errorf("load totals of %q: %w", formID, err)
	}
	var cells []totalsDoc
	if err := cur.All(ctx, &cells); err != nil {
		return forms.Tally{}, fmt.Errorf("load totals of %q: %w", formID, err)
	}
	var t forms.Tally
	for _, c := range cells {
		t.Add(c.Tally)
	}
	return t, nil
}

// answersOf turns stored answers back into the types forms uses.
func answersOf(stored map[string]any) forms.Answers {
	answers := make(forms.Answers, len(stored))
	for k, v := range stored {
		answers[k] = fromBSON(v)
	}
	return answers
}

func fromBSON(v any) any {
	switch x := v.(type) {
	case int32:
		return int(x)
	case int64:
		return int(x)
	case bson.A:
		if len(x) > 0 {
			if _, ok := x[0].(string); !ok {
				out := make([]map[string]any, 0, len(x))
				for _, e := range x {
					if d, ok := e.(bson.D); ok {
						m := make(map[string]any, len(d))
						for _, el := range d {
							m[el.Key] = el.Value
						}
						out = append(out, answersOf(m))
					}
				}
				return out
			}
		}
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, _ := e.(string)
			out = append(out, s)
		}
		return out
	}
	return v
}

// ReplaceResponse stores a partner's answer, replacing the one it gave
// before, if any. The running totals lose the old answer's counts and gain
// the new ones exactly once, even across a crash. It reports whether the
// answer is new rather than a replacement.
func (s *Store) ReplaceResponse(ctx context.Context, r forms.Response, counts []forms.Count) (created bool, err error) {
	_, created, err = s.SaveResponse(ctx, r, counts)
	if err != nil || created {
		return created, err
	}
	var old responseDoc
	if err := s.responses.FindOne(ctx, bson.D{{Key: "_id", Value: r.ID}}).Decode(&old); err != nil {
		return false, fmt.Errorf("load response %q: %w", r.ID, err)
	}
	// Its counts must be in before they are taken off again.
	if old, err = s.settle(ctx, old); err != nil {
		return false, err
	}
	doc := s.newResponseDoc(r, counts)
	doc.Revision, doc.Uncount, doc.Page, doc.Token = old.Revision+1, old.Counts, old.Page, newToken()
	if err := s.journalAs(ctx, r.ID, doc.Token); err != nil {
		return false, err
	}
	now := r.SubmittedAt
	doc.ReplacedAt = &now
	if old.Cell != doc.Cell {
		return false, fmt.Errorf("replace %q: the answer moved to another cell", r.ID)
	}
	replaced, err := s.atRevision(ctx, r.ID, old.Revision, func(filter bson.D) (bool, error) {
		res, err := s.responses.ReplaceOne(ctx, filter, doc)
		return err == nil && res.MatchedCount > 0, err
	})
	if err != nil {
		return false, fmt.Errorf("replace response %q: %w", r.ID, err)
	}
	if !replaced {
		return false, forms.ErrReplacedMeanwhile
	}
	if err := s.countNow(ctx, doc); err != nil {
		s.logger.Error("count replaced response", "response", r.ID, "err", err)
		s.repairDue.Store(true)
	}
	return false, nil
}

// settleWait bounds how long a replacement waits for the answer it
// replaces to be counted by the request that stored it.
const settleWait = 2 * time.Second

// settle returns a stored response once it is counted. One that another
// request is counting right now (a double tap on "send") is waited for:
// counting it here too could add it twice. One left uncounted longer than
// a repair waits was left by a crash or an outage, and is counted here as
// the repair would. Otherwise the answer is still being stored.
func (s *Store) settle(ctx context.Context, doc responseDoc) (responseDoc, error) {
	for wait := 5 * time.Millisecond; ; wait *= 2 {
		// A revision in a delta leaves the journal when it is folded.
		if err := s.fold(ctx); err != nil {
			return doc, err
		}
		if ok, err := s.counted(ctx, doc); err != nil || ok {
			doc.Counted = ok
			return doc, err
		}
		if time.Since(doc.SubmittedAt) >= repairAge {
			if err := s.countNow(ctx, doc); err != nil {
				return doc, err
			}
			doc.Counted = true
			break
		}
		if wait > settleWait {
			return doc, forms.ErrReplacedMeanwhile
		}
		select {
		case <-ctx.Done():
			return doc, ctx.Err()
		case <-time.After(wait):
		}
		var again responseDoc
		if err := s.responses.FindOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}).Decode(&again); err != nil {
			return doc, fmt.Errorf("load response %q: %w", doc.ID, err)
		}
		doc = again
	}
	return doc, nil
}

// atRevision runs write on a response only while it is at the revision
// read, and reports whether it applied: a replacement, an erasure or a
// retention step never overwrites a change made meanwhile.
func (s *Store) atRevision(ctx context.Context, id string, revision int, write func(filter bson.D) (bool, error)) (bool, error) {
	return s.writeIf(ctx, s.responses, id, bson.D{{Key: "revision", Value: revision}},
		func(stored bson.Raw) bool {
			r, ok := stored.Lookup("revision").AsInt64OK()
			return ok && r == int64(revision)
		}, write)
}
