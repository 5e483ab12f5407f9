package web

import (
	"crypto/sha256"
	"encoding/base32"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"bytes"
	"fmt"
	"net/url"

	"github.com/google/uuid"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/i18n"
	"samspil/partnership"
)

// page is what every console template renders: the frame (language,
// navigation, the person signed in) and the page's own Data.
type page struct {
	Lang, Title string
	CSS, JS     string
	CSRF        string
	User        *access.User
	// Partnership is the partnership the page is about, for the
	// navigation; Section names the current item in it.
	Partnership *partnership.Partnership
	Section     string
	// Flash says that an action just succeeded.
	Flash string
	// Errors are the problems of the form just posted, for the summary;
	// fields show their own through Error.
	Errors []fieldProblem
	// Other is the other console language and the link to this page in it.
	Other, OtherURL string
	// Once names what a create form makes, so that posting it twice
	// makes one thing; a form that comes back keeps its token.
	Once string
	Data any
	// Public marks a page for someone without an account, such as a
	// partner's results: no way into the console from it.
	Public bool
	msgs   *i18n.Messages
}

// fieldProblem is one problem with a posted form, at its field.
type fieldProblem struct {
	Field, Label, Message string
}

// T returns a console message in the page's language; args are pairs of
// names and values to fill in.
func (p *page) T(id string, args ...any) string {
	var data map[string]any
	if len(args) > 1 {
		data = map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	return p.msgs.Text(p.Lang, id, data)
}

// Error is the message for a field, if the form just posted had one.
func (p *page) Error(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// ErrorIn reports whether the form just posted had a problem in a field
// whose name starts with prefix, such as one element's in the theory
// editor: its part is shown open.
func (p *page) ErrorIn(prefix string) bool {
	for _, e := range p.Errors {
		if strings.HasPrefix(e.Field, prefix) {
			return true
		}
	}
	return false
}

// Can reports whether the person may manage the page's partnership.
func (p *page) Can() bool {
	if p.User == nil {
		return false
	}
	pid := ""
	if p.Partnership != nil {
		pid = p.Partnership.ID
	}
	return access.Managers.Allows(p.User.Principal(), pid)
}

// LongDate writes a day as people write it in a letter: 15. december
// 2026, or 15 December 2026.
func (p *page) LongDate(t time.Time) string { return phoneDate(p.Lang, t) }

// SectorName is a sector in the page's language, or as written when it is
// not a sector.
func (p *page) SectorName(sec partnership.Sector) string {
	if slices.Contains(partnership.Sectors, sec) {
		return p.T("sector_" + string(sec))
	}
	return string(sec)
}

// IsAdmin reports whether the person is an admin.
func (p *page) IsAdmin() bool { return p.User != nil && p.User.Role == access.RoleAdmin }

// flashes are the success messages a redirect may ask for with ?done=.
var flashes = map[string]bool{"saved": true, "partner_added": true, "partners_imported": true, "activity_added": true,
	"wave_opened": true, "wave_dates": true, "staff_changed": true, "signed_out_others": true, "partnership_created": true,
	"password_set": true, "wave_closed": true, "password_changed": true, "reminders_saved": true, "reminders_queued": true,
	"mail_queued": true, "theory_started": true, "theory_saved": true}

// page starts a page with the frame filled in.
func (s *server) page(c *fiber.Ctx, r *request, title string) *page {
	p := &page{Lang: r.Lang, CSS: s.assets.url["console.css"], JS: s.assets.url["console.js"], CSRF: r.CSRF,
		User: r.User, msgs: s.Messages}
	p.Title = p.T(title)
	if done := c.Query("done"); flashes[done] {
		p.Flash = p.T("done_" + done)
	}
	p.Once = c.FormValue("_once")
	if _, err := uuid.Parse(p.Once); err != nil {
		p.Once = uuid.NewString()
	}
	p.Other = "en"
	if r.Lang == "en" {
		p.Other = "da"
	}
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	q.Del("done")
	q.Set("lang", p.Other)
	p.OtherURL = c.Path() + "?" + q.Encode()
	return p
}

// onceID is the id of what a create form makes: derived from the form's
// once-token within scope, so a double submit names the same thing and
// the second post finds it made.
func onceID(c *fiber.Ctx, prefix, scope string) string {
	once := c.FormValue("_once")
	if _, err := uuid.Parse(once); err != nil {
		return partnership.NewID(prefix)
	}
	sum := sha256.Sum256([]byte(scope + ":" + once))
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10]))
}

