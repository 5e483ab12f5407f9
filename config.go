package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"

	"samspil/access"
	"samspil/mail"
)

// config is the program's settings, from flags and the environment (a
// flag wins).
type config struct {
	addr      string
	dataDir   string
	mongoURI  string
	adminKey  string
	publicURL string
	// metricsAddr serves /metrics, off the public address; empty serves
	// none.
	metricsAddr string
	// limits are the abuse limits, as "N/duration" or "off".
	limitSubmissions, limitGuesses, limitAuth string
	// controller is the data controller the privacy notice names.
	controller string
	// followUpSecret hashes follow-up codes; empty uses the data folder's
	// key file.
	followUpSecret string
	// sealSecret seals the links a reminder carries again; empty uses the
	// data folder's key file.
	sealSecret string
	// smtp is where mail goes; nil sends none.
	smtp *mail.Config
	// trustedProxies are the reverse proxies whose forwarded headers count.
	trustedProxies []string
	// args are what follows the flags, such as form ids.
	args []string
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	return parseConfigWith(args, getenv, stderr, nil)
}

// parseConfigWith parses the common flags and those extra adds. Flags and
// other arguments may come in any order.
func parseConfigWith(args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (config, error) {
	env := func(name, fallback string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return fallback
	}
	var cfg config
	fs := flag.NewFlagSet("samspil", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.addr, "addr", env("SAMSPIL_ADDR", ":8080"), "listen address (SAMSPIL_ADDR)")
	fs.StringVar(&cfg.dataDir, "data", env("SAMSPIL_DATA", "./data"), "embedded store folder (SAMSPIL_DATA)")
	fs.StringVar(&cfg.mongoURI, "mongo-uri", env("SAMSPIL_MONGO_URI", ""), "MongoDB URI; empty runs the embedded store (SAMSPIL_MONGO_URI)")
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", env("SAMSPIL_METRICS_ADDR", "127.0.0.1:9464"), "listen address of /metrics (Prometheus), off the public address; empty serves none (SAMSPIL_METRICS_ADDR)")
	fs.StringVar(&cfg.limitSubmissions, "limit-submissions", env("SAMSPIL_LIMIT_SUBMISSIONS", access.DefaultSubmissions), "responses one client address may send, as count/duration, or off (SAMSPIL_LIMIT_SUBMISSIONS)")
	fs.StringVar(&cfg.limitGuesses, "limit-guesses", env("SAMSPIL_LIMIT_GUESSES", access.DefaultGuesses), "invitation links and follow-up codes that open nothing, per client address (SAMSPIL_LIMIT_GUESSES)")
	fs.StringVar(&cfg.limitAuth, "limit-auth", env("SAMSPIL_LIMIT_AUTH", access.DefaultAuth), "wrong API keys per client address and per key prefix (SAMSPIL_LIMIT_AUTH)")
	fs.StringVar(&cfg.controller, "controller", env("SAMSPIL_CONTROLLER", ""), "the data controller the privacy notice names: who, address, e-mail; a partnership may name its own (SAMSPIL_CONTROLLER)")
	fs.StringVar(&cfg.publicURL, "public-url", env("SAMSPIL_PUBLIC_URL", ""), "address links and QR codes point to, such as https://samspil.example.dk (SAMSPIL_PUBLIC_URL)")
	fs.Func("trusted-proxies", "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto count (SAMSPIL_TRUSTED_PROXIES)", func(v string) error {
		cfg.trustedProxies = splitList(v)
		return checkAddresses(cfg.trustedProxies)
	})
	cfg.trustedProxies = splitList(getenv("SAMSPIL_TRUSTED_PROXIES"))
	if err := checkAddresses(cfg.trustedProxies); err != nil {
		return config{}, fmt.Errorf("SAMSPIL_TRUSTED_PROXIES: %w", err)
	}
	cfg.adminKey = getenv("SAMSPIL_ADMIN_KEY")
	cfg.followUpSecret = getenv("SAMSPIL_FOLLOWUP_SECRET")
	cfg.sealSecret = getenv("SAMSPIL_SEAL_SECRET")
	// From the environment only: the URL holds the server's password,
	// which a command line shows to every user of the machine.
	if u := getenv("SAMSPIL_SMTP_URL"); u != "" {
		m, err := mail.ParseURL(u, getenv("SAMSPIL_MAIL_FROM"))
		if err != nil {
			return config{}, err
		}
		cfg.smtp = &m
	}
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if _, err := access.NewLimits(cfg.limitSubmissions, cfg.limitGuesses, cfg.limitAuth); err != nil {
		return config{}, err
	}
	if cfg.smtp != nil && cfg.smtp.TLS != mail.Plain && cfg.publicURL == "" {
		// A real mail server sends to partners elsewhere: a link to this
		// machine's own name would reach nobody.
		return config{}, errors.New("SAMSPIL_SMTP_URL needs -public-url (SAMSPIL_PUBLIC_URL): the address links in mails point to")
	}
	cfg.args = fs.Args()
	if extra == nil {
		return cfg, nil
	}
	// Commands with their own flags take them after their arguments too.
	var positional []string
	for fs.NArg() > 0 {
		positional = append(positional, fs.Arg(0))
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return config{}, err
		}
	}
	cfg.args = positional
	return cfg, nil
}

// splitList reads a comma-separated list, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// checkAddresses refuses anything that is not an IP address or a CIDR.
func checkAddresses(list []string) error {
	for _, a := range list {
		if _, _, err := net.ParseCIDR(a); err != nil && net.ParseIP(a) == nil {
			return fmt.Errorf("%q is not an IP address or CIDR", a)
		}
	}
	return nil
}
