package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"samspil/forms"
	"samspil/i18n"
)

// formListing is one entry of GET /api/v1/forms.
type formListing struct {
	ID        string     `json:"id"`
	Version   int        `json:"version"`
	Kind      forms.Kind `json:"kind"`
	Languages []string   `json:"languages"`
	Title     string     `json:"title"`
}

func (s *server) listForms(c *fiber.Ctx) error {
	all := s.Forms.Forms()
	list := make([]formListing, 0, len(all))
	for _, f := range all {
		lang := s.formLanguage(c, f)
		list = append(list, formListing{ID: f.ID, Version: f.Version, Kind: f.Kind, Languages: f.Languages,
			Title: f.Title.In(lang, f.DefaultLanguage)})
	}
	c.Vary(fiber.HeaderAcceptLanguage)
	return c.JSON(fiber.Map{"forms": list})
}

// formView is a form in one language, as a client renders it.
type formView struct {
	ID      string     `json:"id"`
	Version int        `json:"version"`
	Kind    forms.Kind `json:"kind"`
	Lang    string     `json:"lang"`
	Dir     string     `json:"dir"`
	Title   string     `json:"title"`
	Intro   string     `json:"intro"`
	Items   []itemView `json:"items"`
}

type itemView struct {
	ID        string          `json:"id"`
	Type      forms.ItemType  `json:"type"`
	Text      string          `json:"text"`
	Required  bool            `json:"required"`
	Min       *int            `json:"min,omitempty"`
	Max       *int            `json:"max,omitempty"`
	Labels    *scaleLabelView `json:"labels,omitempty"`
	Options   []optionView    `json:"options,omitempty"`
	MaxLength int             `json:"max_length,omitempty"`
}

type scaleLabelView struct {
	Min string `json:"min"`
	Max string `json:"max"`
}

type optionView struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

func viewForm(f *forms.Form, lang string) formView {
	in := func(t forms.Text) string { return t.In(lang, f.DefaultLanguage) }
	v := formView{ID: f.ID, Version: f.Version, Kind: f.Kind, Lang: lang, Dir: i18n.Dir(lang),
		Title: in(f.Title), Intro: in(f.Intro), Items: make([]itemView, 0, len(f.Items))}
	for _, it := range f.Items {
		iv := itemView{ID: it.ID, Type: it.Type, Text: in(it.Text), Required: it.Required, MaxLength: it.MaxLength}
		if it.Type == forms.TypeScale {
			iv.Min, iv.Max = &it.Min, &it.Max
			iv.Labels = &scaleLabelView{Min: in(it.Labels.Min), Max: in(it.Labels.Max)}
		}
		for _, o := range it.Options {
			iv.Options = append(iv.Options, optionView{Value: o.Value, Label: in(o.Label)})
		}
		v.Items = append(v.Items, iv)
	}
	return v
}

func (s *server) getForm(c *fiber.Ctx) error {
	f, err := s.form(c)
	if err != nil {
		return err
	}
	lang := s.formLanguage(c, f)
	c.Vary(fiber.HeaderAcceptLanguage)
	c.Set(fiber.HeaderContentLanguage, lang)
	return c.JSON(viewForm(f, lang))
}

// form finds the form the route's :id names.
func (s *server) form(c *fiber.Ctx) (*forms.Form, error) {
	f, ok := s.Forms.Form(c.Params("id"))
	if !ok {
		return nil, errNotFound("form_not_found")
	}
	return f, nil
}

// formLanguage picks the language to show a form in, among its own.
func (s *server) formLanguage(c *fiber.Ctx, f *forms.Form) string {
	return i18n.Negotiate(f.Languages, c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
}

// receipt acknowledges a stored response.
type receipt struct {
	ID           string `json:"id"`
	SubmissionID string `json:"submission_id"`
}

// submitResponse stores a citizen's answers. Phones retry on bad
// connections, so a submission id that is already stored with the same
// answers is acknowledged again rather than stored twice.
func (s *server) submitResponse(store ResponseStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, err := s.form(c)
		if err != nil {
			return err
		}
		if err := requireJSON(c); err != nil {
			return err
		}
		sub, err := decodeSubmission(c.Body())
		if err != nil {
			return err
		}
		if f.HasLanguage(sub.Lang) {
			c.Locals(langKey, i18n.Negotiate(s.Messages.Languages(), sub.Lang, ""))
		}
		problems := checkFields(sub)
		if sub.Lang != "" && !f.HasLanguage(sub.Lang) {
			problems = append(problems, fieldError{field: "lang", code: "invalid_lang", msgID: "invalid_lang"})
		}
		answers, invalid := f.Validate(sub.Answers)
		for _, p := range invalid {
			problems = append(problems, answerProblem(p))
		}
		if len(problems) > 0 {
			return errInvalid(problems)
		}
		lang := sub.Lang
		if lang == "" {
			lang = f.DefaultLanguage
		}

		r := forms.NewResponse(f, sub.SubmissionID, lang, answers, s.Now())
		stored, created, err := store.SaveResponse(c.UserContext(), r, f.Counts(answers))
		switch {
		case err != nil:
			return errUnavailable(err)
		case created:
			s.metrics.stored.Inc()
			c.Status(http.StatusCreated)
		case !stored.SameAs(r):
			return newError(http.StatusConflict, "submission_conflict")
		}
		return c.JSON(receipt{ID: stored.ID, SubmissionID: stored.SubmissionID})
	}
}

// answerProblem turns a form's verdict on one answer into a field error.
func answerProblem(p forms.Problem) fieldError {
	msgID := p.Code
	if expected, ok := p.Params["Expected"].(string); ok {
		msgID += "_" + expected
	}
	return fieldError{field: "answers." + p.Item, code: p.Code, msgID: msgID, data: p.Params}
}

// summary is a form's running totals.
type summary struct {
	Form  string                     `json:"form"`
	N     int                        `json:"n"`
	Items map[string]forms.ItemTally `json:"items"`
}

func (s *server) formSummary(store ResponseStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, err := s.form(c)
		if err != nil {
			return err
		}
		t, err := store.Tally(c.UserContext(), f.ID)
		if err != nil {
			return errUnavailable(err)
		}
		items := make(map[string]forms.ItemTally, len(f.Items))
		for _, it := range f.Items {
			items[it.ID] = t.Items[it.ID]
		}
		return c.JSON(summary{Form: f.ID, N: t.N, Items: items})
	}
}
