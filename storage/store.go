// Package storage persists Samspil's data in MongoDB, or in an embedded
// FerretDB when no MongoDB is configured. It is the only package that knows
// the database: the rest of Samspil speaks to it in the domain's words.
package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

// namespaceExists is the server's error code for creating a collection
// that exists.
const namespaceExists = 48

// defaultDatabase is used when the MongoDB URI names none.
const defaultDatabase = "samspil"

// Config says which store to open.
type Config struct {
	// URI of a MongoDB deployment. Empty starts the embedded store.
	URI string
	// DataDir holds the embedded store's files.
	DataDir string
	// Database overrides the database named in URI.
	Database string
	Logger   *slog.Logger

	// monitor watches the commands sent, in tests.
	monitor *event.CommandMonitor
}

// Store reads and writes Samspil's collections.
type Store struct {
	client    *mongo.Client
	db        *mongo.Database
	embedded  *Embedded
	logger    *slog.Logger
	responses *mongo.Collection
	totals    *mongo.Collection
	// daily and monthly hold the same totals split by day and by month,
	// read only for date ranges: the cells without a day stay few, so
	// reading them stays fast.
	daily, monthly *mongo.Collection
	// deltas holds counts not yet folded into the totals and pages.
	deltas *mongo.Collection
	// uncounted journals the responses whose counts are not in yet.
	uncounted *mongo.Collection
	// pages holds the export pages; meta notes what a store has been
	// upgraded to.
	pages, meta *mongo.Collection
	// releases holds what indicators released, one document per
	// partnership and form.
	releases  *mongo.Collection
	pageAlloc *pageAllocator
	keys      *mongo.Collection
	forms     *mongo.Collection
	// users, sessions and setupLinks hold staff accounts.
	users, sessions, setupLinks *mongo.Collection

	partnerships, partners, activities, waves, invitations, audit *mongo.Collection
	// followUps links the responses of each follow-up code, by its hash.
	followUps *mongo.Collection
	// textNotes lists, by day, the responses that may hold free text, for
	// the retention job.
	textNotes *mongo.Collection
	// idempotency keeps, for a day, the answers to create requests sent
	// with an Idempotency-Key.
	idempotency *mongo.Collection
	// outbox holds the mail to send, and what became of it.
	outbox *mongo.Collection
	// theories holds partnerships' program theories, version by version.
	theories *mongo.Collection

	// FerretDB v1 runs an update as a read followed by a write, so two
	// concurrent $inc on one document can lose one. The embedded store has
	// this process as its only client, which makes a mutex enough.
	serialize bool
	updates   sync.Mutex

	// foldMu makes folds and direct counts take turns; unfolded is at
	// least the number of this process's deltas not yet folded; foldDue
	// wakes foldLoop, which closes foldingStopped when it ends.
	foldMu         sync.Mutex
	unfolded       atomic.Int64
	foldDue        chan struct{}
	foldingStopped chan struct{}
	stopFolding    context.CancelFunc

	// keepDeltaKeys is how long a folded delta's key stays on a cell's
	// pending list after the delta went: deltaKeep on MongoDB, nothing on
	// the embedded store, whose folds take turns in this process.
	keepDeltaKeys time.Duration

	// pendingKeys counts, per cell, the keys this process added to its
	// pending list since it was last pruned.
	pendingMu   sync.Mutex
	pendingKeys map[string]int

	// toInsert feeds insertLoop, which closes insertingStopped when it
	// ends.
	toInsert         chan insertJob
	insertingStopped chan struct{}
	stopInserting    context.CancelFunc

	// repairDue asks the background repair to look for uncounted responses.
	repairDue   atomic.Bool
	stopRepairs context.CancelFunc
	repairsDone chan struct{}
}

// Open connects to the configured store, starting the embedded one if no
// URI is given, creates the indexes and repairs running totals that a crash
// left behind.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{logger: logger, pageAlloc: newPageAllocator(), keepDeltaKeys: deltaKeep}
	uri := cfg.URI
	if uri == "" {
		// A socket only this folder's owner reaches: the embedded store
		// serves this process only.
		e, err := StartEmbedded(ctx, cfg.DataDir, "", logger)
		if err != nil {
			return nil, err
		}
		s.embedded, s.serialize, uri = e, true, e.URI()
		s.keepDeltaKeys = 0
	}
	if err := s.connect(ctx, uri, cfg.Database, cfg.monitor); err != nil {
		s.stopEmbedded()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		_ = s.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return s, nil
}

