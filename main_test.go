package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"samspil/internal/loopback"
)

// syncBuffer collects what the server writes from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs the program as an operator would and waits until it is
// ready. The returned channel yields run's result.
func startServer(ctx context.Context, t *testing.T, addr, dir string, env map[string]string, out *syncBuffer) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		args := []string{"samspil", "serve", "-addr", addr, "-data", dir}
		if _, ok := env["SAMSPIL_METRICS_ADDR"]; !ok {
			// Any free loopback port for metrics: tests run side by side.
			args = append(args, "-metrics-addr", "127.0.0.1:0")
		}
		done <- run(ctx, args, func(k string) string { return env[k] }, out, out)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("server stopped while starting: %v\n%s", err, out)
		default:
		}
		if res, err := http.Get("http://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return done
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server not ready after 60s:\n%s", out)
	return nil
}

func post(t *testing.T, url, body string) int {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// Every response acknowledged before SIGTERM is there after a restart on
// the same data folder, and counted once.
func TestResponsesSurviveSIGTERMAndRestart(t *testing.T) {
	dir := t.TempDir()
	addr := loopback.FreeAddr(t)
	base := "http://" + addr
	env := map[string]string{"SAMSPIL_ADMIN_KEY": "test-admin-key"}
	out := &syncBuffer{}

	done := startServer(context.Background(), t, addr, dir, env, out)
	const n = 12
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		body := fmt.Sprintf(`{"submission_id":%q,"answers":{"belonging_place":%d}}`, ids[i], 1+i%5)
		if status := post(t, base+"/api/v1/forms/citizen_short/responses", body); status != http.StatusCreated {
			t.Fatalf("submission %d: %d, want 201", i, status)
		}
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after SIGTERM = %v, want nil (exit status 0)", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop within 30s of SIGTERM")
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still accepting connections after shutdown")
	}

	ctx, cancel := context.WithCancel(context.Background())
	done = startServer(ctx, t, addr, dir, env, out)
	defer func() {
		cancel()
		<-done
	}()
	body := fmt.Sprintf(`{"submission_id":%q,"answers":{"belonging_place":1}}`, ids[0])
	if status := post(t, base+"/api/v1/forms/citizen_short/responses", body); status != http.StatusOK {
		t.Errorf("retry of a stored submission after restart: %d, want 200", status)
	}
	// Published figures wait for the month to end; the raw export, an
	// admin's, shows every stored response at once.
	req, _ := http.NewRequest("GET", base+"/api/v1/export/citizen_short.csv?raw=true", nil)
	req.Header.Set("Authorization", "Bearer test-admin-key")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	rows, err := csv.NewReader(res.Body).ReadAll()
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("raw export: %d %v", res.StatusCode, err)
	}
	if len(rows)-1 != n {
		t.Errorf("after restart %d responses, want %d", len(rows)-1, n)
	}

	logs := out.String()
	if strings.Contains(logs, "test-admin-key") || strings.Contains(logs, "belonging_place") {
		t.Errorf("logs hold a key or an answer:\n%s", logs)
	}
	if !strings.Contains(logs, `"route":"/api/v1/forms/:id/responses","status":201`) {
		t.Errorf("logs lack a request line with route and status:\n%s", logs)
	}
}

func TestFirstStartWithoutAdminKeyShowsOneOnce(t *testing.T) {
	dir := t.TempDir()
	addr := loopback.FreeAddr(t)
	for i, wantKey := range []bool{true, false} {
		out := &syncBuffer{}
		ctx, cancel := context.WithCancel(context.Background())
		done := startServer(ctx, t, addr, dir, nil, out)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(out.String(), "sk_"); got != wantKey {
			t.Errorf("start %d: key shown %v, want %v:\n%s", i+1, got, wantKey, out)
		}
	}
}

func TestRunRefusesBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"samspil", "frobnicate"},
		{"samspil", "-no-such-flag"},
		{"samspil", "serve", "extra"},
		{"samspil", "-limit-auth", "lots"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), args, func(string) string { return "" }, &out, &out); err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
}

func TestConfigFlagsWinOverEnvironment(t *testing.T) {
	env := map[string]string{"SAMSPIL_ADDR": ":9000", "SAMSPIL_DATA": "/env", "SAMSPIL_MONGO_URI": "mongodb://env", "SAMSPIL_ADMIN_KEY": "k",
		"SAMSPIL_PUBLIC_URL": "https://samspil.example.dk"}
	var out bytes.Buffer
	cfg, err := parseConfig([]string{"-addr", ":7000"}, func(k string) string { return env[k] }, &out)
	if err != nil {
		t.Fatal(err)
	}
	defaults := config{addr: ":8080", dataDir: "./data", metricsAddr: "127.0.0.1:9464",
		limitSubmissions: "1000/1h", limitGuesses: "30/10m", limitAuth: "20/1m"}
	want := defaults
	want.addr, want.dataDir, want.mongoURI, want.adminKey, want.publicURL, want.args = ":7000", "/env", "mongodb://env", "k", "https://samspil.example.dk", []string{}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("config = %+v, want %+v", cfg, want)
	}
	cfg, _ = parseConfig(nil, func(string) string { return "" }, &out)
	if !reflect.DeepEqual(cfg, defaults) {
		t.Errorf("defaults = %+v", cfg)
	}
}

func TestHealthcheckCommand(t *testing.T) {
	dir := t.TempDir()
	addr := loopback.FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := startServer(ctx, t, addr, dir, nil, &syncBuffer{})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"samspil", "healthcheck", "-addr", addr}, func(string) string { return "" }, &out, &out); err != nil {
		t.Errorf("healthcheck against a running server: %v", err)
	}
	cancel()
	<-done
	if err := run(context.Background(), []string{"samspil", "healthcheck", "-addr", addr}, func(string) string { return "" }, &out, &out); err == nil {
		t.Error("healthcheck against a stopped server succeeded")
	}
}

func TestFormsLintCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"samspil", "forms", "lint"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatalf("lint of the built-in forms: %v\n%s", err, out.String())
	}
	for _, want := range []string{"citizen_short v2 (built in): ok", "who5 v1 (built in): ok", "partner_survey v1 (built in): ok"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lint output lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	broken := "forms/testdata/broken/show_if_later_item.json"
	err := run(context.Background(), []string{"samspil", "forms", "lint", "forms/builtin/who5.v1.json", broken}, func(string) string { return "" }, &out, &out)
	if err == nil {
		t.Fatal("lint passed a broken definition")
	}
	want := broken + `: items[0].show_if.item: "b" must come before the item that refers to it`
	if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "forms/builtin/who5.v1.json: ok") {
		t.Errorf("lint output:\n%s\nwant a line %q and who5 ok", out.String(), want)
	}
}

