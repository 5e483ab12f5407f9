// Command samspil serves Samspil's questionnaires and stores their
// responses. With no MongoDB configured it runs its own embedded store, so
// one binary is a whole installation.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"samspil/access"
	"samspil/api"
	"samspil/followup"
	"samspil/forms"
	"samspil/i18n"
	"samspil/indicators"
	"samspil/intake"
	"samspil/retention"
	"samspil/storage"
	"samspil/web"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "samspil:", err)
		os.Exit(1)
	}
}

const usage = `usage: samspil [serve] [flags]               serve the API (the default)
       samspil healthcheck [flags]             exit 0 if the server on -addr is healthy
       samspil forms lint [FILE...]            check form definitions (no files: the built-in forms)
       samspil forms rescore [flags] [FORM...] rescore responses to FORMs with the current rules, then rebuild
       samspil rebuild-indicators [flags]      rescore every response, rebuild running totals and export pages
       samspil users add EMAIL --role ROLE [--partnership ID] [flags]
                                               make a staff account and print a one-time link to set its password
       samspil demo [flags]                    fill the store with a demo partnership (34 partners, 300 citizens)
       samspil data-inventory                  print what each collection holds, its personal data and retention
       samspil backup FILE [flags]             write a consistent copy of the embedded store, while it serves
       samspil restore FILE [flags]            put a backup in place as the store of an empty -data folder

flags (each also an environment variable; a flag wins):
`

// run is the whole program, with its surroundings passed in so that tests
// can run it like an operator would.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	command, rest := "serve", args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		command, rest = rest[0], rest[1:]
	}
	if command == "forms" {
		if len(rest) == 0 {
			fmt.Fprint(stderr, usage)
			return errors.New("forms needs lint or rescore")
		}
		command, rest = "forms "+rest[0], rest[1:]
	}
	if command == "forms lint" {
		return lintForms(rest, stdout)
	}
	if command == "data-inventory" {
		return dataInventory(stdout)
	}
	if command == "users" {
		if len(rest) == 0 || rest[0] != "add" {
			fmt.Fprint(stderr, usage)
			return errors.New("users needs add")
		}
		return addUser(ctx, rest[1:], getenv, stdout, stderr)
	}
	cfg, err := parseConfig(rest, getenv, stderr)
	if command == "backup" || command == "restore" {
		// samspil backup FILE -data DIR: flags after the file too.
		cfg, err = parseConfigWith(rest, getenv, stderr, func(*flag.FlagSet) {})
	}
	if err != nil {
		return err
	}
	switch command {
	case "serve":
		return serve(ctx, cfg, newLogger(stdout), stderr)
	case "healthcheck":
		if len(cfg.args) > 0 {
			return fmt.Errorf("unexpected arguments %q", cfg.args)
		}
		return healthcheck(ctx, cfg)
	case "forms rescore":
		return rescore(ctx, cfg, newLogger(stderr), stdout)
	case "rebuild-indicators":
		return rebuildIndicators(ctx, cfg, newLogger(stderr), stdout)
	case "demo":
		return makeDemo(ctx, cfg, newLogger(stderr), stdout)
	case "backup":
		return backupStore(ctx, cfg, stdout)
	case "restore":
		return restoreStore(ctx, cfg, stdout)
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", command)
	}
}

// newLogger writes JSON lines for log collectors, readable text on a terminal.
func newLogger(w io.Writer) *slog.Logger {
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// shutdownGrace bounds how long in-flight requests may take to finish.
const shutdownGrace = 15 * time.Second

// openStore opens the configured store and a catalog of the built-in forms
// and those published into the store. Call the returned function to close.
func openStore(ctx context.Context, cfg config, logger *slog.Logger) (*storage.Store, *forms.Catalog, func(), error) {
	catalog, err := forms.Builtin()
	if err != nil {
		return nil, nil, nil, err
	}
	store, err := storage.Open(ctx, storage.Config{URI: cfg.mongoURI, DataDir: cfg.dataDir, Logger: logger})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open store: %w", err)
	}
	closeStore := func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := store.Close(closeCtx); err != nil {
			logger.Error("close store", "err", err)
		}
	}
	published, err := store.Forms(ctx)
	if err != nil {
		closeStore()
		return nil, nil, nil, err
	}
	for _, f := range published {
		if _, err := catalog.Add(f); err != nil {
			logger.Error("published form conflicts with a built-in one; the built-in one is served", "form", f.ID, "version", f.Version)
		}
	}
	return store, catalog, closeStore, nil
}

