package web

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"

	"samspil/forms"
	"samspil/i18n"
	"samspil/intake"
	"samspil/partnership"
)

// uiMessages are the interface texts a form page uses, looked up once per
// page so that templates stay free of logic.
var uiMessages = []string{"send", "sending", "prefer_not", "yes", "no", "errors_title", "language",
	"unreviewed_translation", "choose_any", "offline", "store_down_page", "csrf_page",
	"thanks_title", "thanks_body", "thanks_again", "answering_for", "thanks_partner"}

// page is what a form page template renders.
type phonePage struct {
	Lang, Dir  string
	Title      string
	UI         map[string]string
	CSS, JS    string
	Languages  []languageLink
	Form       forms.View
	Reviewed   bool
	Sections   []sectionBlock
	Errors     []questionError
	Banner     string
	Submission string
	CSRF       string
	Action     string
	Context    map[string]string
	// Faces says whether any question shows faces, so the page carries
	// their drawings once.
	Faces bool
	// Partner names the organisation an invitation page answers for.
	Partner string
}

type languageLink struct {
	Code, Name, URL string
	Current         bool
}

type sectionBlock struct {
	Title    string
	Progress string
	Fields   []field
}

// field is one question as the page shows it, with the person's answer.
type field struct {
	ID, Type, Text, Help string
	Required             bool
	Group                bool // a fieldset of choices rather than one input
	Choices              []choice
	LowLabel, HighLabel  string
	Value                string
	Min, Max, Step       string
	MaxLength            int
	PreferNot            bool
	PreferNotChecked     bool
	Error                string
	ShowIf               string
	Faces                bool
	// Name is the form field's name; ID, derived from it, the element's.
	Name   string
	Roster []rosterField
	UI     map[string]string
}

// rosterField is one partner a partners item offers, with the questions
// about it.
type rosterField struct {
	ID, Name, ShowIf string
	Checked          bool
	Sub              []field
}

type choice struct {
	Value, Label, Display string
	// End names the end of a scale this choice is, for its first and last.
	End     string
	Face    int
	Input   string
	Checked bool
}

// questionError is a problem with one question's answer.
type questionError struct {
	ID, Message string
}

// citizenForm finds the latest version of a citizen questionnaire.
func (s *server) citizenForm(c *fiber.Ctx) (*forms.Form, error) {
	f, ok := s.Forms.Form(c.Params("id"), 0)
	if !ok && s.FindForm != nil {
		var err error
		if f, err = s.FindForm.Form(c.UserContext(), c.Params("id"), 0); err != nil {
			return nil, phoneErr(http.StatusNotFound, "form_not_found")
		}
	} else if !ok {
		return nil, phoneErr(http.StatusNotFound, "form_not_found")
	}
	if f.Kind == forms.KindPartner {
		return nil, phoneErr(http.StatusForbidden, "invitation_required")
	}
	return f, nil
}

// showForm is a citizen questionnaire on a phone.
func (s *server) showForm(c *fiber.Ctx, _ *request) error {
	f, err := s.citizenForm(c)
	if err != nil {
		return err
	}
	lang := i18n.Negotiate(f.Languages, c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
	if _, misplaced, err := s.Intake.Place(c.UserContext(), f, c.Query("p"), c.Query("a")); err != nil {
		return err
	} else if len(misplaced) > 0 {
		return phoneErr(http.StatusUnprocessableEntity, "link_not_valid")
	}
	p := s.newPage(c, f, lang, uuid.NewString(), nil, nil)
	return s.renderPhone(c, http.StatusOK, "form.html", p)
}

// postForm stores a response posted by the phone form, without JavaScript.
// Whatever goes wrong, the page comes back with every answer still in it.
func (s *server) postForm(c *fiber.Ctx, _ *request) error {
	f, err := s.citizenForm(c)
	if err != nil {
		return err
	}
	posted, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return phoneErr(http.StatusBadRequest, "malformed_request")
	}
	if v, err := strconv.Atoi(posted.Get("_version")); err == nil && v > 0 {
		if older, ok := s.Forms.Form(f.ID, v); ok {
			f = older
		}
	}
	lang := i18n.Negotiate(f.Languages, posted.Get("_lang"), c.Get(fiber.HeaderAcceptLanguage))
	submission := posted.Get("_submission")
	if _, err := uuid.Parse(submission); err != nil {
		submission = uuid.NewString()
	}
	again := func(status int, banner string, problems []forms.Problem) error {
		p := s.newPage(c, f, lang, submission, posted, problems)
		p.Banner = banner
		return s.renderPhone(c, status, "form.html", p)
	}
	if !s.validCSRF(c, posted.Get("_csrf")) {
		return again(http.StatusForbidden, s.Messages.Text(lang, "csrf_page", nil), nil)
	}
	_, created, err := s.Intake.Submit(c.UserContext(), intake.Citizen{Form: f, SubmissionID: submission, Lang: lang,
		Partnership: posted.Get("p"), Activity: posted.Get("a"), Answers: rawAnswers(f.Items, posted, "q_"), Shown: true})
	var invalid *intake.Invalid
	switch {
	case errors.As(err, &invalid) && len(invalid.AnswerProblems()) < len(invalid.Problems):
		return phoneErr(http.StatusUnprocessableEntity, "link_not_valid")
	case errors.As(err, &invalid):
		return again(http.StatusUnprocessableEntity, "", invalid.AnswerProblems())
	case errors.Is(err, intake.ErrUnavailable):
		s.Logger.Error("store a response from the phone form", "err", err)
		c.Set(fiber.HeaderRetryAfter, "60")
		return again(http.StatusServiceUnavailable, s.Messages.Text(lang, "store_down_page", nil), nil)
	case err != nil:
		return err
	}
	status, body := http.StatusCreated, "thanks_body"
	if !created {
		// A double tap or a page sent again: the first answers stand.
		status, body = http.StatusOK, "thanks_again"
	}
	p := s.newPage(c, f, lang, submission, nil, nil)
	p.Banner = s.Messages.Text(lang, body, nil)
	return s.renderPhone(c, status, "thanks.html", p)
}

