package web

import (
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
)

type loginView struct {
	Email, Next string
	// Failed is the message the summary shows for a refused sign-in.
	Failed string
}

func (s *server) loginPage(c *fiber.Ctx, r *request) error {
	if r.User != nil {
		return c.Redirect("/console", http.StatusSeeOther)
	}
	p := s.page(c, r, "login_title")
	if c.Query("done") == "signed_out" {
		p.Flash = p.T("done_signed_out")
	}
	p.Data = loginView{Next: safeNext(c.Query("next"))}
	return s.render(c, http.StatusOK, "login.html", p)
}

// login checks an e-mail address and password. An unknown address, a
// wrong password and a disabled account get the same answer in the same
// time, so nobody learns which addresses have accounts.
func (s *server) login(c *fiber.Ctx, r *request) error {
	ctx, now := c.UserContext(), s.Now()
	email, password := access.NormalEmail(c.FormValue("email")), c.FormValue("password")
	view := loginView{Email: email, Next: safeNext(c.FormValue("next"))}
	again := func(status int, msg string, args ...any) error {
		p := s.page(c, r, "login_title")
		view.Failed = p.T(msg, args...)
		p.Errors = []fieldProblem{{Field: "email", Label: p.T("field_email"), Message: view.Failed}}
		p.Data = view
		return s.render(c, status, "login.html", p)
	}
	wait, succeeded := s.Throttle.Attempt(email, c.IP(), now)
	if wait > 0 {
		c.Set(fiber.HeaderRetryAfter, itoa(int(math.Ceil(wait.Seconds()))))
		return again(http.StatusTooManyRequests, "login_throttled", "Minutes", int(math.Ceil(wait.Minutes())))
	}
	u, found, err := s.Store.User(ctx, email)
	if err != nil {
		return err
	}
	if !found || u.Disabled || u.PasswordHash == "" {
		access.DummyCheck(password)
		return again(http.StatusUnauthorized, "login_failed")
	}
	if !access.CheckPassword(u.PasswordHash, password) {
		return again(http.StatusUnauthorized, "login_failed")
	}
	succeeded()
	if err := s.startSession(c, u.Email); err != nil {
		return err
	}
	next := view.Next
	if next == "" {
		next = "/console"
	}
	return c.Redirect(next, http.StatusSeeOther)
}

// startSession signs the browser in with a fresh session token.
func (s *server) startSession(c *fiber.Ctx, email string) error {
	ses, token := access.NewSession(email, s.Now())
	if err := s.Store.CreateSession(c.UserContext(), ses); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: secure(c), Expires: ses.CreatedAt.Add(access.MaxSessionAge)})
	return nil
}

func (s *server) logout(c *fiber.Ctx, r *request) error {
	if err := s.Store.EndSession(c.UserContext(), r.session); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: secure(c), Expires: time.Unix(0, 0)})
	return c.Redirect("/login?done=signed_out&lang="+r.Lang, http.StatusSeeOther)
}

// safeNext keeps a return address only when it is a console page here,
// so a crafted sign-in link cannot send anyone elsewhere.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return ""
}

type setupView struct {
	Email string
	Token string
	// First says the link creates the first admin, who types their own
	// address.
	First bool
}

// setupLink finds a usable set-password link, or says why there is none.
func (s *server) setupLink(c *fiber.Ctx) (access.SetupLink, error) {
	l, ok, err := s.Store.SetupLink(c.UserContext(), access.Hash(c.Params("token")))
	if err != nil {
		return l, err
	}
	if !ok || !l.Usable(s.Now()) {
		return l, &pageError{status: http.StatusGone, msg: "setup_gone"}
	}
	if l.User == "" {
		// The first start's link makes the first admin, and only that.
		has, err := s.Store.HasUsers(c.UserContext())
		if err != nil {
			return l, err
		}
		if has {
			return l, &pageError{status: http.StatusGone, msg: "setup_gone"}
		}
	}
	return l, nil
}

func (s *server) setupPage(c *fiber.Ctx, r *request) error {
	l, err := s.setupLink(c)
	if err != nil {
		return err
	}
	p := s.page(c, r, "setup_title")
	if l.User == "" {
		p.Title = p.T("setup_first_title")
	}
	p.Data = setupView{Email: l.User, Token: c.Params("token"), First: l.User == ""}
	return s.render(c, http.StatusOK, "setup.html", p)
}

// setup sets a password through a one-time link, ends every earlier
// session of the account and signs this browser in.
func (s *server) setup(c *fiber.Ctx, r *request) error {
	ctx := c.UserContext()
	l, err := s.setupLink(c)
	if err != nil {
		return err
	}
	password := c.FormValue("password")
	p := s.page(c, r, "setup_title")
	view := setupView{Email: l.User, Token: c.Params("token"), First: l.User == ""}
	var first access.User
	if view.First {
		// The first admin's link names no account: the person types it.
		p.Title = p.T("setup_first_title")
		var field, msg string
		first, field, msg = access.NewUser(c.FormValue("email"), access.RoleAdmin, nil, "first start", s.Now())
		view.Email = first.Email
		if msg != "" {
			p.problem(field, "field_"+field, msg)
		}
	}
	if msg := access.PasswordProblem(password, view.Email); msg != "" {
		p.problem("password", "field_new_password", msg, "Min", access.MinPasswordLength)
	} else if c.FormValue("repeat") != password {
		p.problem("repeat", "field_repeat_password", "password_mismatch")
	}
	if len(p.Errors) > 0 {
		p.Data = view
		return s.render(c, http.StatusUnprocessableEntity, "setup.html", p)
	}
	// The link is claimed before anything is made with it: of two posts
	// at once, one goes on.
	if used, err := s.Store.UseSetupLink(ctx, l.Hash, s.Now()); err != nil {
		return err
	} else if !used {
		return &pageError{status: http.StatusGone, msg: "setup_gone"}
	}
	if view.First {
		first.PasswordHash = access.HashPassword(password)
		created, err := s.Store.CreateUser(ctx, first)
		if err != nil {
			return err
		}
		if !created {
			return &pageError{status: http.StatusGone, msg: "setup_gone"}
		}
	}
	u, ok, err := s.Store.User(ctx, view.Email)
	if err != nil {
		return err
	}
	if !ok || u.Disabled {
		return &pageError{status: http.StatusGone, msg: "setup_gone"}
	}
	if !view.First {
		if err := s.Store.SetPassword(ctx, u.Email, access.HashPassword(password)); err != nil {
			return err
		}
	}
	if err := s.Store.EndSessions(ctx, u.Email); err != nil {
		return err
	}
	if err := s.audit(c, &request{Principal: u.Principal()}, "user.password_set", "", u.Email); err != nil {
		return err
	}
	if err := s.startSession(c, u.Email); err != nil {
		return err
	}
	return back(c, "/console", "password_set")
}