// A form published over the API is served again after a restart, and the
// rescore command finds the responses to it.
func TestPublishedFormsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	addr := loopback.FreeAddr(t)
	env := map[string]string{"SAMSPIL_ADMIN_KEY": "test-admin-key"}
	definition, err := os.ReadFile("forms/testdata/scored.json")
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := startServer(ctx, t, addr, dir, env, &syncBuffer{})
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/forms", bytes.NewReader(definition))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer test-admin-key")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	if status := post(t, "http://"+addr+"/api/v1/forms/scored/responses",
		`{"submission_id":"99999999-9999-4999-8999-999999999999","answers":{"a":5,"b":3,"c":2}}`); status != http.StatusCreated {
		t.Fatalf("answer: %d", status)
	}
	cancel()
	<-done

	var out bytes.Buffer
	if err := run(context.Background(), []string{"samspil", "forms", "rescore", "-data", dir, "scored"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatalf("rescore: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "rebuilt 1 cells from 1 responses, 0 rescored") {
		t.Errorf("rescore output %q; the scores were computed by the same rules", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"samspil", "rebuild-indicators", "-data", dir}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatalf("rebuild-indicators: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "rebuilt 1 cells from 1 responses, 0 rescored") {
		t.Errorf("rebuild-indicators output %q", out.String())
	}

	ctx, cancel = context.WithCancel(context.Background())
	done = startServer(ctx, t, addr, dir, env, &syncBuffer{})
	defer func() {
		cancel()
		<-done
	}()
	res, err = http.Get("http://" + addr + "/api/v1/forms/scored")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("published form after restart: %d, want 200", res.StatusCode)
	}
}

// Invitation tokens and API keys are stored only as hashes, and request
// logs never show them: this looks in the embedded store's files and the
// logs themselves.
func TestSecretsAreNotStoredOrLoggedInClear(t *testing.T) {
	dir := t.TempDir()
	addr := loopback.FreeAddr(t)
	base := "http://" + addr
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := startServer(ctx, t, addr, dir, map[string]string{"SAMSPIL_ADMIN_KEY": "adm-secret-123"}, out)
	call := apiCaller(t, base, "adm-secret-123")
	p := call("POST", "/api/v1/partnerships", `{"name":"Vest"}`)["id"].(string)
	call("POST", "/api/v1/partnerships/"+p+"/partners", `{"name":"Bibliotek","sector":"public"}`)
	key := call("POST", "/api/v1/keys", `{"role":"evaluator"}`)["key"].(string)
	now := time.Now().UTC()
	w := call("POST", "/api/v1/partnerships/"+p+"/waves", fmt.Sprintf(`{"form":"partner_survey","opens_at":%q,"closes_at":%q}`,
		now.Add(-time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339)))["id"].(string)
	link := call("POST", "/api/v1/partnerships/"+p+"/waves/"+w+"/invitations", "")["invitations"].([]any)[0].(map[string]any)["link"].(string)
	token := link[strings.LastIndex(link, "/")+1:]
	call("GET", "/api/v1/invitations/"+token, "")
	if res, err := http.Get(base + "/i/" + token); err == nil {
		res.Body.Close()
	}
	cancel()
	<-done

	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for name, secret := range map[string]string{"invitation token": token, "API key": key, "admin key": "adm-secret-123"} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s holds the %s in clear", filepath.Base(f), name)
			}
		}
	}
	for name, secret := range map[string]string{"invitation token": token, "API key": key, "admin key": "adm-secret-123"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("the logs show the %s", name)
		}
	}
	if !strings.Contains(out.String(), `"route":"/api/v1/invitations/:token"`) {
		t.Errorf("the invitation request is not logged by its route template:\n%s", out.String())
	}
}

// /metrics is served on its own address, loopback by default, with the Go
// runtime's and the process's series beside Samspil's; the public address
// does not serve it.
func TestMetricsHaveTheirOwnAddress(t *testing.T) {
	addr, metrics := loopback.FreeAddr(t), loopback.FreeAddr(t)
	ctx, stop := context.WithCancel(context.Background())
	done := startServer(ctx, t, addr, t.TempDir(), map[string]string{"SAMSPIL_METRICS_ADDR": metrics}, &syncBuffer{})
	defer func() {
		stop()
		<-done
	}()
	if res, err := http.Get("http://" + addr + "/metrics"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the public address: %v %v, want 404", res.Status, err)
	}
	res, err := http.Get("http://" + metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, want := range []string{"go_goroutines ", "go_memstats_heap_alloc_bytes ", "process_resident_memory_bytes ", "samspil_http_requests_total{"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// apiCaller calls the API at base with an API key and returns the reply's
// JSON; a reply of 300 or more fails the test.
func apiCaller(t *testing.T, base, key string) func(method, path, body string) map[string]any {
	return func(method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(res.Body).Decode(&v)
		if res.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, v)
		}
		return v
	}
}
