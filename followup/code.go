// Package followup gives a citizen who wants to be followed over time a
// short code instead of a name. The code links their answers, so that a
// change can be measured person by person; it is optional, never stored
// in clear, and deletes the answers it links when the citizen asks.
//
// A code is stored only as a keyed hash (HMAC-SHA256 with a secret kept
// outside the database): the database alone cannot tell which answers
// belong to a code someone knows.
package followup

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"unicode"
)

// alphabet holds the letters and digits a code is made of: none that
// looks like another (0/O/D, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V, Q), so a code
// written by hand is read back right.
const alphabet = "ACEFHJKMNPRTWXY34679"

// Length is how many characters a code has. With 20 characters, 20^8
// codes make a guess hit one of even a million in use about once in
// 25,000 tries.
const Length = 8

// Code is a follow-up code in canonical form: upper case, no dash.
type Code string

// String writes the code in two groups, the way it is shown and said.
func (c Code) String() string {
	if len(c) != Length {
		return string(c)
	}
	return string(c[:Length/2]) + "-" + string(c[Length/2:])
}

// ErrMalformed says a text cannot be a code.
var ErrMalformed = errors.New("not a follow-up code")

// Parse reads a code as a person types it: any case, with or without the
// dash (or another dash a phone or a notes app puts in), with spaces, and
// with the digits of an Arabic keyboard.
func Parse(s string) (Code, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '-' || unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) || r == '\u2212':
			continue
		case r >= '\u0660' && r <= '\u0669': // Arabic-Indic digits
			r = '0' + (r - '\u0660')
		case r >= '\u06F0' && r <= '\u06F9': // Extended Arabic-Indic (Persian, Urdu)
			r = '0' + (r - '\u06F0')
		case r > unicode.MaxASCII:
			return "", ErrMalformed
		}
		r = unicode.ToUpper(r)
		if !strings.ContainsRune(alphabet, r) {
			return "", ErrMalformed
		}
		b.WriteRune(r)
	}
	if b.Len() != Length {
		return "", ErrMalformed
	}
	return Code(b.String()), nil
}

// Keyring derives and hashes codes with the installation's secret.
type Keyring struct{ secret []byte }

// MinSecret is the shortest secret a keyring accepts, in bytes.
const MinSecret = 32

// NewKeyring makes a keyring from a secret of at least MinSecret bytes.
func NewKeyring(secret []byte) (Keyring, error) {
	if len(secret) < MinSecret {
		return Keyring{}, errors.New("follow-up secret: need at least " + strconv.Itoa(MinSecret) + " bytes")
	}
	return Keyring{secret: secret}, nil
}

// Hash is what the store keeps of a code.
func (k Keyring) Hash(c Code) string {
	return hex.EncodeToString(k.mac("code:" + string(c)))
}

// derive is the code a response gets at its attempt-th try. It follows
// from the response id, so a phone that sends the same answers again gets
// the same code, not a second one.
func (k Keyring) derive(response string, attempt int) Code {
	sum := k.mac("new:" + response + ":" + strconv.Itoa(attempt))
	var b [Length]byte
	for i := range b {
		// Two bytes per character: the bias of the remainder is 1 in
		// 3,276 at most.
		b[i] = alphabet[int(binary.BigEndian.Uint16(sum[2*i:]))%len(alphabet)]
	}
	return Code(b[:])
}

func (k Keyring) mac(s string) []byte {
	h := hmac.New(sha256.New, k.secret)
	h.Write([]byte(s))
	return h.Sum(nil)
}
