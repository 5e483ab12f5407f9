// Package access defines who may call Samspil: roles and the API keys that
// carry them. A key's secret is shown once and only its hash is kept.
package access

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Role is what a key allows its holder to do.
type Role string

// The roles a key can carry.
const (
	RoleAdmin     Role = "admin"     // everything
	RoleBackbone  Role = "backbone"  // runs one partnership
	RoleEvaluator Role = "evaluator" // read-only access to aggregates of every partnership
)

// Roles lists every role a key can carry.
var Roles = []Role{RoleAdmin, RoleBackbone, RoleEvaluator}

// Key is a stored API key. It never holds the secret itself.
type Key struct {
	// Hash is the SHA-256 of the secret. Secrets are 256 random bits, so a
	// fast hash is enough: there is nothing to guess.
	Hash string
	ID   string
	Role Role
	// Partnership is the one partnership a backbone key may run.
	Partnership string
	CreatedAt   time.Time
	RevokedAt   *time.Time
}

// NewKey makes a key with a fresh secret. The secret is returned to be
// shown once and is not kept.
func NewKey(role Role, partnership string, now time.Time) (Key, string) {
	secret := "sk_" + random(32)
	return Key{
		Hash:        Hash(secret),
		ID:          "key_" + random(9),
		Role:        role,
		Partnership: partnership,
		CreatedAt:   now.UTC().Truncate(time.Second),
	}, secret
}

// NewToken makes an invitation token: 256 random bits, shown once, kept
// only as its Hash.
func NewToken() string {
	return random(32)
}

// KeyFromSecret makes the key for a secret chosen by the operator, such
// as the admin key given in the configuration. Its id derives from the
// hash, so the same secret always names the same key.
func KeyFromSecret(secret string, role Role, now time.Time) Key {
	h := Hash(secret)
	return Key{Hash: h, ID: "key_" + h[:12], Role: role, CreatedAt: now.UTC().Truncate(time.Second)}
}

// Hash returns the stored form of a secret.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func random(n int) string {
	b := make([]byte, n)
	rand.Read(b) // crypto/rand.Read never fails; it crashes the program instead.
	return base64.RawURLEncoding.EncodeToString(b)
}
