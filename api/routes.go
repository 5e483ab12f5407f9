package api

import (
	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/erasure"
)

// route is one endpoint and the rule, from access's one table, for who
// may call it.
type route struct {
	method  string
	path    string
	rule    access.Rule
	handler fiber.Handler
}

var (
	public   = access.Anyone
	admin    = access.Admins
	readers  = access.Readers
	managers = access.Managers
	viewers  = access.Viewers
)

// routes lists every endpoint, with its access rule, in one place.
func (s *server) routes() []route {
	erased := erasure.New(s.Store, s.Now)
	return []route{
		{fiber.MethodGet, "/healthz", public, healthz},
		{fiber.MethodGet, "/readyz", public, readyz(s.Store)},
		{fiber.MethodGet, "/api/v1/openapi.json", public, serveOpenAPI},
		{fiber.MethodGet, "/api/v1/forms", public, s.listForms},
		{fiber.MethodPost, "/api/v1/forms", admin, s.publishForm(s.Store)},
		{fiber.MethodGet, "/api/v1/forms/:id", public, s.getForm(s.Store)},
		{fiber.MethodGet, "/api/v1/forms/:id/codebook", readers, s.codebook(s.Store)},
		{fiber.MethodPost, "/api/v1/forms/:id/responses", public, s.submitResponse(s.Store, s.Store)},
		{fiber.MethodGet, "/api/v1/forms/:id/summary", readers, s.formSummary(s.Store, s.Store)},
		{fiber.MethodPost, "/api/v1/keys", admin, s.createKey(s.Store, s.Store)},
		{fiber.MethodGet, "/api/v1/keys", admin, s.listKeys(s.Store)},
		{fiber.MethodDelete, "/api/v1/keys/:kid", admin, s.revokeKey(s.Store, s.Store)},
		{fiber.MethodGet, "/api/v1/audit", admin, s.auditLog(s.Store)},

		{fiber.MethodPost, "/api/v1/partnerships", admin, s.createPartnership(s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships", viewers, s.listPartnerships(s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid", viewers, s.getPartnership(s.Store)},
		{fiber.MethodPatch, "/api/v1/partnerships/:pid", managers, s.updatePartnership(s.Store)},
		// Erasure on request; a partnership only once it has ended.
		{fiber.MethodDelete, "/api/v1/partnerships/:pid", admin, s.erasePartnership(erased)},
		{fiber.MethodPost, "/api/v1/partnerships/:pid/partners", managers, s.createPartner(s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/partners", viewers, s.listPartners(s.Store)},
		{fiber.MethodPost, "/api/v1/partnerships/:pid/partners\\:import", managers, s.importPartners(s.Store)},
		{fiber.MethodPatch, "/api/v1/partnerships/:pid/partners/:id", managers, s.updatePartner(s.Store)},
		{fiber.MethodDelete, "/api/v1/partnerships/:pid/partners/:id", managers, s.erasePartner(erased)},
		{fiber.MethodPost, "/api/v1/partnerships/:pid/activities", managers, s.saveActivity(s.Store, true)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/activities", managers, s.listActivities(s.Store)},
		{fiber.MethodPatch, "/api/v1/partnerships/:pid/activities/:id", managers, s.saveActivity(s.Store, false)},
		{fiber.MethodPost, "/api/v1/partnerships/:pid/waves", managers, s.createWave(s.Store, s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/waves", managers, s.listWaves(s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/waves/:wid", managers, s.getWave(s.Store)},
		{fiber.MethodPatch, "/api/v1/partnerships/:pid/waves/:wid", managers, s.updateWave(s.Store)},
		{fiber.MethodPost, "/api/v1/partnerships/:pid/waves/:wid/reminders", managers, s.remindNow(s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/waves/:wid/mail", managers, s.waveMail(s.Store)},
		{fiber.MethodPost, "/api/v1/partnerships/:pid/waves/:wid/invitations", managers, s.createInvitations(s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/waves/:wid/invitations", managers, s.listInvitations()},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/waves/:wid/status", managers, s.waveStatus()},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/links", managers, s.links(s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/links/qr.svg", managers, s.qr(s.Store, "svg")},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/links/qr.png", managers, s.qr(s.Store, "png")},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/links/:aid/qr.svg", managers, s.qr(s.Store, "svg")},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/links/:aid/qr.png", managers, s.qr(s.Store, "png")},

		// The program theory: every version kept; a save names the version
		// it changed (If-Match), so none overwrites another.
		{fiber.MethodGet, "/api/v1/partnerships/:pid/theory", viewers, s.getTheory(s.Store)},
		{fiber.MethodPut, "/api/v1/partnerships/:pid/theory", managers, s.putTheory(s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/theory/template", viewers, theoryTemplate},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/theory/versions", viewers, s.theoryVersions(s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/theory/versions/:n", viewers, s.getTheoryVersion(s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/theory/compare", viewers, s.compareTheory(s.Store)},

		{fiber.MethodGet, "/api/v1/partnerships/:pid/indicators/inclusion", viewers, s.inclusion(s.Store, s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/indicators/change", viewers, s.change(s.Store, s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/indicators/health", viewers, s.health(s.Store)},
		{fiber.MethodGet, "/api/v1/indicators/inclusion", readers, s.inclusionByPartnership(s.Store, s.Store)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/export.csv", viewers, s.export(s.Store, s.Store, s.Store, true)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/datapackage.json", viewers, s.dataPackage(s.Store, true)},
		{fiber.MethodGet, "/api/v1/export/:form.csv", readers, s.export(s.Store, s.Store, s.Store, false)},
		{fiber.MethodGet, "/api/v1/export/:form/datapackage.json", readers, s.dataPackage(s.Store, false)},
		{fiber.MethodGet, "/api/v1/partnerships/:pid/network", viewers, s.networkView(s.Store)},

		// The token in the path is the partner's credential.
		{fiber.MethodGet, "/api/v1/invitations/:token", public, s.getInvitation()},
		{fiber.MethodPut, "/api/v1/invitations/:token/response", public, s.answerInvitation()},
	}
}
