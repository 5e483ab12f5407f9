package api

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"samspil/access"
)

type openAPIOperation struct {
	Security []map[string][]string `json:"security"`
	Roles    []access.Role         `json:"x-roles"`
}

// The document is written by hand, so this test holds it to the code:
// every route is documented with its access rule, and nothing else is.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                                 `json:"openapi"`
		Paths   map[string]map[string]openAPIOperation `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	param := regexp.MustCompile(`:(\w+)`)
	registered := map[string]bool{}
	for _, r := range (&server{}).routes() {
		path := strings.ReplaceAll(param.ReplaceAllString(strings.ReplaceAll(r.path, `\:`, "\x00"), "{$1}"), "\x00", ":")
		method := strings.ToLower(r.method)
		registered[method+" "+path] = true
		op, ok := doc.Paths[path][method]
		if !ok {
			t.Errorf("%s %s is registered but not in openapi.json", r.method, path)
			continue
		}
		if r.rule.Public != (len(op.Security) == 0) {
			t.Errorf("%s %s: public %v, but openapi.json security is %v", r.method, path, r.rule.Public, op.Security)
		}
		if !slices.Equal(r.rule.Roles, op.Roles) {
			t.Errorf("%s %s: roles %v, but openapi.json x-roles is %v", r.method, path, r.rule.Roles, op.Roles)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !registered[method+" "+path] {
				t.Errorf("openapi.json documents %s %s, which is not registered", strings.ToUpper(method), path)
			}
		}
	}
}

// The app must register exactly the routes of the table, each behind its rule.
func TestAppRegistersTheRouteTable(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	want := map[string]bool{}
	for _, r := range (&server{}).routes() {
		want[r.method+" "+r.path] = true
	}
	for _, r := range ta.app.GetRoutes(true) {
		if r.Method == "HEAD" || r.Path == "/" {
			continue
		}
		if !want[r.Method+" "+r.Path] {
			t.Errorf("%s %s is registered outside the route table", r.Method, r.Path)
		}
		delete(want, r.Method+" "+r.Path)
	}
	for r := range want {
		t.Errorf("%s is in the route table but not registered", r)
	}
}
