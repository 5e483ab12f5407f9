package web

import (
	"github.com/gofiber/fiber/v2"

	"samspil/access"
)

// route is one page or form action and the rule, from access's one table,
// for who may use it. Console pages take the same rule as their JSON twin.
type route struct {
	method  string
	path    string
	rule    access.Rule
	handler handler
}

// signedIn lets any signed-in staff member in; pages filter what each sees.
var signedIn = access.Viewers

// routes lists every page and form action, with its rule, in one place.
func (s *server) routes() []route {
	get, post := fiber.MethodGet, fiber.MethodPost
	return []route{
		{get, "/login", access.Anyone, s.loginPage},
		{post, "/login", access.Anyone, s.login},
		{post, "/logout", signedIn, s.logout},
		{get, "/setup/:token", access.Anyone, s.setupPage},
		{post, "/setup/:token", access.Anyone, s.setup},
		{get, "/console/static/:name", access.Anyone, s.assets.serve},

		{get, "/console", signedIn, s.home},
		{get, "/console/account", signedIn, s.account},
		{post, "/console/account", signedIn, s.saveAccount},
		{post, "/console/account/sign-out-everywhere", signedIn, s.signOutEverywhere},
		{get, "/console/partners-template.csv", signedIn, s.partnersTemplate},
		{post, "/console/partnerships", access.Admins, s.createPartnership},
		{get, "/console/audit", access.Admins, s.auditLog},
		{get, "/console/staff", access.Managers, s.staff},
		{post, "/console/staff", access.Managers, s.inviteStaff},
		{post, "/console/staff/:email", access.Managers, s.changeStaff},

		{get, "/console/p/:pid", access.Viewers, s.partnershipPage},
		{post, "/console/p/:pid", access.Managers, s.updatePartnership},
		{get, "/console/p/:pid/partners", access.Viewers, s.partnersPage},
		{post, "/console/p/:pid/partners", access.Managers, s.addPartner},
		{post, "/console/p/:pid/partners/import", access.Managers, s.importPartners},
		{get, "/console/p/:pid/partners/:id", access.Managers, s.partnerPage},
		{post, "/console/p/:pid/partners/:id", access.Managers, s.savePartner},
		{get, "/console/p/:pid/activities", access.Viewers, s.activitiesPage},
		{post, "/console/p/:pid/activities", access.Managers, s.addActivity},
		{get, "/console/p/:pid/activities/:aid", access.Managers, s.activityPage},
		{post, "/console/p/:pid/activities/:aid", access.Managers, s.saveActivity},
		{get, "/console/p/:pid/poster", access.Managers, s.poster},
		{get, "/console/p/:pid/activities/:aid/poster", access.Managers, s.poster},
		{get, "/console/p/:pid/waves", access.Viewers, s.wavesPage},
		{post, "/console/p/:pid/waves", access.Managers, s.openWave},
		{get, "/console/p/:pid/waves/:wid", access.Viewers, s.wavePage},
		{post, "/console/p/:pid/waves/:wid/dates", access.Managers, s.changeWaveDates},
		{post, "/console/p/:pid/waves/:wid/invitations", access.Managers, s.invite},
		{post, "/console/p/:pid/waves/:wid/invitations/:partner", access.Managers, s.reissue},
	}
}
