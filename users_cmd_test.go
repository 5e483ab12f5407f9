package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"samspil/access"
	"samspil/storage"
)

func TestUsersAdd(t *testing.T) {
	dir := t.TempDir()
	env := func(string) string { return "" }
	add := func(args ...string) (string, string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"samspil", "users", "add"}, args...), env, &out, &errOut)
		return out.String(), errOut.String(), err
	}
	for _, bad := range [][]string{
		{"anne@example.dk", "--role", "backbone", "-data", dir},
		{"not an address", "--role", "admin", "-data", dir},
		{"anne@example.dk", "--role", "owner", "-data", dir},
		{"--role", "admin", "-data", dir},
		{"anne@example.dk", "--role", "backbone", "--partnership", "nope", "-data", dir},
	} {
		if _, _, err := add(bad...); err == nil {
			t.Errorf("users add %v: no error", bad)
		}
	}
	out, _, err := add("Anne@Example.dk", "--role", "admin", "-data", dir, "-public-url", "https://samspil.example.dk/")
	if err != nil {
		t.Fatal(err)
	}
	link := strings.TrimSpace(out)
	if !strings.HasPrefix(link, "https://samspil.example.dk/setup/") || strings.Contains(link, "\n") {
		t.Fatalf("printed %q, want one line with the link", out)
	}
	// Asked again, the account gets a new link and the old one stops.
	out2, errOut, err := add("anne@example.dk", "--role", "admin", "-data", dir)
	if err != nil || !strings.Contains(errOut, "already has an account") || !strings.HasPrefix(out2, "http://localhost:8080/setup/") {
		t.Fatalf("second add: %q %q %v", out2, errOut, err)
	}
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(ctx)
	u, ok, _ := store.User(ctx, "anne@example.dk")
	if !ok || u.Role != access.RoleAdmin || u.PasswordHash != "" {
		t.Errorf("user = %+v", u)
	}
	old := link[strings.LastIndex(link, "/")+1:]
	if _, ok, _ := store.SetupLink(ctx, access.Hash(old)); ok {
		t.Error("the first link still works after a second was made")
	}
	fresh := strings.TrimSpace(out2)
	if l, ok, _ := store.SetupLink(ctx, access.Hash(fresh[strings.LastIndex(fresh, "/")+1:])); !ok || l.User != "anne@example.dk" {
		t.Errorf("the new link = %+v, %v", l, ok)
	}
}
