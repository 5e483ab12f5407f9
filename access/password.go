package access

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// MinPasswordLength is the shortest password a person may choose.
const MinPasswordLength = 12

// argon2id parameters: OWASP's recommended minimum (19 MiB, two passes),
// about 24 ms a hash on one core here (go test ./access -bench Password), so a small server can afford a
// few sign-ins a second while a stolen hash stays slow to guess.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// hashing bounds the password hashes computed at once: each takes 19
// MiB, and a burst of sign-ins must not run a small server out of memory.
// The others wait their turn.
var hashing = make(chan struct{}, 4)

// HashPassword returns the argon2id hash of a password in the PHC string
// format, with a fresh salt.
func HashPassword(password string) string {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	salt := make([]byte, 16)
	rand.Read(salt) // never fails; see crypto/rand.Read
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword reports whether password matches a hash made by
// HashPassword, taking the same time whether it matches or not.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var memory uint32
	var passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	if memory > 64*1024 || passes > 10 || threads == 0 {
		return false // not a hash this package made
	}
	hashing <- struct{}{}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	<-hashing
	return subtle.ConstantTimeCompare(got, want) == 1
}

// DummyCheck spends the time of one password check, so that signing in
// with an unknown address takes as long as with a wrong password.
func DummyCheck(password string) {
	CheckPassword(dummyHash, password)
}

var dummyHash = HashPassword("not a password anyone has")

//go:embed common-passwords.txt
var commonList []byte

// common holds the most common passwords of at least MinPasswordLength
// characters, in lower case.
var common = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(commonList))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// PasswordProblem tells why a new password is refused, as a message id,
// or "" when it is fine: too short, one of the most common passwords, or
// the person's own e-mail address.
func PasswordProblem(password, email string) string {
	p := strings.ToLower(password)
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return "password_short"
	case len(password) > 1024:
		return "password_long"
	case common[p] || onlyRepeats(p) || (NormalEmail(email) != "" && strings.HasPrefix(p, NormalEmail(email))):
		return "password_common"
	}
	return ""
}

// onlyRepeats reports whether a password is one short piece repeated,
// such as "abcabcabcabc" or "aaaaaaaaaaaa".
func onlyRepeats(p string) bool {
	for n := 1; n <= 4 && n < len(p); n++ {
		if strings.Repeat(p[:n], len(p)/n+1)[:len(p)] == p {
			return true
		}
	}
	return false
}