func (s *Store) connect(ctx context.Context, uri, database string, monitor *event.CommandMonitor) error {
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil {
		return fmt.Errorf("parse MongoDB URI: %w", err)
	}
	name := cs.Database
	if database != "" {
		name = database
	}
	if name == "" {
		name = defaultDatabase
	}
	opts := options.Client().ApplyURI(uri).
		SetAppName("samspil").
		SetServerSelectionTimeout(5 * time.Second).
		SetConnectTimeout(5 * time.Second).
		SetTimeout(10 * time.Second).
		SetMonitor(monitor)
	client, err := mongo.Connect(opts)
	if err != nil {
		return fmt.Errorf("connect to store: %w", err)
	}
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return fmt.Errorf("reach store: %w", err)
	}
	s.client = client
	s.db = client.Database(name)
	s.responses = s.db.Collection("responses")
	s.totals = s.db.Collection("totals")
	s.daily = s.db.Collection("daily_totals")
	s.monthly = s.db.Collection("monthly_totals")
	s.deltas = s.db.Collection("deltas")
	s.uncounted = s.db.Collection("uncounted")
	s.pages = s.db.Collection("export_pages")
	s.meta = s.db.Collection("meta")
	s.releases = s.db.Collection("releases")
	s.keys = s.db.Collection("keys")
	s.users = s.db.Collection("users")
	s.sessions = s.db.Collection("sessions")
	s.setupLinks = s.db.Collection("setup_links")
	s.forms = s.db.Collection("forms")
	s.partnerships = s.db.Collection("partnerships")
	s.partners = s.db.Collection("partners")
	s.activities = s.db.Collection("activities")
	s.waves = s.db.Collection("waves")
	s.invitations = s.db.Collection("invitations")
	s.audit = s.db.Collection("audit")
	s.followUps = s.db.Collection("follow_ups")
	s.textNotes = s.db.Collection("text_notes")
	s.idempotency = s.db.Collection("idempotency")
	s.outbox = s.db.Collection("outbox")
	s.theories = s.db.Collection("theories")
	return nil
}

// prepare creates the indexes (idempotent) and repairs the totals.
func (s *Store) prepare(ctx context.Context) error {
	indexes := []struct {
		coll  *mongo.Collection
		model mongo.IndexModel
	}{
		{s.keys, mongo.IndexModel{Keys: bson.D{{Key: "key_id", Value: 1}}, Options: options.Index().SetUnique(true)}},
		{s.partners, mongo.IndexModel{Keys: bson.D{{Key: "partnership", Value: 1}, {Key: "name_key", Value: 1}}, Options: options.Index().SetUnique(true)}},
		// One invitation per partner per wave; NameKey holds the partner.
		{s.invitations, mongo.IndexModel{Keys: bson.D{{Key: "wave", Value: 1}, {Key: "name_key", Value: 1}}, Options: options.Index().SetUnique(true)}},
		{s.activities, mongo.IndexModel{Keys: bson.D{{Key: "partnership", Value: 1}}}},
		{s.waves, mongo.IndexModel{Keys: bson.D{{Key: "partnership", Value: 1}}}},
	}
	if s.embedded == nil {
		// What indicators and exports look up besides _id. The embedded
		// store would only pay for these on every write: on SQLite it uses
		// no index but _id's.
		indexes = append(indexes, []struct {
			coll  *mongo.Collection
			model mongo.IndexModel
		}{
			{s.totals, mongo.IndexModel{Keys: bson.D{{Key: "partnership", Value: 1}, {Key: "form", Value: 1}}}},
			{s.daily, mongo.IndexModel{Keys: bson.D{{Key: "partnership", Value: 1}, {Key: "form", Value: 1}}}},
			{s.pages, mongo.IndexModel{Keys: bson.D{{Key: "form", Value: 1}, {Key: "partnership", Value: 1}, {Key: "wave", Value: 1}}}},
			{s.followUps, mongo.IndexModel{Keys: bson.D{{Key: "partnership", Value: 1}}}},
			// The sender's "what is due", and a round's status page.
			{s.outbox, mongo.IndexModel{Keys: bson.D{{Key: "status", Value: 1}, {Key: "due", Value: 1}}}},
			{s.outbox, mongo.IndexModel{Keys: bson.D{{Key: "wave", Value: 1}}}},
		}...)
	}
	for _, ix := range indexes {
		if _, err := ix.coll.Indexes().CreateOne(ctx, ix.model); err != nil {
			return fmt.Errorf("create index on %s: %w", ix.coll.Name(), err)
		}
	}
	if s.embedded != nil {
		for _, coll := range []*mongo.Collection{s.responses, s.totals, s.daily, s.monthly, s.deltas, s.uncounted, s.pages, s.meta, s.releases, s.forms, s.partnerships, s.audit, s.users, s.sessions, s.setupLinks, s.followUps, s.textNotes, s.idempotency, s.outbox, s.theories} {
			err := s.db.CreateCollection(ctx, coll.Name())
			var ce mongo.CommandError
			if err != nil && !(errors.As(err, &ce) && ce.Code == namespaceExists) {
				return fmt.Errorf("create collection %s: %w", coll.Name(), err)
			}
		}
		if err := s.embedded.indexIDLookups(ctx, s.db.Name()); err != nil {
			return err
		}
	}
	if err := s.finishRebuild(ctx); err != nil {
		return err
	}
	// Deltas a crash left are folded before anything else reads totals.
	s.foldDue = make(chan struct{}, 1)
	s.unfolded.Store(1)
	if err := s.fold(ctx); err != nil {
		return err
	}
	if err := s.buildMissingPages(ctx); err != nil {
		return err
	}
	// The embedded store has this process as its only client, which has
	// not started counting yet: every journaled response, however young,
	// was left by a crash and is counted before anyone is served. On
	// MongoDB another instance may be counting its own right now.
	now := time.Now()
	if s.embedded != nil {
		now = now.Add(repairAge)
	}
	if err := s.repairAt(ctx, now); err != nil {
		return err
	}
	// After the repair: a count a crash cut short is finished in the days
	// before they are summed into months.
	if err := s.buildMonths(ctx); err != nil {
		return err
	}
	foldCtx, stopFolding := context.WithCancel(context.WithoutCancel(ctx))
	s.foldingStopped, s.stopFolding = make(chan struct{}), stopFolding
	go s.foldLoop(foldCtx)
	insertCtx, stopInserting := context.WithCancel(context.WithoutCancel(ctx))
	s.toInsert, s.insertingStopped, s.stopInserting = make(chan insertJob), make(chan struct{}), stopInserting
	go s.insertLoop(insertCtx)
	repairCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stopRepairs, s.repairsDone = stop, make(chan struct{})
	go s.repairLoop(repairCtx)
	return nil
}

