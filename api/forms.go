package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"samspil/forms"
	"samspil/i18n"
)

// formListing is one entry of GET /api/v1/forms.
type formListing struct {
	ID         string     `json:"id"`
	Version    int        `json:"version"`
	Versions   []int      `json:"versions"`
	Kind       forms.Kind `json:"kind"`
	Languages  []string   `json:"languages"`
	Unreviewed []string   `json:"unreviewed_languages"`
	Title      string     `json:"title"`
}

func (s *server) listing(c *fiber.Ctx, f *forms.Form) formListing {
	unreviewed := f.Unreviewed
	if unreviewed == nil {
		unreviewed = []string{}
	}
	return formListing{ID: f.ID, Version: f.Version, Versions: s.Forms.Versions(f.ID), Kind: f.Kind,
		Languages: f.Languages, Unreviewed: unreviewed, Title: f.Title.In(s.formLanguage(c, f), f.DefaultLanguage)}
}

func (s *server) listForms(c *fiber.Ctx) error {
	all := s.Forms.Forms()
	list := make([]formListing, 0, len(all))
	for _, f := range all {
		list = append(list, s.listing(c, f))
	}
	c.Vary(fiber.HeaderAcceptLanguage)
	return c.JSON(fiber.Map{"forms": list})
}

// formView is a form in one language, as a client renders it. Conditions
// come as defined, so that a client shows and hides items exactly as the
// server validates them.
type formView struct {
	ID       string        `json:"id"`
	Version  int           `json:"version"`
	Kind     forms.Kind    `json:"kind"`
	Lang     string        `json:"lang"`
	Dir      string        `json:"dir"`
	Reviewed bool          `json:"translation_reviewed"`
	Title    string        `json:"title"`
	Intro    string        `json:"intro"`
	Consent  string        `json:"consent,omitempty"`
	Sections []sectionView `json:"sections,omitempty"`
	Items    []itemView    `json:"items"`
}

type sectionView struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type itemView struct {
	ID          string           `json:"id"`
	Type        forms.ItemType   `json:"type"`
	Section     string           `json:"section,omitempty"`
	Text        string           `json:"text"`
	Help        string           `json:"help,omitempty"`
	Required    bool             `json:"required"`
	PreferNot   bool             `json:"prefer_not"`
	Min         *float64         `json:"min,omitempty"`
	Max         *float64         `json:"max,omitempty"`
	Decimals    int              `json:"decimals,omitempty"`
	Faces       bool             `json:"faces,omitempty"`
	Labels      *scaleLabelView  `json:"labels,omitempty"`
	PointLabels []string         `json:"point_labels,omitempty"`
	Options     []optionView     `json:"options,omitempty"`
	MaxPicks    int              `json:"max_picks,omitempty"`
	MaxLength   int              `json:"max_length,omitempty"`
	Items       []itemView       `json:"items,omitempty"`
	ShowIf      *forms.Condition `json:"show_if,omitempty"`
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
	v := formView{ID: f.ID, Version: f.Version, Kind: f.Kind, Lang: lang, Dir: i18n.Dir(lang), Reviewed: f.Reviewed(lang),
		Title: in(f.Title), Intro: in(f.Intro), Consent: in(f.Consent), Items: viewItems(f.Items, in)}
	for _, s := range f.Sections {
		v.Sections = append(v.Sections, sectionView{ID: s.ID, Title: in(s.Title)})
	}
	return v
}

func viewItems(items []forms.Item, in func(forms.Text) string) []itemView {
	views := make([]itemView, 0, len(items))
	for _, it := range items {
		iv := itemView{ID: it.ID, Type: it.Type, Section: it.Section, Text: in(it.Text), Help: in(it.Help),
			Required: it.Required, PreferNot: it.PreferNot, Decimals: it.Decimals, Faces: it.Faces,
			MaxPicks: it.MaxPicks, MaxLength: it.MaxLength, ShowIf: it.ShowIf}
		if it.Type == forms.TypeScale || it.Type == forms.TypeRating || it.Type == forms.TypeNumber {
			lo, hi := it.Range()
			iv.Min, iv.Max = &lo, &hi
		}
		if it.Labels != nil {
			iv.Labels = &scaleLabelView{Min: in(it.Labels.Min), Max: in(it.Labels.Max)}
		}
		for _, l := range it.PointLabels {
			iv.PointLabels = append(iv.PointLabels, in(l))
		}
		for _, o := range it.Options {
			iv.Options = append(iv.Options, optionView{Value: o.Value, Label: in(o.Label)})
		}
		if it.Items != nil {
			iv.Items = viewItems(it.Items, in)
		}
		views = append(views, iv)
	}
	return views
}

