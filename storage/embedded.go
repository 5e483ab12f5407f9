package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
	_ "modernc.org/sqlite" // the driver FerretDB registers; named so the dependency is explicit
)

// Embedded is a FerretDB server running inside this process, storing its
// data in SQLite files under one folder. It speaks the MongoDB wire protocol
// on a Unix socket in that folder (or a TCP address, for tools and tests),
// so the same driver code serves both stores.
type Embedded struct {
	dir string
	uri string
	// tmp is a folder made for the socket when the data folder's path is
	// too long for one, removed on Stop.
	tmp  string
	stop context.CancelFunc
	done chan struct{}
}

// socketDir is the folder, inside the data folder and readable by its
// owner only, that holds the embedded store's socket.
const socketDir = "socket"

// StartEmbedded starts FerretDB with its data under dir, creating dir if
// needed. With addr empty it listens on a Unix socket in dir that only the
// folder's owner can reach: FerretDB asks no password, and on a TCP port
// any local user or process could read and change every response. With
// addr (such as "127.0.0.1:0") it listens there instead. Stop it with Stop.
func StartEmbedded(ctx context.Context, dir, addr string, logger *slog.Logger) (*Embedded, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded store folder %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("create embedded store folder: %w", err)
	}
	listener := ferretdb.ListenerConfig{TCP: addr}
	var tmp string
	if addr == "" {
		if listener.Unix, tmp, err = prepareSocket(abs); err != nil {
			return nil, err
		}
	}
	// FerretDB logs every connection at info level; only its errors matter here.
	quiet := slog.New(levelFloor{logger.Handler(), slog.LevelError}).With("component", "ferretdb")
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  listener,
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(abs) + "/",
		Logger:    quiet,
	})
	if err != nil {
		return nil, fmt.Errorf("start embedded store: %w", err)
	}
	if listener.Unix != "" {
		if err := os.Chmod(listener.Unix, 0o600); err != nil {
			return nil, fmt.Errorf("embedded store socket: %w", err)
		}
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	e := &Embedded{dir: abs, tmp: tmp, stop: stop, done: make(chan struct{})}
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
	if e.tmp != "" {
		_ = os.RemoveAll(e.tmp)
	}
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

// prepareSocket makes the owner-only folder for the store's socket and
// returns the socket's path, removing a socket a crash left behind. A
// socket somebody answers on belongs to another Samspil on this folder.
// Unix socket paths are short (107 bytes on Linux): under a data folder
// too deep for one, the socket goes in a new owner-only temporary
// folder, returned as tmp for Stop to remove.
func prepareSocket(dir string) (path, tmp string, err error) {
	sockDir := filepath.Join(dir, socketDir)
	if len(sockDir) > maxSocketPath-len("/ferretdb.sock") {
		if tmp, err = os.MkdirTemp("", "samspil-store-"); err != nil { // made 0700
			return "", "", fmt.Errorf("create embedded store socket folder: %w", err)
		}
		sockDir = tmp
	}
	if err := os.MkdirAll(sockDir, 0o700); err != nil {
		return "", "", fmt.Errorf("create embedded store socket folder: %w", err)
	}
	if err := os.Chmod(sockDir, 0o700); err != nil {
		return "", "", fmt.Errorf("embedded store socket folder: %w", err)
	}
	path = filepath.Join(sockDir, "ferretdb.sock")
	if conn, err := net.Dial("unix", path); err == nil {
		conn.Close()
		return "", "", fmt.Errorf("another process serves the embedded store in %s: stop it first", dir)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("remove stale embedded store socket: %w", err)
	}
	return path, tmp, nil
}

// maxSocketPath is the longest socket path used, under Linux's 107 bytes.
const maxSocketPath = 100