func serve(ctx context.Context, cfg config, logger *slog.Logger, stderr io.Writer) error {
	if len(cfg.args) > 0 {
		return fmt.Errorf("unexpected arguments %q", cfg.args)
	}
	messages, err := i18n.Load()
	if err != nil {
		return err
	}
	store, catalog, closeStore, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeStore()
	newKey, err := ensureAdminKey(ctx, store, cfg.adminKey)
	if err != nil {
		return err
	}

	// One indicators service serves the figures and releases ended months
	// in the background, so the work is done once.
	finder := publishedForms{catalog, store}
	figures := indicators.New(store, store, finder, time.Now)
	// One intake service stores responses from the API and the pages.
	responses := intake.New(store, finder, time.Now)
	keys, err := followUpKeys(cfg.followUpSecret, cfg.dataDir)
	if err != nil {
		return err
	}
	followUps := followup.New(store, keys, time.Now)
	responses.FollowUps(followUps)
	seal, err := sealer(cfg.sealSecret, cfg.dataDir)
	if err != nil {
		return err
	}
	if cfg.mongoURI != "" && cfg.sealSecret == "" {
		logger.Warn("links are sealed with seal.key in the data folder; several instances on one MongoDB need the same SAMSPIL_SEAL_SECRET, or reminders cannot carry links another made")
	}
	mails := newOutbox(cfg, store, seal, catalog, messages, logger)
	publicURL := strings.TrimSuffix(cfg.publicURL, "/")
	limits, err := access.NewLimits(cfg.limitSubmissions, cfg.limitGuesses, cfg.limitAuth)
	if err != nil {
		return err
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newOutboxCollector(mails, store))
	app, err := api.New(api.Config{Forms: catalog, Messages: messages, Store: store, Logger: logger, Indicators: figures,
		Intake: responses, PublicURL: publicURL, TrustedProxies: cfg.trustedProxies, Registry: registry, Limits: limits, Outbox: mails})
	if err != nil {
		return err
	}
	if err := web.Mount(app, web.Config{Store: store, Forms: catalog, FindForm: finder, Messages: messages, Indicators: figures,
		Intake: responses, FollowUps: followUps, Limits: limits, Controller: cfg.controller, Logger: logger, PublicURL: publicURL, Outbox: mails}); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	// The first start's block names the address, so it comes once the
	// port is known and before anyone is served.
	if err := welcome(ctx, store, cfg, ln.Addr().String(), newKey, stderr); err != nil {
		ln.Close()
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	stopMetrics, err := serveMetrics(cfg.metricsAddr, registry, logger)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopMetrics()
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	releaseCtx, stopReleasing := context.WithCancel(ctx)
	released := make(chan struct{}, 3)
	go func() {
		defer func() { released <- struct{}{} }()
		releaseLoop(releaseCtx, figures, store, catalog, logger)
	}()
	go func() {
		defer func() { released <- struct{}{} }()
		retentionLoop(releaseCtx, retention.New(store, finder, time.Now), logger)
	}()
	go func() {
		defer func() { released <- struct{}{} }()
		if mails.Enabled() {
			mails.BaseURL = mailBaseURL(publicURL, ln.Addr().String(), logger)
			logger.Info("sending mail", "server", cfg.smtp.String(), "from", cfg.smtp.From.String())
			mails.Run(releaseCtx)
		}
	}()
	defer func() {
		stopReleasing()
		<-released
		<-released
		<-released
	}()
	logger.Info("serving", "addr", ln.Addr().String(), "embedded_store", store.Embedded(), "data", cfg.dataDir)

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	if err := app.ShutdownWithTimeout(shutdownGrace); err != nil {
		logger.Error("shut down http server", "err", err)
	}
	logger.Info("stopped")
	return nil
}

// publishedForms finds form versions in the catalog, and in the store for
// those another instance published since this one started.
type publishedForms struct {
	catalog *forms.Catalog
	store   *storage.Store
}

func (p publishedForms) Form(ctx context.Context, id string, version int) (*forms.Form, error) {
	if f, ok := p.catalog.Form(id, version); ok {
		return f, nil
	}
	published, err := p.store.Forms(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range published {
		_, _ = p.catalog.Add(f)
	}
	if f, ok := p.catalog.Form(id, version); ok {
		return f, nil
	}
	return nil, fmt.Errorf("form %s version %d is not published", id, version)
}

// releaseInterval is how often the background release looks for months
// that have ended.
const releaseInterval = 10 * time.Minute

// releaseLoop releases the months that have ended, at start-up and then
// every releaseInterval, until ctx ends: releasing a month of a large
// store takes a while, and nobody should wait for it on the first morning.
func releaseLoop(ctx context.Context, svc *indicators.Service, store *storage.Store, catalog *forms.Catalog, logger *slog.Logger) {
	for {
		ps, err := store.Partnerships(ctx)
		if err == nil {
			err = svc.ReleaseAll(ctx, ps, catalog.Forms())
		}
		if err != nil && ctx.Err() == nil {
			logger.Error("release the months that ended", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(releaseInterval):
		}
	}
}

// ensureAdminKey stores the configured admin key. Without one, a first
// start creates an admin API key for scripts and returns its secret, to
// be shown once.
func ensureAdminKey(ctx context.Context, store *storage.Store, secret string) (string, error) {
	if secret != "" {
		return "", store.SaveKey(ctx, access.KeyFromSecret(secret, access.RoleAdmin, time.Now()))
	}
	has, err := store.HasKey(ctx, access.RoleAdmin)
	if err != nil || has {
		return "", err
	}
	key, secret := access.NewKey(access.RoleAdmin, "", time.Now())
	if err := store.SaveKey(ctx, key); err != nil {
		return "", err
	}
	return secret, nil
}

// healthcheck asks a running server whether it is healthy. Container
// images have no curl, so the binary checks itself.
func healthcheck(ctx context.Context, cfg config) error {
	host, port, err := net.SplitHostPort(cfg.addr)
	if err != nil {
		return fmt.Errorf("parse -addr: %w", err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return errors.New("health check: " + res.Status)
	}
	return nil
}

// serveMetrics serves the Prometheus metrics on an address of their own,
// loopback by default: request counts by route and the process's memory
// are for the operator, not for anyone who can reach the forms. It
// returns a function that stops it.
func serveMetrics(addr string, reg *prometheus.Registry, logger *slog.Logger) (func(), error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serve metrics", "err", err)
		}
	}()
	logger.Info("serving metrics", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}
