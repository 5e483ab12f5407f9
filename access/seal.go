package access

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// MinSealSecret is the shortest secret a Sealer takes.
const MinSealSecret = 32

// Sealer encrypts the few secrets that must be read back later, such as
// a partner's personal link, which a reminder carries again: the store
// keeps them sealed, and the key lives outside it, so a copy of the
// database alone opens no link.
type Sealer struct {
	key []byte
}

// NewSealer derives the sealing key from a secret of at least
// MinSealSecret bytes.
func NewSealer(secret []byte) (*Sealer, error) {
	if len(secret) < MinSealSecret {
		return nil, fmt.Errorf("seal secret: %d bytes, need at least %d", len(secret), MinSealSecret)
	}
	key, err := hkdf.Key(sha256.New, secret, nil, "samspil seal v1", chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	return &Sealer{key: key}, nil
}

// Seal encrypts plain for the document named by id: a sealed value
// copied to another document does not open there.
func (s *Sealer) Seal(plain, id string) []byte {
	aead, _ := chacha20poly1305.NewX(s.key) // the key has the right size
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	rand.Read(nonce) // never fails; see crypto/rand.Read
	return aead.Seal(nonce, nonce, []byte(plain), []byte(id))
}

// ErrUnsealable says a sealed value was made with another key or for
// another document, or was changed.
var ErrUnsealable = errors.New("sealed value does not open with this key")

// Open decrypts what Seal made for the same id.
func (s *Sealer) Open(sealed []byte, id string) (string, error) {
	aead, _ := chacha20poly1305.NewX(s.key)
	if len(sealed) < aead.NonceSize() {
		return "", ErrUnsealable
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(id))
	if err != nil {
		return "", ErrUnsealable
	}
	return string(plain), nil
}
