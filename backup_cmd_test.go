package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// getBody fetches a URL with an admin key and returns its body.
func getBody(t *testing.T, url, key string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	return string(b)
}

// A backup taken while the service answers, restored into an empty
// folder, serves the same figures and the same export byte for byte.
func TestBackupWhileServingAndRestore(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"SAMSPIL_ADMIN_KEY": "backup-test-admin-key", "SAMSPIL_LIMIT_SUBMISSIONS": "off"}
	dir := t.TempDir()
	base := serveAt(t, dir, env, &syncBuffer{})
	for i := range 20 {
		body := fmt.Sprintf(`{"submission_id":%q,"answers":{"belonging_place":%d,"role":"helper"}}`, uuid.NewString(), 1+i%5)
		if status := post(t, base+"/api/v1/forms/citizen_short/responses", body); status != http.StatusCreated {
			t.Fatalf("submit: %d", status)
		}
	}
	// Answers keep coming while the backup is taken.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				http.Post(base+"/api/v1/forms/citizen_short/responses", "application/json",
					strings.NewReader(fmt.Sprintf(`{"submission_id":%q,"answers":{"belonging_place":3}}`, uuid.NewString())))
			}
		}
	}()
	file := filepath.Join(t.TempDir(), "samspil.backup")
	var out bytes.Buffer
	err := run(ctx, []string{"samspil", "backup", file, "-data", dir}, func(string) string { return "" }, &out, &out)
	close(stop)
	<-done
	if err != nil {
		t.Fatalf("backup while serving: %v\n%s", err, out.String())
	}
	if err := run(ctx, []string{"samspil", "backup", file, "-data", dir}, func(string) string { return "" }, &out, &out); err == nil {
		t.Error("a second backup overwrote the first")
	}

	restored := t.TempDir()
	if err := run(ctx, []string{"samspil", "restore", file, "-data", restored}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatalf("restore: %v\n%s", err, out.String())
	}
	if err := run(ctx, []string{"samspil", "restore", file, "-data", restored}, func(string) string { return "" }, &out, &out); err == nil {
		t.Error("a restore overwrote a store")
	}
	if err := run(ctx, []string{"samspil", "restore", filepath.Join(dir, "followup.key"), "-data", t.TempDir()}, func(string) string { return "" }, &out, &out); err == nil {
		t.Error("restored a file that is no backup")
	}
	a := serveAt(t, restored, env, &syncBuffer{})
	if rows := strings.Count(getBody(t, a+"/api/v1/export/citizen_short.csv?raw=true", env["SAMSPIL_ADMIN_KEY"]), "\n"); rows < 21 {
		t.Errorf("the store backed up while answers came in exports %d lines, want the 20 responses and a header at least", rows)
	}

	// Once answers stop, a backup of the running service restores into a
	// store that serves the same export and figures, byte for byte.
	quiet := filepath.Join(t.TempDir(), "quiet.backup")
	if err := run(ctx, []string{"samspil", "backup", quiet, "-data", dir}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if err := run(ctx, []string{"samspil", "restore", quiet, "-data", other}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatal(err)
	}
	b := serveAt(t, other, env, &syncBuffer{})
	stamp := regexp.MustCompile(`"computed_at":"[^"]*"`)
	for _, path := range []string{"/api/v1/export/citizen_short.csv?raw=true", "/api/v1/forms/citizen_short/summary", "/api/v1/indicators/inclusion?by=partnership"} {
		x := stamp.ReplaceAllString(getBody(t, base+path, env["SAMSPIL_ADMIN_KEY"]), "")
		y := stamp.ReplaceAllString(getBody(t, b+path, env["SAMSPIL_ADMIN_KEY"]), "")
		if x != y {
			t.Errorf("%s differs between the service and its restored backup:\n%s\n---\n%s", path, x, y)
		}
	}
}
