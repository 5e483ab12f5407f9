package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/i18n"
	"samspil/partnership"
)

// request is what a handler knows about who is asking.
type request struct {
	// User is the signed-in staff member; nil on the sign-in pages.
	User      *access.User
	Principal access.Principal
	Lang      string
	// CSRF is the token this person's forms carry.
	CSRF string
	// session is the hash of the session's token.
	session string
}

// handler serves one page or form action.
type handler func(c *fiber.Ctx, r *request) error

// sessionCookie holds a signed-in browser's session token.
const sessionCookie = "samspil_session"

// anonCSRFCookie holds the double-submit token of the sign-in forms.
const anonCSRFCookie = "samspil_signin"

// touchEvery bounds how often a session's last use is written: once a
// minute is exact enough for an 8-hour idle timeout.
const touchEvery = time.Minute

// Console languages: Danish first, English beside it.
var consoleLanguages = []string{"da", "en"}

// guard resolves the session, enforces the route's rule and, on a post,
// the form's CSRF token, before the handler runs.
func (s *server) guard(rt route) fiber.Handler {
	return func(c *fiber.Ctx) error {
		// The route template labels the request's metrics and log line.
		c.Locals("route", rt.path)
		if rt.phone {
			// Citizens and partners have no session: their pages keep
			// their own CSRF cookie and pick the form's language.
			c.Locals(requestKey, &request{})
			return c.Next()
		}
		r := &request{}
		ses, user, err := s.signedIn(c)
		if err != nil {
			return s.fail(c, r, err)
		}
		if user != nil {
			r.User, r.Principal, r.session = user, user.Principal(), ses.Hash
			r.CSRF = access.CSRF(c.Cookies(sessionCookie))
		}
		r.Lang = s.language(c, user)
		if !rt.rule.Public {
			if user == nil {
				if c.Method() == fiber.MethodGet {
					return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), http.StatusSeeOther)
				}
				return s.fail(c, r, errSignedOut)
			}
			if !rt.rule.Allows(r.Principal, c.Params("pid")) {
				return s.fail(c, r, errForbidden)
			}
		}
		if r.User == nil {
			r.CSRF = s.anonCSRF(c)
		}
		if c.Method() == fiber.MethodPost && subtle.ConstantTimeCompare([]byte(c.FormValue("_csrf")), []byte(r.CSRF)) != 1 {
			return s.fail(c, r, errCSRF)
		}
		c.Locals(requestKey, r)
		return c.Next()
	}
}

const requestKey = "web_request"

// handle runs a route's handler and turns whatever error it ends with
// into a page.
func (s *server) handle(rt route) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r, _ := c.Locals(requestKey).(*request)
		c.Set(fiber.HeaderCacheControl, "no-store")
		err := rt.handler(c, r)
		switch {
		case err == nil:
			return nil
		case rt.phone:
			return s.phoneFail(c, err)
		default:
			return s.fail(c, r, err)
		}
	}
}

// signedIn finds the browser's session and its user, ending a session
// that expired or whose account was disabled.
func (s *server) signedIn(c *fiber.Ctx) (access.Session, *access.User, error) {
	token := c.Cookies(sessionCookie)
	if token == "" {
		return access.Session{}, nil, nil
	}
	ctx, now := c.UserContext(), s.Now()
	ses, ok, err := s.Store.Session(ctx, access.Hash(token))
	if err != nil || !ok {
		return access.Session{}, nil, err
	}
	u, ok, err := s.Store.User(ctx, ses.User)
	if err != nil {
		return access.Session{}, nil, err
	}
	if !ok || u.Disabled || ses.Expired(now) {
		return access.Session{}, nil, s.Store.EndSession(ctx, ses.Hash)
	}
	if now.Sub(ses.SeenAt) >= touchEvery {
		if err := s.Store.TouchSession(ctx, ses.Hash, now); err != nil {
			return access.Session{}, nil, err
		}
	}
	return ses, &u, nil
}

