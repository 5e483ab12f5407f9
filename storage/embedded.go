package storage

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
	_ "modernc.org/sqlite" // the driver FerretDB registers; named so the dependency is explicit
)

// Embedded is a FerretDB server running inside this process, storing its
// data in SQLite files under one folder. It speaks the MongoDB wire protocol
// on a loopback port, so the same driver code serves both stores.
type Embedded struct {
	dir  string
	uri  string
	stop context.CancelFunc
	done chan struct{}
}

// StartEmbedded starts FerretDB on addr (such as "127.0.0.1:0") with its
// data under dir, creating dir if needed. Stop it with Stop.
func StartEmbedded(ctx context.Context, dir, addr string, logger *slog.Logger) (*Embedded, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded store folder %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("create embedded store folder: %w", err)
	}
	// FerretDB logs every connection at info level; only its errors matter here.
	quiet := slog.New(levelFloor{logger.Handler(), slog.LevelError}).With("component", "ferretdb")
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(abs) + "/",
		Logger:    quiet,
	})
	if err != nil {
		return nil, fmt.Errorf("start embedded store on %s: %w", addr, err)
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	e := &Embedded{dir: abs, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(runCtx) // Run only returns nil, once runCtx ends.
	}()
	// New has bound the port already; MongoDBURI is safe once Run is started.
	e.uri = f.MongoDBURI()
	return e, nil
}

// URI is the MongoDB connection string of the running server.
func (e *Embedded) URI() string { return e.uri }

// Stop closes the listener and every connection, then the SQLite files.
func (e *Embedded) Stop() {
	e.stop()
	<-e.done
}

// levelFloor drops log records below a level, whatever the wrapped handler
// would accept.
type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFloor) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(attrs), h.min}
}

func (h levelFloor) WithGroup(name string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(name), h.min}
}

// indexIDLookups makes lookups by _id use an index. FerretDB v1.24 indexes
// _id as _ferretdb_sjson->"_id" but queries and updates by
// _ferretdb_sjson->'$._id', which SQLite does not match to that index, so
// every lookup by _id scanned the whole table and slowed down with every
// stored response. An index on the queried expression, made through
// SQLite itself, turns those scans into searches; FerretDB's own unique
// index still guards uniqueness.
func (e *Embedded) indexIDLookups(ctx context.Context, database string) error {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.dir, database+".sqlite")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open embedded store file: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT table_name FROM _ferretdb_collections")
	if err != nil {
		return fmt.Errorf("list embedded store tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("list embedded store tables: %w", err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list embedded store tables: %w", err)
	}
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+"_samspil_id_lookup", t)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("index _id lookups of %s: %w", t, err)
		}
	}
	return nil
}
