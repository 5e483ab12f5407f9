package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Backups of the embedded store are SQLite's own: VACUUM INTO writes one
// consistent snapshot of the database file from a read transaction, so a
// service that keeps writing meanwhile neither blocks it nor tears it,
// which a copy of the live file could.

// storeFile is the embedded store's database file in a data folder.
func storeFile(dataDir string) (string, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return "", fmt.Errorf("data folder %q: %w", dataDir, err)
	}
	return filepath.Join(abs, defaultDatabase+".sqlite"), nil
}

// Backup writes a consistent copy of the embedded store in dataDir to
// file, which must not exist, while the service may be running.
func Backup(ctx context.Context, dataDir, file string) error {
	src, err := storeFile(dataDir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("no embedded store in %s: %w", dataDir, err)
	}
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("%s exists: a backup never overwrites a file", file)
	}
	db, err := sql.Open("sqlite", "file:"+src+"?mode=ro&_pragma=busy_timeout(30000)")
	if err != nil {
		return fmt.Errorf("open embedded store: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", file); err != nil {
		return fmt.Errorf("back up embedded store: %w", err)
	}
	return checkBackup(ctx, file)
}

// checkBackup makes sure a file is a whole embedded store: SQLite's
// integrity check passes and FerretDB's catalogue of collections is there.
func checkBackup(ctx context.Context, file string) error {
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	defer db.Close()
	var verdict string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&verdict); err != nil {
		return fmt.Errorf("%s is not a Samspil backup: %w", file, err)
	}
	if verdict != "ok" {
		return fmt.Errorf("%s is damaged: %s", file, verdict)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM _ferretdb_collections").Scan(&n); err != nil || n == 0 {
		return fmt.Errorf("%s is not a Samspil backup: it holds no collections", file)
	}
	return nil
}

// Restore puts a backup in place as the embedded store of dataDir, which
// must hold none: a restore never overwrites data.
func Restore(ctx context.Context, dataDir, file string) error {
	if err := checkBackup(ctx, file); err != nil {
		return err
	}
	dst, err := storeFile(dataDir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s already holds a store: restore into an empty data folder", dataDir)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	in, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("read backup: %w", err)
	}
	defer in.Close()
	tmp := dst + ".restoring"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("restore: %w", err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("restore: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// Whole or not at all: the store appears under its name only once
	// every byte is on disk.
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}