// langCookie keeps the language last chosen with ?lang= (the language
// link in the header), so the choice holds on the next page.
const langCookie = "samspil_lang"

// language is the person's console language: ?lang=, else the language
// last chosen in this browser, else the account's, else the browser's.
func (s *server) language(c *fiber.Ctx, u *access.User) string {
	choice := c.Query("lang")
	if slices.Contains(consoleLanguages, choice) {
		s.rememberLanguage(c, choice)
	} else {
		choice = c.Cookies(langCookie)
	}
	if choice == "" && u != nil {
		choice = u.Lang
	}
	return i18n.Negotiate(consoleLanguages, choice, c.Get(fiber.HeaderAcceptLanguage))
}

func (s *server) rememberLanguage(c *fiber.Ctx, lang string) {
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: lang, Path: "/", SameSite: "Lax", Secure: secure(c),
		Expires: s.Now().Add(365 * 24 * time.Hour)})
}

// anonCSRF is the double-submit token of the sign-in and set-password
// forms, which are posted before any session exists.
func (s *server) anonCSRF(c *fiber.Ctx) string { return s.doubleSubmit(c, anonCSRFCookie) }

// doubleSubmit is the token a form without a session carries, kept in
// the named cookie: the cookie's token when it has a good one, else a new
// one set for a day. It needs no server-side state, so a restart or a
// second instance never turns a form away.
func (s *server) doubleSubmit(c *fiber.Ctx, cookie string) string {
	if t := c.Cookies(cookie); len(t) == 32 {
		if _, err := hex.DecodeString(t); err == nil {
			return t
		}
	}
	b := make([]byte, 16)
	rand.Read(b)
	t := hex.EncodeToString(b)
	c.Cookie(&fiber.Cookie{Name: cookie, Value: t, Path: "/", HTTPOnly: true, SameSite: "Strict",
		Secure: secure(c), Expires: s.Now().Add(24 * time.Hour)})
	return t
}

// secure reports whether cookies must be Secure: the request came over
// HTTPS, directly or through a proxy that says so.
func secure(c *fiber.Ctx) bool {
	return c.Protocol() == "https"
}

// Errors a handler may end with; anything else is a 500, logged.
var (
	errSignedOut = &pageError{status: http.StatusUnauthorized, msg: "page_signed_out"}
	errForbidden = &pageError{status: http.StatusForbidden, msg: "page_forbidden"}
	errCSRF      = &pageError{status: http.StatusForbidden, msg: "page_csrf"}
	errNotFound  = &pageError{status: http.StatusNotFound, msg: "page_not_found"}
)

// routeOf is the template of the route a request matched, for logs: the
// path itself may hold a set-password or invitation token.
func routeOf(c *fiber.Ctx) string {
	r, _ := c.Locals("route").(string)
	return r
}

// pageError is an error shown to the person as a page.
type pageError struct {
	status int
	msg    string
}

func (e *pageError) Error() string { return e.msg }

// fail renders an error page.
func (s *server) fail(c *fiber.Ctx, r *request, err error) error {
	if r == nil {
		r = &request{Lang: s.language(c, nil)}
	}
	var pe *pageError
	switch {
	case errors.As(err, &pe):
	case errors.Is(err, partnership.ErrNotFound):
		pe = errNotFound
	default:
		// Handlers check what people send and return errors of their
		// own for it; what is left comes from the store not answering.
		s.Logger.Error("console page failed", "route", routeOf(c), "err", err)
		c.Set(fiber.HeaderRetryAfter, "60")
		pe = &pageError{status: http.StatusServiceUnavailable, msg: "page_unavailable"}
	}
	p := s.page(c, r, pe.msg)
	p.Data = errorView{Message: p.T(pe.msg + "_body"), SignIn: pe == errSignedOut}
	return s.render(c, pe.status, "error.html", p)
}

type errorView struct {
	Message string
	SignIn  bool
}
