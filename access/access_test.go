package access

import (
	"strings"
	"testing"
	"time"
)

func TestNewKeyKeepsOnlyTheHash(t *testing.T) {
	now := time.Now()
	k1, s1 := NewKey(RoleEvaluator, "", now)
	k2, s2 := NewKey(RoleEvaluator, "", now)
	if s1 == s2 || k1.ID == k2.ID {
		t.Fatal("two new keys share a secret or an id")
	}
	if !strings.HasPrefix(s1, "sk_") || len(s1) < 40 {
		t.Errorf("secret %q: want sk_ and at least 256 bits", s1)
	}
	if k1.Hash != Hash(s1) || strings.Contains(k1.Hash, s1[3:]) {
		t.Errorf("key hash %q does not hash the secret, or contains it", k1.Hash)
	}
	if k1.Role != RoleEvaluator {
		t.Errorf("role = %q", k1.Role)
	}
}

func TestKeyFromSecretIsStable(t *testing.T) {
	a := KeyFromSecret("operator-chosen", RoleAdmin, time.Now())
	b := KeyFromSecret("operator-chosen", RoleAdmin, time.Now().Add(time.Hour))
	if a.ID != b.ID || a.Hash != b.Hash {
		t.Errorf("the same secret gave keys %s and %s", a.ID, b.ID)
	}
	if c := KeyFromSecret("other", RoleAdmin, time.Now()); c.ID == a.ID {
		t.Error("different secrets gave the same key id")
	}
}
