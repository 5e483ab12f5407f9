package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"samspil/forms"
)

// Export pages hold every response a second time, de-identified and a
// hundred to a document, for exports to read. The embedded store spends
// most of a read on parsing each document, whatever its size: a million
// responses exported in 4 min 35 s read one by one, and in 40 s read as
// ten thousand pages. Pages are derived like the running totals: written
// in the same counting step, idempotently, and rebuilt by RebuildTotals.

// pageSize is how many rows a page takes before the next one starts. It
// keeps a page, which the embedded store rewrites whole on every row
// added, small, and still a hundred times fewer documents to read.
const pageSize = 100

// pageRow is a response as an export sees it: no submission id, no partner
// unless it is a partner's answer, and the day rather than the time. It is
// stored as BSON bytes, which the embedded store keeps as one string.
type pageRow struct {
	Version  int                `bson:"v"`
	Activity string             `bson:"a,omitempty"`
	Wave     string             `bson:"w,omitempty"`
	Partner  string             `bson:"p,omitempty"`
	Lang     string             `bson:"l"`
	Day      string             `bson:"d"`
	Answers  map[string]any     `bson:"x"`
	Scores   map[string]float64 `bson:"s,omitempty"`
}

// pageDoc is one export page: where its responses belong, and their rows
// keyed by rowKey.
type pageDoc struct {
	Form        string   `bson:"form"`
	Partnership string   `bson:"partnership"`
	Wave        string   `bson:"wave"`
	Rows        bson.Raw `bson:"rows"`
}

// rowKey names a response's row within its page. It is a digest of the
// response id, so a page holds no submission id, and setting the same key
// twice (a retry, a replacement, a rescore) leaves one row.
func rowKey(responseID string) string {
	sum := sha256.Sum256([]byte(responseID))
	return "r" + hex.EncodeToString(sum[:10])
}

// rowOf encodes a response's page row.
func rowOf(doc responseDoc) (bson.Binary, error) {
	data, err := bson.Marshal(pageRow{
		Version:  doc.Version,
		Activity: doc.Activity,
		Wave:     doc.Wave,
		Partner:  doc.Partner,
		Lang:     doc.Lang,
		Day:      doc.SubmittedAt.UTC().Format(time.DateOnly),
		Answers:  doc.Answers,
		Scores:   doc.Scores,
	})
	if err != nil {
		return bson.Binary{}, fmt.Errorf("encode page row of %q: %w", doc.ID, err)
	}
	return bson.Binary{Data: data}, nil
}

// pageAllocator hands out page ids. Each open store starts its own pages,
// so that several service instances on one MongoDB never race for a page.
type pageAllocator struct {
	mu       sync.Mutex
	instance string
	// pages numbers this instance's pages; open holds the page each cell
	// and day is filling, and how many rows it has.
	pages int
	open  map[string]*openPage
}

type openPage struct {
	id    string
	rows  int
	bytes int
}

// maxPageBytes bounds the rows of one page, well below the 16 MB a
// document may hold: a hundred long free-text answers would not fit.
const maxPageBytes = 4 << 20

// maxOpenPages bounds the allocator's memory: past it, every cell starts
// a new page, which costs a few part-filled pages and nothing else.
const maxOpenPages = 10_000

func newPageAllocator() *pageAllocator {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &pageAllocator{instance: hex.EncodeToString(b), open: map[string]*openPage{}}
}

// next returns the page a new response's row of size bytes goes to: one
// series per cell and day, so that an export of a partnership or wave
// reads only its own pages. A partner's answer is replaced in place, so
// pages never move.
func (a *pageAllocator) next(cell, day string, size int) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	key := cell + ":" + day
	p := a.open[key]
	if p == nil || p.rows == pageSize || p.bytes+size > maxPageBytes {
		if p == nil && len(a.open) >= maxOpenPages {
			clear(a.open)
		}
		a.pages++
		p = &openPage{id: key + ":" + a.instance + ":" + strconv.Itoa(a.pages)}
		a.open[key] = p
	}
	p.rows++
	p.bytes += size
	return p.id
}

// rowSize is what a response's row adds to its page, near enough.
func rowSize(doc responseDoc) int {
	row, err := rowOf(doc)
	if err != nil {
		return 0
	}
	return len(row.Data) + 40
}

// writeRows sets rows in a page and removes others (erased responses'),
// creating the page if needed.
func (s *Store) writeRows(ctx context.Context, page string, place responseDoc, rows, gone bson.D) error {
	update := bson.D{{Key: "$setOnInsert", Value: cellFields(place, place.Day)}}
	if len(rows) > 0 {
		update = append(update, bson.E{Key: "$set", Value: rows})
	}
	if len(gone) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: gone})
	}
	err := s.update(ctx, s.pages, bson.D{{Key: "_id", Value: page}}, update, true)
	if err != nil {
		return fmt.Errorf("write export page %q: %w", page, err)
	}
	return nil
}

// pageWriter collects rows page by page and writes each page with one
// update, for counting, imports and rebuilds.
type pageWriter struct {
	s     *Store
	pages map[string]*pendingPage
}

// pendingPage is what a page is to get: rows by key, nil for the row of
// an erased response, which goes. A key added twice keeps the later row.
type pendingPage struct {
	place responseDoc
	rows  map[string]*bson.Binary
	set   int
}