// rawAnswers turns posted form fields into answers as Validate takes them.
// Empty fields are unanswered; numbers keep their text so that a typo is
// reported rather than guessed at. A partners item posts the picked
// partners under its own name and their sub-answers under
// <name>__<partner>__<sub-item>.
func rawAnswers(items []forms.Item, posted url.Values, prefix string) map[string]any {
	raw := make(map[string]any)
	for _, it := range items {
		name := prefix + it.ID
		values := slices.DeleteFunc(slices.Clone(posted[name]), func(v string) bool { return strings.TrimSpace(v) == "" })
		if len(values) == 0 {
			continue
		}
		if slices.Contains(values, forms.PreferNot) && it.PreferNot {
			raw[it.ID] = forms.PreferNot
			continue
		}
		v := strings.TrimSpace(values[0])
		switch it.Type {
		case forms.TypeScale, forms.TypeRating, forms.TypeNumber:
			// Danish, Polish, Ukrainian and Turkish write decimals with a comma.
			n := strings.Replace(v, ",", ".", 1)
			if _, err := strconv.ParseFloat(n, 64); err == nil {
				raw[it.ID] = json.Number(n)
			} else {
				raw[it.ID] = v
			}
		case forms.TypeYesNo:
			switch v {
			case "yes":
				raw[it.ID] = true
			case "no":
				raw[it.ID] = false
			default:
				raw[it.ID] = v
			}
		case forms.TypeMulti:
			picks := make([]any, 0, len(values))
			for _, p := range values {
				picks = append(picks, p)
			}
			raw[it.ID] = picks
		case forms.TypeText:
			raw[it.ID] = values[0]
		case forms.TypePartners:
			entries := make([]any, 0, len(values))
			for _, partner := range values {
				entry := rawAnswers(it.Items, posted, name+"__"+partner+"__")
				entry["partner"] = partner
				entries = append(entries, entry)
			}
			raw[it.ID] = entries
		default:
			raw[it.ID] = v
		}
	}
	return raw
}

// postedValues turns stored answers back into form fields, so that a
// partner who comes back sees the answers given before.
func postedValues(items []forms.Item, answers forms.Answers, prefix string, into url.Values) url.Values {
	if into == nil {
		into = url.Values{}
	}
	for _, it := range items {
		name := prefix + it.ID
		switch v := answers[it.ID].(type) {
		case nil:
		case bool:
			into.Set(name, map[bool]string{true: "yes", false: "no"}[v])
		case []string:
			into[name] = v
		case []map[string]any:
			for _, entry := range v {
				partner, _ := entry["partner"].(string)
				into.Add(name, partner)
				postedValues(it.Items, entry, name+"__"+partner+"__", into)
			}
		case float64:
			into.Set(name, forms.FormatNumber(v))
		default:
			into.Set(name, fmt.Sprint(v))
		}
	}
	return into
}

func (s *server) newPage(c *fiber.Ctx, f *forms.Form, lang, submission string, posted url.Values, problems []forms.Problem) phonePage {
	return s.pageFor(c, f, lang, submission, posted, problems, nil, "/f/"+f.ID)
}

