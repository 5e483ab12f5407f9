package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"samspil/followup"
)

// followUpKeyFile holds the secret follow-up codes are hashed with, in the
// data folder, outside the database: a copy of the database alone cannot
// tell whose answers a known code links.
const followUpKeyFile = "followup.key"

// followUpKeys reads the follow-up secret from SAMSPIL_FOLLOWUP_SECRET, or
// from the data folder's key file, which a first start creates readable
// by its owner only.
func followUpKeys(secret, dataDir string) (followup.Keyring, error) {
	if secret != "" {
		return followup.NewKeyring([]byte(secret))
	}
	path := filepath.Join(dataDir, followUpKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b = make([]byte, followup.MinSecret)
		_, _ = rand.Read(b)
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return followup.Keyring{}, fmt.Errorf("create data folder: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return followup.Keyring{}, fmt.Errorf("create follow-up key: %w", err)
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return followup.Keyring{}, fmt.Errorf("write follow-up key: %w", err)
		}
		if err := f.Close(); err != nil {
			return followup.Keyring{}, fmt.Errorf("write follow-up key: %w", err)
		}
	} else if err != nil {
		return followup.Keyring{}, fmt.Errorf("read follow-up key: %w", err)
	}
	return followup.NewKeyring(b)
}
