package api

import (
	"testing"
)

// A create sent again with the same Idempotency-Key (after a timeout or a
// 503) creates nothing twice and gets the first answer; another key, or
// no key, creates anew; a refused request is not kept.
func TestCreatesWithAnIdempotencyKey(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	post := func(body, key string) (int, string, string) {
		t.Helper()
		headers := []string{"Authorization", "Bearer " + ta.admin}
		if key != "" {
			headers = append(headers, "Idempotency-Key", key)
		}
		res, out := ta.call(t, "POST", "/api/v1/partnerships", body, headers...)
		id, _ := out["id"].(string)
		return res.StatusCode, id, res.Header.Get("Idempotent-Replayed")
	}
	status, first, _ := post(`{"name":"Vest"}`, "k-1")
	if status != 201 || first == "" {
		t.Fatalf("first create: %d %q", status, first)
	}
	status, again, replayed := post(`{"name":"Vest"}`, "k-1")
	if status != 201 || again != first || replayed != "true" {
		t.Errorf("sent again: %d, id %q (first %q), replayed %q; want the first answer", status, again, first, replayed)
	}
	if _, other, _ := post(`{"name":"Vest"}`, "k-2"); other == first || other == "" {
		t.Errorf("another key: id %q, want a new partnership", other)
	}
	if status, _, _ := post(`{"name":""}`, "k-3"); status != 422 {
		t.Fatalf("invalid create: %d", status)
	}
	if status, id, _ := post(`{"name":"Nord"}`, "k-3"); status != 201 || id == "" {
		t.Errorf("corrected after a 422 with the same key: %d %q, want it created", status, id)
	}
	_, out := ta.call(t, "GET", "/api/v1/partnerships", "", "Authorization", "Bearer "+ta.admin)
	if ps, _ := out["partnerships"].([]any); len(ps) != 3 {
		t.Errorf("%d partnerships, want 3 (Vest once per key, and Nord)", len(ps))
	}
	// A new API key's secret is shown once: never replayed.
	res, _ := ta.call(t, "POST", "/api/v1/keys", `{"role":"evaluator"}`, "Authorization", "Bearer "+ta.admin, "Idempotency-Key", "key-1")
	res2, _ := ta.call(t, "POST", "/api/v1/keys", `{"role":"evaluator"}`, "Authorization", "Bearer "+ta.admin, "Idempotency-Key", "key-1")
	if res.StatusCode != 201 || res2.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("key creation replayed a secret: %d %q", res.StatusCode, res2.Header.Get("Idempotent-Replayed"))
	}
}
