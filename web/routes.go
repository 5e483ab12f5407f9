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
	// phone marks the citizen and partner forms: no session, a CSRF
	// cookie of their own, and errors as a phone page in the form's
	// languages.
	phone bool
}

// Who a page is for: staff in the console, or citizens and partners on
// their phones.
const forStaff, forPhone = false, true

// signedIn lets any signed-in staff member in; pages filter what each sees.
var signedIn = access.Viewers

// routes lists every page and form action, with its rule, in one place.
func (s *server) routes() []route {
	get, post := fiber.MethodGet, fiber.MethodPost
	return []route{
		{get, "/static/:name", access.Anyone, s.assets.serve, forPhone},
		{get, "/favicon.ico", access.Anyone, favicon, forPhone},
		// A citizen's link, and a partner's personal link (the token in
		// the path is its credential).
		{get, "/f/:id", access.Anyone, s.showForm, forPhone},
		{get, "/a/:aid", access.Anyone, s.shortLink, forPhone},
		{get, "/p/:pid", access.Anyone, s.shortLink, forPhone},
		{post, "/f/:id", access.Anyone, s.postForm, forPhone},
		{get, "/f/:id/thanks", access.Anyone, s.showThanks, forPhone},
		{get, "/i/:token", access.Anyone, s.showInvitation, forPhone},
		// What the people who answered said, for them.
		{get, "/r/:pid", access.Anyone, s.showCitizenResults, forPhone},
		{post, "/i/:token", access.Anyone, s.postInvitation, forPhone},
		// Who is responsible for the answers, what is kept and for how long.
		{get, "/privacy", access.Anyone, s.showPrivacy, forPhone},
		// A citizen deletes their answers with their follow-up code.
		{get, "/forget", access.Anyone, s.showForget, forPhone},
		{post, "/forget", access.Anyone, s.postForget, forPhone},

		{get, "/", access.Anyone, s.front, forStaff},
		{get, "/login", access.Anyone, s.loginPage, forStaff},
		{post, "/login", access.Anyone, s.login, forStaff},
		{post, "/logout", signedIn, s.logout, forStaff},
		{get, "/setup/:token", access.Anyone, s.setupPage, forStaff},
		{post, "/setup/:token", access.Anyone, s.setup, forStaff},

		{get, "/console", signedIn, s.home, forStaff},
		{get, "/console/account", signedIn, s.account, forStaff},
		{post, "/console/account", signedIn, s.saveAccount, forStaff},
		{post, "/console/account/sign-out-everywhere", signedIn, s.signOutEverywhere, forStaff},
		{post, "/console/account/password", signedIn, s.changePassword, forStaff},
		{get, "/console/partners-template.csv", signedIn, s.partnersTemplate, forStaff},
		{post, "/console/partnerships", access.Admins, s.createPartnership, forStaff},
		{get, "/console/audit", access.Admins, s.auditLog, forStaff},
		{get, "/console/staff", access.Managers, s.staff, forStaff},
		{post, "/console/staff", access.Managers, s.inviteStaff, forStaff},
		{post, "/console/staff/account", access.Managers, s.changeStaff, forStaff},

		{get, "/console/p/*", signedIn, movedPartnership, forStaff},
		{get, "/console/partnerships/:pid", access.Viewers, s.partnershipPage, forStaff},
		{post, "/console/partnerships/:pid", access.Managers, s.updatePartnership, forStaff},
		{get, "/console/partnerships/:pid/results", access.Viewers, s.results, forStaff},
		{get, "/console/partnerships/:pid/network", access.Viewers, s.network, forStaff},
		{get, "/console/partnerships/:pid/report", access.Viewers, s.report, forStaff},
		{get, "/console/partnerships/:pid/theory", access.Viewers, s.theoryPage, forStaff},
		{post, "/console/partnerships/:pid/theory", access.Managers, s.saveTheory, forStaff},
		{post, "/console/partnerships/:pid/theory/start", access.Managers, s.startTheory, forStaff},
		{get, "/console/partnerships/:pid/theory/edit", access.Managers, s.theoryEditor, forStaff},
		{get, "/console/partnerships/:pid/theory/versions", access.Viewers, s.theoryVersionsPage, forStaff},
		{get, "/console/partnerships/:pid/partners", access.Viewers, s.partnersPage, forStaff},
		{post, "/console/partnerships/:pid/partners", access.Managers, s.addPartner, forStaff},
		{post, "/console/partnerships/:pid/partners/import", access.Managers, s.importPartners, forStaff},
		{get, "/console/partnerships/:pid/partners/:id", access.Managers, s.partnerPage, forStaff},
		{post, "/console/partnerships/:pid/partners/:id", access.Managers, s.savePartner, forStaff},
		{get, "/console/partnerships/:pid/activities", access.Viewers, s.activitiesPage, forStaff},
		{post, "/console/partnerships/:pid/activities", access.Managers, s.addActivity, forStaff},
		{get, "/console/partnerships/:pid/activities/:aid", access.Managers, s.activityPage, forStaff},
		{post, "/console/partnerships/:pid/activities/:aid", access.Managers, s.saveActivity, forStaff},
		{get, "/console/partnerships/:pid/poster", access.Managers, s.poster, forStaff},
		{get, "/console/partnerships/:pid/activities/:aid/poster", access.Managers, s.poster, forStaff},
		{get, "/console/partnerships/:pid/waves", access.Viewers, s.wavesPage, forStaff},
		{post, "/console/partnerships/:pid/waves", access.Managers, s.openWave, forStaff},
		{get, "/console/partnerships/:pid/waves/:wid", access.Viewers, s.wavePage, forStaff},
		{post, "/console/partnerships/:pid/waves/:wid/dates", access.Managers, s.changeWaveDates, forStaff},
		{post, "/console/partnerships/:pid/waves/:wid/invitations", access.Managers, s.invite, forStaff},
		{post, "/console/partnerships/:pid/waves/:wid/invitations/:partner", access.Managers, s.reissue, forStaff},
		{post, "/console/partnerships/:pid/waves/:wid/reminders", access.Managers, s.reminders, forStaff},
		{post, "/console/partnerships/:pid/waves/:wid/mail/:partner", access.Managers, s.mailLink, forStaff},
	}
}