// pageFor builds a form page; roster lists the partners a partners item
// offers, and action is where the page posts to.
func (s *server) pageFor(c *fiber.Ctx, f *forms.Form, lang, submission string, posted url.Values, problems []forms.Problem, roster []partnership.Partner, action string) phonePage {
	ui := make(map[string]string, len(uiMessages))
	for _, id := range uiMessages {
		ui[id] = s.Messages.Text(lang, id, nil)
	}
	view := f.In(lang)
	p := phonePage{Lang: lang, Dir: i18n.Dir(lang), Title: view.Title, UI: ui, CSS: s.assets.url["app.css"],
		JS: s.assets.url["app.js"], Form: view, Reviewed: f.Reviewed(lang), Submission: submission,
		CSRF: s.csrfToken(c), Action: action, Context: map[string]string{}}
	for _, key := range []string{"p", "a"} {
		if v := c.Query(key, posted.Get(key)); v != "" {
			p.Context[key] = v
		}
	}
	for _, code := range f.Languages {
		q := url.Values{"lang": {code}}
		for k, v := range p.Context {
			q.Set(k, v)
		}
		p.Languages = append(p.Languages, languageLink{Code: code, Name: display.Self.Name(language.Make(code)),
			URL: action + "?" + q.Encode(), Current: code == lang})
	}

	messages := make(map[string]string, len(problems))
	for _, pr := range problems {
		id, _, _ := strings.Cut(pr.Item, "[")
		if _, seen := messages[id]; !seen {
			messages[id] = s.Messages.Text(lang, answerMessage(pr), pr.Params)
			p.Errors = append(p.Errors, questionError{ID: id, Message: messages[id]})
		}
	}

	printer := message.NewPrinter(language.Make(lang))
	sectionOf := map[string]int{}
	p.Sections = []sectionBlock{{}}
	for _, sec := range f.Sections {
		sectionOf[sec.ID] = len(p.Sections)
		p.Sections = append(p.Sections, sectionBlock{Title: sec.Title.In(lang, f.DefaultLanguage)})
	}
	for i, it := range f.Items {
		fd := s.field(it, view.Items[i], "q_", posted, ui, printer, roster)
		fd.Error = messages[it.ID]
		p.Faces = p.Faces || fd.Faces
		n := sectionOf[it.Section]
		p.Sections[n].Fields = append(p.Sections[n].Fields, fd)
	}
	p.Sections = slices.DeleteFunc(p.Sections, func(b sectionBlock) bool { return len(b.Fields) == 0 })
	if len(p.Sections) > 1 {
		for i := range p.Sections {
			p.Sections[i].Progress = s.Messages.Text(lang, "section_progress",
				map[string]any{"N": printer.Sprint(i + 1), "Count": printer.Sprint(len(p.Sections))})
		}
	}
	return p
}

func (s *server) field(it forms.Item, v forms.ItemView, prefix string, posted url.Values, ui map[string]string, printer *message.Printer, roster []partnership.Partner) field {
	name := prefix + it.ID
	given := posted[name]
	fd := field{ID: strings.TrimPrefix(name, "q_"), Name: name, Type: string(it.Type), Text: v.Text, Help: v.Help, Required: it.Required, Faces: it.Faces, UI: ui,
		PreferNot: it.PreferNot, PreferNotChecked: slices.Contains(given, forms.PreferNot), MaxLength: it.MaxLength}
	if len(given) > 0 && given[0] != forms.PreferNot {
		fd.Value = given[0]
	}
	if it.ShowIf != nil {
		if b, err := json.Marshal(it.ShowIf); err == nil {
			fd.ShowIf = string(b)
		}
	}
	add := func(value, label, display string, face int, input string) {
		fd.Choices = append(fd.Choices, choice{Value: value, Label: label, Display: display, Face: face,
			Input: input, Checked: slices.Contains(given, value)})
	}
	switch it.Type {
	case forms.TypeScale, forms.TypeRating:
		fd.Group = true
		lo, hi := it.Range()
		if v.Labels != nil {
			fd.LowLabel, fd.HighLabel = v.Labels.Min, v.Labels.Max
		}
		for n := int(lo); n <= int(hi); n++ {
			label := ""
			if i := n - int(lo); i < len(v.PointLabels) {
				label = v.PointLabels[i]
			}
			face := 0
			if it.Faces {
				face = n - int(lo) + 1
			}
			add(strconv.Itoa(n), label, printer.Sprint(n), face, "radio")
		}
		fd.Choices[0].End, fd.Choices[len(fd.Choices)-1].End = fd.LowLabel, fd.HighLabel
	case forms.TypeChoice, forms.TypeMulti:
		fd.Group = true
		input := "radio"
		if it.Type == forms.TypeMulti {
			input = "checkbox"
		}
		for _, o := range v.Options {
			add(o.Value, o.Label, "", 0, input)
		}
	case forms.TypeYesNo:
		fd.Group = true
		add("yes", ui["yes"], "", 0, "radio")
		add("no", ui["no"], "", 0, "radio")
	case forms.TypeNumber:
		lo, hi := it.Range()
		fd.Min, fd.Max = forms.FormatNumber(lo), forms.FormatNumber(hi)
		fd.Step = "1"
		if it.Decimals > 0 {
			fd.Step = "any"
		}
	case forms.TypePartners:
		fd.Group = true
		for _, r := range roster {
			entry := rosterField{ID: r.ID, Name: r.Name, Checked: slices.Contains(given, r.ID),
				ShowIf: fmt.Sprintf(`{"item":%q,"equals":%q}`, it.ID, r.ID)}
			for j, sub := range it.Items {
				entry.Sub = append(entry.Sub, s.field(sub, v.Items[j], name+"__"+r.ID+"__", posted, ui, printer, nil))
			}
			fd.Roster = append(fd.Roster, entry)
		}
	}
	return fd
}

