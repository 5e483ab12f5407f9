package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"samspil/access"
	"samspil/storage"
)

// addUser is `samspil users add EMAIL --role ROLE [--partnership ID]...`:
// it makes a staff account and prints a one-time link to set its password.
func addUser(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var role string
	var partnerships []string
	extra := func(fs *flag.FlagSet) {
		fs.StringVar(&role, "role", "", "admin, backbone or evaluator")
		fs.Func("partnership", "a partnership a backbone account runs (repeat for several)", func(v string) error {
			partnerships = append(partnerships, v)
			return nil
		})
	}
	cfg, err := parseConfigWith(args, getenv, stderr, extra)
	if err != nil {
		return err
	}
	if len(cfg.args) != 1 {
		return errors.New("usage: samspil users add EMAIL --role admin|backbone|evaluator [--partnership ID]")
	}
	u, field, msg := access.NewUser(cfg.args[0], access.Role(role), partnerships, "command line", time.Now())
	if msg != "" {
		return fmt.Errorf("%s: %s", field, map[string]string{"invalid_email": "not an e-mail address",
			"invalid_role":               "--role must be admin, backbone or evaluator",
			"backbone_needs_partnership": "a backbone account needs --partnership ID"}[msg])
	}
	store, _, closeStore, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return fmt.Errorf("%w (on the embedded store, stop the server first)", err)
	}
	defer closeStore()
	for _, pid := range u.Partnerships {
		if _, err := store.Partnership(ctx, pid); err != nil {
			return fmt.Errorf("partnership %s: %w", pid, err)
		}
	}
	created, err := store.CreateUser(ctx, u)
	if err != nil {
		return err
	}
	if !created {
		// An existing account gets a new link: that is how a forgotten
		// password is reset from the command line. Its sessions end.
		asked := u.Role
		if u, _, err = store.User(ctx, u.Email); err != nil {
			return err
		}
		if u.Disabled {
			return fmt.Errorf("%s is disabled; an admin enables it on the console's staff page first", u.Email)
		}
		if err := store.EndSessions(ctx, u.Email); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%s already has an account (%s); here is a new link to set its password.\n", u.Email, u.Role)
		if asked != u.Role {
			fmt.Fprintf(stderr, "Its role stays %s: an admin changes roles on the console's staff page.\n", u.Role)
		}
	}
	link, err := setupLink(ctx, store, u.Email, baseURL(cfg, ""))
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Open this link within 24 hours to choose a password for %s. It works once:\n", u.Email)
	fmt.Fprintln(stdout, link)
	return nil
}

// setupLink stores a new set-password link for an account ("" for the
// first admin, who types their own address) and returns its URL.
func setupLink(ctx context.Context, store *storage.Store, email, base string) (string, error) {
	l, token := access.NewSetupLink(email, time.Now())
	if err := store.CreateSetupLink(ctx, l); err != nil {
		return "", err
	}
	return base + "/setup/" + token, nil
}

// baseURL is where links point: the public URL, else the listen address
// on this machine.
func baseURL(cfg config, listening string) string {
	if cfg.publicURL != "" {
		return strings.TrimSuffix(cfg.publicURL, "/")
	}
	addr := cfg.addr
	if listening != "" {
		addr = listening
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		port = "8080"
	}
	return "http://localhost:" + port
}

// welcome prints, on a first start with no staff account, one plain block
// (not a log line) with the address and a link that creates the first
// admin, and the admin API key when one was just made.
func welcome(ctx context.Context, store *storage.Store, cfg config, listening, apiKey string, stderr io.Writer) error {
	has, err := store.HasUsers(ctx)
	if err != nil || (has && apiKey == "") {
		return err
	}
	base := baseURL(cfg, listening)
	var b strings.Builder
	fmt.Fprintf(&b, "\n  Samspil is running at %s\n", base)
	if !has {
		link, err := setupLink(ctx, store, "", base)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n  Nobody can sign in yet. Open this link to create the first admin\n"+
			"  (it works once, for 24 hours; a restart makes a new one):\n\n  %s\n", link)
	}
	if apiKey != "" {
		fmt.Fprintf(&b, "\n  For scripts, an admin API key, shown only this once\n"+
			"  (use it as \"Authorization: Bearer <key>\"; set SAMSPIL_ADMIN_KEY to choose your own):\n\n  %s\n", apiKey)
	}
	fmt.Fprintln(stderr, b.String())
	return nil
}
