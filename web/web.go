// Package web is Samspil's HTML adapter for staff: sign-in, and the
// console where the backbone runs its partnership in a browser. Pages are
// rendered on the server and work without JavaScript; a small script only
// adds copy buttons and a filter. It calls the same domain packages as the
// JSON API and authorizes with the same rules (package access).
package web

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/followup"
	"samspil/forms"
	"samspil/i18n"
	"samspil/indicators"
	"samspil/intake"
	"samspil/outbox"
	"samspil/partnership"
)

// Store is what the console needs from storage.
type Store interface {
	StaffStore
	PartnershipStore
	TheoryStore
	indicators.CellReader
}

// StaffStore keeps staff accounts, their sessions and set-password links.
type StaffStore interface {
	CreateUser(ctx context.Context, u access.User) (bool, error)
	User(ctx context.Context, email string) (access.User, bool, error)
	Users(ctx context.Context) ([]access.User, error)
	HasUsers(ctx context.Context) (bool, error)
	SetPassword(ctx context.Context, email, hash string) error
	SetLang(ctx context.Context, email, lang string) error
	SetDisabled(ctx context.Context, email string, disabled bool) error
	// EraseUser deletes an account and replaces its e-mail in the audit
	// log by alias.
	EraseUser(ctx context.Context, email, alias string) error
	SetRole(ctx context.Context, email string, role access.Role, partnerships []string) error
	CreateSession(ctx context.Context, s access.Session) error
	Session(ctx context.Context, hash string) (access.Session, bool, error)
	TouchSession(ctx context.Context, hash string, now time.Time) error
	EndSession(ctx context.Context, hash string) error
	EndSessions(ctx context.Context, email string) error
	CreateSetupLink(ctx context.Context, l access.SetupLink) error
	SetupLink(ctx context.Context, hash string) (access.SetupLink, bool, error)
	UseSetupLink(ctx context.Context, hash string, now time.Time) (bool, error)
}

// PartnershipStore keeps partnerships and what belongs to them.
type PartnershipStore interface {
	CreatePartnership(ctx context.Context, p partnership.Partnership) error
	Partnership(ctx context.Context, id string) (partnership.Partnership, error)
	Partnerships(ctx context.Context) ([]partnership.Partnership, error)
	UpdatePartnership(ctx context.Context, p partnership.Partnership) error
	CreatePartner(ctx context.Context, p partnership.Partner) error
	CreatePartners(ctx context.Context, ps []partnership.Partner) error
	Partner(ctx context.Context, partnershipID, id string) (partnership.Partner, error)
	Partners(ctx context.Context, partnershipID string) ([]partnership.Partner, error)
	UpdatePartner(ctx context.Context, p partnership.Partner) error
	CreateActivity(ctx context.Context, a partnership.Activity) error
	Activity(ctx context.Context, partnershipID, id string) (partnership.Activity, error)
	FindActivity(ctx context.Context, id string) (partnership.Activity, error)
	Activities(ctx context.Context, partnershipID string) ([]partnership.Activity, error)
	UpdateActivity(ctx context.Context, a partnership.Activity) error
	CreateWave(ctx context.Context, w partnership.Wave) error
	Wave(ctx context.Context, partnershipID, id string) (partnership.Wave, error)
	Waves(ctx context.Context, partnershipID string) ([]partnership.Wave, error)
	UpdateWave(ctx context.Context, w partnership.Wave) error
	CreateInvitation(ctx context.Context, inv partnership.Invitation) (bool, error)
	ReissueInvitation(ctx context.Context, inv partnership.Invitation) error
	Invitations(ctx context.Context, waveID string) ([]partnership.Invitation, error)
	PartnerResponses(ctx context.Context, waveID string, partners []string) ([]forms.Response, error)
	Audit(ctx context.Context, e partnership.AuditEntry) error
	AuditLog(ctx context.Context, limit int) ([]partnership.AuditEntry, error)
}

// Config holds what the console is built from.
type Config struct {
	Store      Store
	Forms      *forms.Catalog
	Messages   *i18n.Messages
	Indicators *indicators.Service
	Logger     *slog.Logger
	// Now tells the time; tests set it.
	Now func() time.Time
	// PublicURL is the address links point to; empty uses each request's.
	PublicURL string
	// Throttle slows down password guessing; nil makes one.
	Throttle *access.Throttle
	// Intake stores citizens' and partners' answers.
	Intake *intake.Service
	// FindForm finds forms another instance published since this one
	// started; Forms is asked first.
	FindForm intake.FormFinder
	// FollowUps finds and forgets follow-up codes; nil offers none.
	FollowUps *followup.Service
	// Limits are the abuse limits, shared with the API; nil takes the
	// defaults.
	Limits *access.Limits
	// Outbox makes partners' links and queues mail; nil makes one that
	// sends none, over Store.
	Outbox *outbox.Service
	// Controller is the installation's data controller, as the privacy
	// notice names it; a partnership may name its own.
	Controller string
}

// server carries what handlers share.
type server struct {
	Config
	templates *template.Template
	// phone are the templates of the citizen and partner forms.
	phone  *template.Template
	assets *assets
	// inviting holds a lock per wave that invitations are being made for.
	inviting sync.Map
}

// Mount adds the sign-in pages and the console to app.
func Mount(app *fiber.App, cfg Config) error {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Limits == nil {
		cfg.Limits = access.DefaultLimits()
	}
	if cfg.Outbox == nil {
		st, ok := cfg.Store.(outbox.Store)
		if !ok {
			return errors.New("web: Config.Outbox is needed with a store that keeps no outbox")
		}
		cfg.Outbox = &outbox.Service{Store: st, Now: cfg.Now}
	}
	if cfg.Throttle == nil {
		cfg.Throttle = access.NewThrottle()
	}
	s := &server{Config: cfg}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return err
	}
	if s.templates, s.phone, err = loadTemplates(); err != nil {
		return err
	}
	for _, r := range s.routes() {
		app.Add(r.method, r.path, s.guard(r), s.handle(r))
		if r.method == fiber.MethodGet {
			// Uptime checks and link previews ask with HEAD.
			app.Add(fiber.MethodHead, r.path, s.guard(r), s.handle(r))
		}
	}
	return nil
}