func (s *Store) newPageWriter() *pageWriter {
	return &pageWriter{s: s, pages: map[string]*pendingPage{}}
}

// add queues a response's row, writing its page once it is full. A
// response stored before pages existed has none until a rebuild.
func (w *pageWriter) add(ctx context.Context, doc responseDoc) error {
	if doc.Page == "" {
		return nil
	}
	p := w.pages[doc.Page]
	if p == nil {
		p = &pendingPage{place: doc, rows: map[string]*bson.Binary{}}
		w.pages[doc.Page] = p
	}
	key := "rows." + rowKey(doc.ID)
	if doc.Erased {
		p.rows[key] = nil
		return nil
	}
	row, err := rowOf(doc)
	if err != nil {
		return err
	}
	p.rows[key] = &row
	if p.set++; p.set >= pageSize {
		return w.write(ctx, doc.Page)
	}
	return nil
}

func (w *pageWriter) write(ctx context.Context, page string) error {
	p := w.pages[page]
	delete(w.pages, page)
	var rows, gone bson.D
	for _, key := range slices.Sorted(maps.Keys(p.rows)) {
		if row := p.rows[key]; row != nil {
			rows = append(rows, bson.E{Key: key, Value: *row})
		} else {
			gone = append(gone, bson.E{Key: key, Value: ""})
		}
	}
	return w.s.writeRows(ctx, page, p.place, rows, gone)
}

// flush writes the pages still queued.
func (w *pageWriter) flush(ctx context.Context) error {
	for _, page := range slices.Sorted(maps.Keys(w.pages)) {
		if err := w.write(ctx, page); err != nil {
			return err
		}
	}
	return nil
}

// EachResponse calls fn with every response to a form, in a partnership
// and a wave when they are not empty, as an export shows them: without
// submission id, and submitted at the start of its day. Responses come a
// page at a time, so exports of any size use little memory.
func (s *Store) EachResponse(ctx context.Context, form, partnership, wave string, fn func(forms.Response) error) error {
	filter := bson.D{{Key: "form", Value: form}}
	if partnership != "" {
		filter = append(filter, bson.E{Key: "partnership", Value: partnership})
	}
	if wave != "" {
		filter = append(filter, bson.E{Key: "wave", Value: wave})
	}
	return s.eachPageRow(ctx, filter, fn)
}

// eachPageRow calls fn with every row of the pages filter finds.
func (s *Store) eachPageRow(ctx context.Context, filter bson.D, fn func(forms.Response) error) error {
	if err := s.fold(ctx); err != nil {
		return err
	}
	cur, err := s.pages.Find(ctx, filter, options.Find().SetBatchSize(20))
	if err != nil {
		return fmt.Errorf("read export pages: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var page pageDoc
		if err := cur.Decode(&page); err != nil {
			return fmt.Errorf("decode export page: %w", err)
		}
		rows, err := page.Rows.Elements()
		if err != nil {
			return fmt.Errorf("decode export page: %w", err)
		}
		for _, e := range rows {
			r, err := page.response(e.Value())
			if err != nil {
				return err
			}
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("read export pages: %w", err)
	}
	return nil
}

// response decodes one row of the page.
func (page pageDoc) response(v bson.RawValue) (forms.Response, error) {
	_, data, ok := v.BinaryOK()
	var row pageRow
	if !ok {
		return forms.Response{}, fmt.Errorf("export page row is %s, not binary", v.Type)
	}
	if err := bson.Unmarshal(data, &row); err != nil {
		return forms.Response{}, fmt.Errorf("decode export page row: %w", err)
	}
	day, err := time.Parse(time.DateOnly, row.Day)
	if err != nil {
		return forms.Response{}, fmt.Errorf("decode export page row: %w", err)
	}
	return forms.Response{
		FormID:      page.Form,
		FormVersion: row.Version,
		Partnership: page.Partnership,
		Activity:    row.Activity,
		Wave:        row.Wave,
		Partner:     row.Partner,
		Lang:        row.Lang,
		Answers:     answersOf(row.Answers),
		Scores:      row.Scores,
		SubmittedAt: day,
	}, nil
}

// pagesBuilt marks, in the meta collection, a store whose responses all
// have export pages: stores written before pages existed get them once.
const pagesBuilt = "export_pages"

// buildMissingPages gives a store written before export pages existed its
// pages, by a rebuild, once.
func (s *Store) buildMissingPages(ctx context.Context) error {
	err := s.meta.FindOne(ctx, bson.D{{Key: "_id", Value: pagesBuilt}}).Err()
	if err == nil {
		return nil
	}
	if !notFound(err) {
		return fmt.Errorf("read store metadata: %w", err)
	}
	err = s.responses.FindOne(ctx, bson.D{}).Err()
	switch {
	case notFound(err):
	case err != nil:
		return fmt.Errorf("look for responses: %w", err)
	default:
		s.logger.Warn("building export pages for responses stored by an earlier version; this reads every response once")
		if _, err := s.RebuildTotals(ctx, nil); err != nil {
			return err
		}
	}
	_, err = s.meta.InsertOne(ctx, bson.D{{Key: "_id", Value: pagesBuilt}, {Key: "at", Value: time.Now().UTC()}})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("write store metadata: %w", err)
	}
	return nil
}
