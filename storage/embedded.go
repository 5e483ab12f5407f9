package storage

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Embedded is a FerretDB server running inside this process, storing its
// data in SQLite files under one folder. It speaks the MongoDB wire protocol
// on a loopback port, so the same driver code serves both stores.
type Embedded struct {
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
	e := &Embedded{stop: stop, done: make(chan struct{})}
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