// repairInterval is how often the background repair checks whether it is due.
const repairInterval = 30 * time.Second

// repairLoop repairs the totals whenever a write failed half-way, and
// once after start-up for responses that were too young to repair then.
func (s *Store) repairLoop(ctx context.Context) {
	defer close(s.repairsDone)
	t := time.NewTicker(repairInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if s.repairDue.Swap(false) {
				if err := s.repair(ctx); err != nil {
					s.logger.Error("repair running totals", "err", err)
					s.repairDue.Store(true)
				}
			}
		}
	}
}

func (s *Store) repair(ctx context.Context) error { return s.repairAt(ctx, time.Now()) }

// repairAt repairs the totals as if it were now.
func (s *Store) repairAt(ctx context.Context, now time.Time) error {
	repaired, young, err := s.repairTotals(ctx, now)
	if repaired > 0 {
		s.logger.Warn("repaired running totals after an interrupted write", "responses", repaired)
	}
	if young > 0 {
		s.repairDue.Store(true)
	}
	return err
}

// Ping reports whether the store answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return nil
}

// Close waits for pending operations, disconnects, and stops the embedded
// store so that its files are closed cleanly.
func (s *Store) Close(ctx context.Context) error {
	if s.stopInserting != nil {
		s.stopInserting()
		<-s.insertingStopped
	}
	if s.stopRepairs != nil {
		s.stopRepairs()
		<-s.repairsDone
	}
	if s.stopFolding != nil {
		s.stopFolding()
		<-s.foldingStopped
		// What is counted is folded, so the next start finds no deltas.
		if err := s.fold(ctx); err != nil {
			s.logger.Error("fold running totals", "err", err)
		}
	}
	var err error
	if s.client != nil {
		err = s.client.Disconnect(ctx)
	}
	s.stopEmbedded()
	if err != nil {
		return fmt.Errorf("disconnect from store: %w", err)
	}
	return nil
}

func (s *Store) stopEmbedded() {
	if s.embedded != nil {
		s.embedded.Stop()
	}
}

// Embedded reports whether the store runs inside this process.
func (s *Store) Embedded() bool { return s.embedded != nil }

// notFound reports whether err says a lookup found nothing.
func notFound(err error) bool { return errors.Is(err, mongo.ErrNoDocuments) }
