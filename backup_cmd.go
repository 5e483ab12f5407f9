package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"samspil/storage"
)

// backupStore writes a consistent copy of the embedded store to the file
// named, while the service may be running.
func backupStore(ctx context.Context, cfg config, stdout io.Writer) error {
	if len(cfg.args) != 1 {
		return errors.New("backup needs one FILE to write")
	}
	if cfg.mongoURI != "" {
		return errors.New("backup copies the embedded store; back up MongoDB with its own tools (mongodump, or snapshots of the replica set), see the README")
	}
	if err := storage.Backup(ctx, cfg.dataDir, cfg.args[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", cfg.dataDir, cfg.args[0])
	return nil
}

// restoreStore puts a backup in place as the embedded store of an empty
// data folder.
func restoreStore(ctx context.Context, cfg config, stdout io.Writer) error {
	if len(cfg.args) != 1 {
		return errors.New("restore needs the backup FILE to read")
	}
	if cfg.mongoURI != "" {
		return errors.New("restore fills the embedded store; restore MongoDB with its own tools (mongorestore), see the README")
	}
	if err := storage.Restore(ctx, cfg.dataDir, cfg.args[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s; the follow-up key (followup.key) is not in a backup: put yours back beside it\n", cfg.args[0], cfg.dataDir)
	return nil
}
