// Package api translates HTTP to calls on Samspil's domain and back: JSON
// in, JSON out, in the language each person asked for.
package api

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/prometheus/client_golang/prometheus"

	"samspil/access"
	"samspil/erasure"
	"samspil/forms"
	"samspil/i18n"
	"samspil/indicators"
	"samspil/intake"
	"samspil/outbox"
)

// Store is what the API needs from storage.
type Store interface {
	Pinger
	ResponseStore
	KeyStore
	FormStore
	PartnershipStore
	ExportStore
	indicators.Store
	erasure.Store
	ReplayStore
	TheoryStore
}

// FormStore keeps published form versions.
type FormStore interface {
	SaveForm(ctx context.Context, f *forms.Form, now time.Time) (stored *forms.Form, created bool, err error)
	Forms(ctx context.Context) ([]*forms.Form, error)
}

// Pinger tells whether the store answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// ResponseStore keeps responses and their running totals.
type ResponseStore interface {
	SaveResponse(ctx context.Context, r forms.Response, counts []forms.Count) (stored forms.Response, created bool, err error)
	NoteText(ctx context.Context, day, partnership, response string) error
}

// KeyStore keeps API keys.
type KeyStore interface {
	SaveKey(ctx context.Context, k access.Key) error
	Key(ctx context.Context, hash string) (access.Key, bool, error)
	Keys(ctx context.Context) ([]access.Key, error)
	RevokeKey(ctx context.Context, id string, now time.Time) (bool, error)
}

// Config holds what the API is built from.
type Config struct {
	Forms    *forms.Catalog
	Messages *i18n.Messages
	Store    Store
	Logger   *slog.Logger
	// Registry receives the API's metrics; main serves it on an address
	// of its own, off the public one.
	Registry *prometheus.Registry
	// Now tells the time; tests set it.
	Now func() time.Time
	// Indicators, when set, is the indicators service to serve figures
	// from, shared with the background release; New makes one otherwise.
	Indicators *indicators.Service
	// Intake, when set, is the service responses are stored through,
	// shared with the HTML pages; New makes one otherwise.
	Intake *intake.Service
	// PublicURL is the address links and QR codes point to, such as
	// https://samspil.example.dk; empty uses the address of each request.
	PublicURL string
	// TrustedProxies are the addresses (IPs or CIDRs) of the reverse
	// proxies in front of the server. Only their X-Forwarded-For and
	// X-Forwarded-Proto are believed: the client address that sign-in
	// throttling counts, and whether cookies must be Secure.
	TrustedProxies []string
	// Limits are the abuse limits; nil takes the defaults.
	Limits *access.Limits
	// Outbox makes partners' links and queues their mail; nil makes one
	// that sends none, over Store.
	Outbox *outbox.Service
}

// server carries the dependencies that handlers and middleware share.
type server struct {
	Config
	metrics *metrics
	// indicators is the one path to a published figure.
	indicators *indicators.Service
	// intake is the one path to a stored response.
	intake *intake.Service
}

// New builds the HTTP application with every route registered.
func New(cfg Config) (*fiber.App, error) {
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
			return nil, errors.New("api: Config.Outbox is needed with a store that keeps no outbox")
		}
		cfg.Outbox = &outbox.Service{Store: st, Now: cfg.Now}
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s := &server{Config: cfg}
	s.indicators = cfg.Indicators
	if s.indicators == nil {
		s.indicators = indicators.New(cfg.Store, cfg.Store, catalogFinder{s}, cfg.Now)
	}
	s.intake = cfg.Intake
	if s.intake == nil {
		s.intake = intake.New(cfg.Store, catalogFinder{s}, cfg.Now)
	}
	s.metrics = newMetrics(cfg.Registry, s.intake)
	app := fiber.New(fiber.Config{
		AppName:               "samspil",
		BodyLimit:             pageBodyLimit,
		ReadTimeout:           10 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second,
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		// Fiber reuses request memory once a handler returns; copying
		// strings keeps values that outlive the handler intact.
		Immutable:               true,
		EnableTrustedProxyCheck: true,
		TrustedProxies:          cfg.TrustedProxies,
		ProxyHeader:             fiber.HeaderXForwardedFor,
	})
	app.Use(requestid.New())
	app.Use(s.observe)
	app.Use(compress.New())
	app.Use(helmet.New(helmet.Config{
		// Pages load only their own CSS and script: no inline script, no
		// third parties, never inside a frame.
		ContentSecurityPolicy: "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		ReferrerPolicy:        "no-referrer",
		PermissionPolicy:      "camera=(), microphone=(), geolocation=(), interest-cohort=()",
	}))
	if strings.HasPrefix(cfg.PublicURL, "https://") {
		// Served as HTTPS behind a proxy that terminates TLS: browsers
		// should never try plain HTTP again.
		app.Use(func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000")
			return c.Next()
		})
	}
	app.Use(recover.New(recover.Config{
		EnableStackTrace: true,
		StackTraceHandler: func(c *fiber.Ctx, p any) {
			s.Logger.Error("handler panicked", "request_id", requestID(c), "panic", p)
		},
	}))
	for _, r := range s.routes() {
		handlers := []fiber.Handler{s.authorize(r.path, r.rule), r.handler}
		if r.method == fiber.MethodPost && !r.rule.Public {
			// Creates may be retried safely with an Idempotency-Key.
			handlers = []fiber.Handler{handlers[0], s.idempotent(s.Store), r.handler}
		}
		app.Add(r.method, r.path, handlers...)
	}
	return app, nil
}

// catalogFinder finds form versions for the indicators service, loading
// published ones from the store when the catalog lacks them.
type catalogFinder struct{ s *server }

func (f catalogFinder) Form(ctx context.Context, id string, version int) (*forms.Form, error) {
	return f.s.form(ctx, f.s.Store, id, version)
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals("requestid").(string)
	return id
}

// language picks the interface language for a request's messages: one the
// handler settled on, else ?lang= and Accept-Language.
func (s *server) language(c *fiber.Ctx) string {
	if lang, ok := c.Locals(langKey).(string); ok {
		return lang
	}
	return i18n.Negotiate(s.Messages.Languages(), c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
}

// langKey holds the language a handler chose for its replies.
const langKey = "lang"