func (s *server) getForm(store FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		version, err := versionParam(c.Query("version"))
		if err != nil {
			return err
		}
		f, err := s.form(c.UserContext(), store, c.Params("id"), version)
		if err != nil {
			return err
		}
		lang := s.formLanguage(c, f)
		c.Vary(fiber.HeaderAcceptLanguage)
		c.Set(fiber.HeaderContentLanguage, lang)
		return c.JSON(viewForm(f, lang))
	}
}

// versionParam reads an optional form version; 0 means the latest.
func versionParam(raw string) (int, error) {
	if raw == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < 1 {
		return 0, errInvalid([]fieldError{{field: "version", code: "invalid_value", msgID: "invalid_version"}})
	}
	return v, nil
}

// form finds a version of a form (0: the latest). A form published through
// another instance of Samspil is not in this one's catalog yet, so a miss
// reloads the catalog from the store once.
func (s *server) form(ctx context.Context, store FormStore, id string, version int) (*forms.Form, error) {
	if f, ok := s.Forms.Form(id, version); ok {
		return f, nil
	}
	published, err := store.Forms(ctx)
	if err != nil {
		return nil, errUnavailable(err)
	}
	for _, f := range published {
		if _, err := s.Forms.Add(f); err != nil {
			s.Logger.Error("stored form conflicts with the catalog", "form", f.ID, "version", f.Version, "err", err)
		}
	}
	if f, ok := s.Forms.Form(id, version); ok {
		return f, nil
	}
	if _, ok := s.Forms.Form(id, 0); ok {
		return nil, errNotFound("form_version_not_found")
	}
	return nil, errNotFound("form_not_found")
}

// formLanguage picks the language to show a form in, among its own.
func (s *server) formLanguage(c *fiber.Ctx, f *forms.Form) string {
	return i18n.Negotiate(f.Languages, c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
}

// receipt acknowledges a stored response.
type receipt struct {
	ID           string       `json:"id"`
	SubmissionID string       `json:"submission_id"`
	Version      int          `json:"version"`
	Scores       forms.Scores `json:"scores"`
}

// submitResponse stores a citizen's answers. Phones retry on bad
// connections, so a submission id that is already stored with the same
// answers is acknowledged again rather than stored twice.
func (s *server) submitResponse(store ResponseStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if _, err := s.form(c.UserContext(), formStore, c.Params("id"), 0); err != nil {
			return err
		}
		if err := requireJSON(c); err != nil {
			return err
		}
		sub, err := decodeSubmission(c.Body())
		if err != nil {
			return err
		}
		f, err := s.form(c.UserContext(), formStore, c.Params("id"), sub.Version)
		if err != nil {
			if sub.Version != 0 {
				return errInvalid([]fieldError{{field: "version", code: "invalid_value", msgID: "form_version_not_found"}})
			}
			return err
		}
		if f.Kind == forms.KindPartner {
			return newError(http.StatusForbidden, "invitation_required")
		}
		if f.HasLanguage(sub.Lang) {
			c.Locals(langKey, i18n.Negotiate(s.Messages.Languages(), sub.Lang, ""))
		}
		problems := checkFields(sub)
		if sub.Lang != "" && !f.HasLanguage(sub.Lang) {
			problems = append(problems, fieldError{field: "lang", code: "invalid_lang", msgID: "invalid_lang"})
		}
		wave, misplaced, err := s.place(c.UserContext(), s.Store, f, sub.Partnership, sub.Activity, s.Now())
		if err != nil {
			return errUnavailable(err)
		}
		problems = append(problems, misplaced...)
		answers, invalid := f.Validate(sub.Answers, nil)
		for _, p := range invalid {
			problems = append(problems, answerProblem(p))
		}
		if len(problems) > 0 {
			return errInvalidAnswers(problems)
		}
		lang := sub.Lang
		if lang == "" {
			lang = f.DefaultLanguage
		}

		r := forms.NewResponse(f, sub.SubmissionID, lang, answers, s.Now())
		r.Partnership, r.Activity, r.Wave = sub.Partnership, sub.Activity, wave
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
		scores := stored.Scores
		if scores == nil {
			scores = forms.Scores{}
		}
		return c.JSON(receipt{ID: stored.ID, SubmissionID: stored.SubmissionID, Version: stored.FormVersion, Scores: scores})
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

// formSummary counts the responses and answers a form has released, over
// every partnership: the same protected classes as every indicator.
func (s *server) formSummary(store PartnershipStore, formStore FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, err := s.citizenForm(c, formStore, c.Params("id"))
		if err != nil {
			return err
		}
		all, err := store.Partnerships(c.UserContext())
		if err != nil {
			return errUnavailable(err)
		}
		sum, err := s.indicators.Summary(c.UserContext(), all, f)
		if err != nil {
			return indicatorError(err)
		}
		return c.JSON(fiber.Map{"form": f.ID, "n": sum.N, "released_through": sum.ReleasedThrough, "items": sum.Items})
	}
}