// problem adds a problem with a field, by message id.
func (p *page) problem(field, label, msg string, args ...any) {
	p.Errors = append(p.Errors, fieldProblem{Field: field, Label: p.T(label), Message: p.T(msg, args...)})
}

// domainMessage is a domain problem's message in the page's language.
func (p *page) domainMessage(pr partnership.Problem) string {
	msg := pr.Code
	if msg == "required" {
		msg = "missing_field"
	}
	var args []any
	for k, v := range pr.Params {
		args = append(args, k, v)
	}
	return p.T(msg, args...)
}

// domainProblems adds the problems a domain check found.
func (p *page) domainProblems(ps []partnership.Problem) {
	for _, pr := range ps {
		// partners[2] is a problem with the partners field.
		field, _, _ := strings.Cut(pr.Field, "[")
		p.Errors = append(p.Errors, fieldProblem{Field: field, Label: p.T("field_" + field), Message: p.domainMessage(pr)})
	}
}

// render executes a template and sends it as HTML.
func (s *server) render(c *fiber.Ctx, status int, name string, p *page) error {
	var b bytes.Buffer
	if err := s.templates.ExecuteTemplate(&b, name, p); err != nil {
		s.Logger.Error("render console page", "template", name, "err", err)
		return c.Status(fiber.StatusInternalServerError).SendString("internal error")
	}
	c.Set(fiber.HeaderContentLanguage, p.Lang)
	c.Type("html", "utf-8")
	return c.Status(status).Send(b.Bytes())
}

// back redirects after a successful post, so a reload does not post again.
func back(c *fiber.Ctx, path, done string) error {
	if done != "" {
		path += "?done=" + done
	}
	return c.Redirect(path, fiber.StatusSeeOther)
}

// input is one labelled form field as the "input" template draws it,
// with its problem if the form just posted had one.
type input struct {
	Name, Label, Type, Value, Error, Help, Auto string
	Required                                    bool
}

// In describes a text field for the "input" template: its name, the
// message id of its label, its type and value.
func (p *page) In(name, label, typ string, value any) input {
	return input{Name: name, Label: p.T(label), Type: typ, Value: fmt.Sprint(value), Error: p.Error(name)}
}

// option is one choice of a select.
type option struct{ Value, Label string }

// selectField is a labelled select for the "sector" template.
type selectField struct {
	Label, Value, Error string
	Options             []option
}

// Sectors describes the sector select with value chosen.
func (p *page) Sectors(value any) selectField {
	f := selectField{Label: p.T("field_sector"), Value: fmt.Sprint(value), Error: p.Error("sector")}
	for _, sec := range partnership.Sectors {
		f.Options = append(f.Options, option{string(sec), p.T("sector_" + string(sec))})
	}
	return f
}

// Number writes a figure with one decimal as the page's language does: a
// decimal comma in Danish.
func (p *page) Number(x float64) string { return p.decimals(x, 1) }

// decimals writes a figure with n decimals as the page's language does,
// with a minus sign rather than a hyphen.
func (p *page) decimals(x float64, n int) string {
	out := strconv.FormatFloat(math.Abs(x), 'f', n, 64)
	if x < 0 && strings.Trim(out, "0.") != "" {
		out = "−" + out
	}
	if p.Lang == "da" {
		out = strings.Replace(out, ".", ",", 1)
	}
	return out
}

// Signed writes a difference with its sign: +0,4 or −0,4.
func (p *page) Signed(x float64) string {
	if x > -0.05 {
		return "+" + p.Number(x)
	}
	return p.Number(x)
}

// Month names a month as people write it: juni 2026, or June 2026.
func (p *page) Month(t time.Time) string {
	return i18n.Month(p.Lang, t)
}
