package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"samspil/access"
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
	b, err := keyFile(secret, dataDir, followUpKeyFile, followup.MinSecret)
	if err != nil {
		return followup.Keyring{}, err
	}
	return followup.NewKeyring(b)
}

// sealKeyFile holds the key partners' links are sealed with, so that a
// reminder can carry the link of the invitation; like the follow-up key,
// it stays out of the database. Several instances share it through
// SAMSPIL_SEAL_SECRET.
const sealKeyFile = "seal.key"

// sealer reads the sealing key from SAMSPIL_SEAL_SECRET or the data
// folder's key file.
func sealer(secret, dataDir string) (*access.Sealer, error) {
	b, err := keyFile(secret, dataDir, sealKeyFile, access.MinSealSecret)
	if err != nil {
		return nil, err
	}
	return access.NewSealer(b)
}

// keyFile returns secret when it is set, or the key file's content,
// creating the file with size random bytes, readable by its owner only,
// on the first start.
func keyFile(secret, dataDir, name string, size int) ([]byte, error) {
	if secret != "" {
		return []byte(secret), nil
	}
	path := filepath.Join(dataDir, name)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b = make([]byte, size)
		_, _ = rand.Read(b)
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data folder: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", name, err)
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return nil, fmt.Errorf("write %s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("write %s: %w", name, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}
