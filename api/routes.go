package api

import (
	"github.com/gofiber/fiber/v2"

	"samspil/access"
)

// route is one endpoint and the rule for who may call it.
type route struct {
	method  string
	path    string
	rule    rule
	handler fiber.Handler
}

// rule says who may call a route: anyone, or holders of a key with one of
// the roles.
type rule struct {
	public bool
	roles  []access.Role
}

var (
	public  = rule{public: true}
	admin   = rule{roles: []access.Role{access.RoleAdmin}}
	readers = rule{roles: []access.Role{access.RoleAdmin, access.RoleEvaluator}}
)

// routes lists every endpoint, with its access rule, in one place.
func (s *server) routes() []route {
	return []route{
		{fiber.MethodGet, "/healthz", public, healthz},
		{fiber.MethodGet, "/readyz", public, readyz(s.Store)},
		{fiber.MethodGet, "/metrics", public, s.serveMetrics()},
		{fiber.MethodGet, "/api/v1/openapi.json", public, serveOpenAPI},
		{fiber.MethodGet, "/api/v1/forms", public, s.listForms},
		{fiber.MethodPost, "/api/v1/forms", admin, s.publishForm(s.Store)},
		{fiber.MethodGet, "/api/v1/forms/:id", public, s.getForm(s.Store)},
		{fiber.MethodGet, "/api/v1/forms/:id/codebook", readers, s.codebook(s.Store)},
		{fiber.MethodPost, "/api/v1/forms/:id/responses", public, s.submitResponse(s.Store, s.Store)},
		{fiber.MethodGet, "/api/v1/forms/:id/summary", readers, s.formSummary(s.Store, s.Store)},
		{fiber.MethodPost, "/api/v1/keys", admin, s.createKey(s.Store)},
		{fiber.MethodGet, "/f/:id", public, s.showForm(s.Store)},
		{fiber.MethodPost, "/f/:id", public, s.postForm(s.Store, s.Store)},
		{fiber.MethodGet, "/static/:name", public, s.assets.serve},
	}
}