// renderPhone executes a phone page template and sends it as HTML.
func (s *server) renderPhone(c *fiber.Ctx, status int, name string, p phonePage) error {
	var b bytes.Buffer
	if err := s.phone.ExecuteTemplate(&b, name, p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentLanguage, p.Lang)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("html", "utf-8")
	return c.Status(status).Send(b.Bytes())
}

// csrfCookie holds the double-submit token of the form pages. It needs no
// server-side state, so a restart or a second instance never turns a
// citizen's answers away.
const csrfCookie = "samspil_csrf"

func (s *server) csrfToken(c *fiber.Ctx) string {
	if t := c.Cookies(csrfCookie); len(t) == 32 {
		if _, err := hex.DecodeString(t); err == nil {
			return t
		}
	}
	b := make([]byte, 16)
	rand.Read(b)
	t := hex.EncodeToString(b)
	c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: t, Path: "/", HTTPOnly: true, SameSite: "Strict",
		Secure: c.Protocol() == "https", Expires: time.Now().Add(24 * time.Hour)})
	return t
}

func (s *server) validCSRF(c *fiber.Ctx, posted string) bool {
	cookie := c.Cookies(csrfCookie)
	return cookie != "" && subtle.ConstantTimeCompare([]byte(cookie), []byte(posted)) == 1
}

// phoneError is an error shown to a citizen or partner as a small page,
// by message id.
type phoneError struct {
	status int
	msg    string
}

func (e *phoneError) Error() string { return e.msg }

func phoneErr(status int, msg string) error { return &phoneError{status: status, msg: msg} }

// phoneFail renders an error as a small page for people on a phone, in
// the language they asked for.
func (s *server) phoneFail(c *fiber.Ctx, err error) error {
	var pe *phoneError
	switch {
	case errors.As(err, &pe):
	case errors.Is(err, intake.ErrNoInvitation):
		pe = &phoneError{http.StatusNotFound, "invitation_not_found"}
	case errors.Is(err, intake.ErrWaveClosed):
		pe = &phoneError{http.StatusGone, "wave_closed"}
	case errors.Is(err, intake.ErrWaveNotOpen):
		pe = &phoneError{http.StatusForbidden, "wave_not_open"}
	case errors.Is(err, forms.ErrReplacedMeanwhile):
		pe = &phoneError{http.StatusConflict, "answer_replaced_meanwhile"}
	default:
		s.Logger.Error("phone page failed", "path", c.Path(), "err", err)
		c.Set(fiber.HeaderRetryAfter, "60")
		pe = &phoneError{http.StatusServiceUnavailable, "store_unavailable"}
	}
	lang := i18n.Negotiate(s.Messages.Languages(), c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
	p := phonePage{Lang: lang, Dir: i18n.Dir(lang), UI: map[string]string{}, CSS: s.assets.url["app.css"],
		Title: s.Messages.Text(lang, pe.msg, nil)}
	return s.renderPhone(c, pe.status, "error.html", p)
}

// answerMessage is the message id for a problem with an answer.
func answerMessage(p forms.Problem) string {
	if expected, ok := p.Params["Expected"].(string); ok {
		return p.Code + "_" + expected
	}
	return p.Code
}
