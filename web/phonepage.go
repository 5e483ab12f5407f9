package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"

	"samspil/forms"
	"samspil/i18n"
	"samspil/partnership"
)

// uiMessages are the interface texts a form page uses, looked up once per
// page so that templates stay free of logic.
var uiMessages = []string{"send", "sending", "prefer_not", "yes", "no", "errors_title", "language", "privacy_link",
	"unreviewed_translation", "choose_any", "offline", "store_down_page", "csrf_page",
	"thanks_title", "thanks_body", "thanks_again", "answering_for", "thanks_partner", "results_link", "change_answers", "find_partner", "find_none", "errors_check",
	// Partner forms group the roster by sector (the console's names).
	"sector_public", "sector_civil", "sector_private", "sector_citizen_group", "sector_backbone"}

// page is what a form page template renders.
type phonePage struct {
	Lang, Dir string
	Title     string
	// Description is the page's summary for search engines and link
	// previews: the form's introduction.
	Description string
	UI          map[string]string
	CSS, JS     string
	Languages   []languageLink
	Form        forms.View
	Reviewed    bool
	Sections    []sectionBlock
	Errors      []questionError
	Banner      string
	Submission  string
	CSRF        string
	Action      string
	Context     map[string]string
	// Faces says whether any question shows faces, so the page carries
	// their drawings once.
	Faces bool
	// Partner names the organisation an invitation page answers for.
	Partner string
	// Results links the thank-you page to the partnership's results.
	Results string
	// About says, on a partner's page, which partnership, until when and
	// whom to ask (escaped, with e-mail addresses linked).
	About []template.HTML
	// Change links a partner's thank-you page back to its answers.
	Change string
	// OnlyCheck says the only problems are answers to check, not errors.
	OnlyCheck bool
	// ConfirmHidden says answers to questions that no longer apply were
	// sent: sending the page again confirms leaving them out.
	ConfirmHidden bool
	// FollowUp is the optional question of answering again under a code,
	// and on the deletion page the code typed.
	FollowUp *followUpField
	// Code is the follow-up code a thank-you page gives, shown once;
	// Forget links to where a code deletes its answers.
	Code, Forget string
	// Found says what a code links, before deleting; Done, what was
	// deleted.
	Found, Done string
	// Privacy is the privacy notice's content, on its page; PrivacyURL
	// links every form page to it.
	Privacy    *privacyPage
	PrivacyURL string
	// Here is the address that shows this page again, for the script to
	// put in the address bar after sending: a reload then shows the
	// thanks, not an empty form to fill in twice.
	Here string
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
	// About names, for screen readers, the partner a roster's question
	// is about: the same three questions stand under every partner.
	About               string
	Required            bool
	Group               bool // a fieldset of choices rather than one input
	Choices             []choice
	LowLabel, HighLabel string
	// Labelled says every point of a scale has words: a list, not a row.
	Labelled         bool
	Value            string
	Min, Max, Step   string
	MaxLength        int
	PreferNot        bool
	PreferNotChecked bool
	Error            string
	ShowIf           string
	Faces            bool
	// Name is the form field's name; ID, derived from it, the element's.
	Name string
	// Roster is the partners a partners item offers, by sector, each
	// sorted by name.
	Roster []rosterGroup
	UI     map[string]string
}

// rosterField is one partner a partners item offers, with the questions
// about it.
type rosterGroup struct {
	Sector  string
	Entries []rosterField
}

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
	// Exclusive unticks the question's other options when picked.
	Exclusive bool
}

// questionError is a problem with one question's answer; Question names
// the question in the summary at the top, so the list says where.
type questionError struct {
	ID, Question, Message string
}

func (s *server) newPage(c *fiber.Ctx, f *forms.Form, lang, submission string, posted url.Values, problems []forms.Problem) phonePage {
	p := s.pageFor(c, f, lang, submission, posted, problems, nil, "/f/"+f.ID)
	p.PrivacyURL = privacyURL(lang, p.Context["p"])
	return p
}

// privacyURL is the privacy notice in lang, for a partnership if given.
func privacyURL(lang, pid string) string {
	q := url.Values{"lang": {lang}}
	if pid != "" {
		q.Set("p", pid)
	}
	return "/privacy?" + q.Encode()
}

// pageFor builds a form page; roster lists the partners a partners item
// offers, and action is where the page posts to.
func (s *server) pageFor(c *fiber.Ctx, f *forms.Form, lang, submission string, posted url.Values, problems []forms.Problem, roster []partnership.Partner, action string) phonePage {
	ui := make(map[string]string, len(uiMessages))
	for _, id := range uiMessages {
		ui[id] = s.Messages.Text(lang, id, nil)
	}
	view := f.In(lang)
	p := phonePage{Lang: lang, Dir: i18n.Dir(lang), Title: view.Title, Description: view.Intro, UI: ui, CSS: s.assets.url["app.css"],
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
			messages[id] = s.Messages.Text(lang, answerMessage(pr), s.inWords(f, pr, lang))
			if pr.Code == CodeUnticked {
				p.ConfirmHidden = true
			}
			if pr.Code == forms.CodeHiddenItem {
				// Without the script, a question stays on the page after an
				// earlier answer made it not apply: say which, and that
				// sending again leaves this answer out.
				p.ConfirmHidden = true
				if it, ok := f.Item(id); ok && it.ShowIf.FirstItem() != "" {
					messages[id] = s.Messages.Text(lang, "hidden_item_page",
						map[string]any{"Question": shortText(questionText(view, it.ShowIf.FirstItem()))})
				}
			}
			p.Errors = append(p.Errors, questionError{ID: id, Question: shortText(questionText(view, id)), Message: messages[id]})
		}
	}

	p.OnlyCheck = len(problems) > 0 && !slices.ContainsFunc(problems, func(pr forms.Problem) bool {
		return pr.Code != forms.CodeHiddenItem && pr.Code != CodeUnticked
	})
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
		// Points with words of their own ("Less than half of the time")
		// are too long for a row of boxes on a phone: they go in a list,
		// where they also name the ends. Otherwise the ends are named under
		// the row, and in each end's label for screen readers.
		fd.Labelled = len(v.PointLabels) > 0
		if !fd.Labelled {
			fd.Choices[0].End, fd.Choices[len(fd.Choices)-1].End = fd.LowLabel, fd.HighLabel
		}
	case forms.TypeChoice, forms.TypeMulti:
		fd.Group = true
		input := "radio"
		if it.Type == forms.TypeMulti {
			input = "checkbox"
		}
		for _, o := range v.Options {
			add(o.Value, o.Label, "", 0, input)
			fd.Choices[len(fd.Choices)-1].Exclusive = o.Exclusive
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
		// By sector, then by name: a list of 40 reads like a phone book.
		sorted := slices.Clone(roster)
		slices.SortStableFunc(sorted, func(a, b partnership.Partner) int {
			return cmp.Or(cmp.Compare(slices.Index(partnership.Sectors, a.Sector), slices.Index(partnership.Sectors, b.Sector)),
				strings.Compare(partnership.NameKey(a.Name), partnership.NameKey(b.Name)))
		})
		for _, r := range sorted {
			entry := rosterField{ID: r.ID, Name: r.Name, Checked: slices.Contains(given, r.ID),
				ShowIf: fmt.Sprintf(`{"item":%q,"equals":%q}`, it.ID, r.ID)}
			for j, sub := range it.Items {
				sf := s.field(sub, v.Items[j], name+"__"+r.ID+"__", posted, ui, printer, nil)
				sf.About = r.Name
				entry.Sub = append(entry.Sub, sf)
			}
			if n := len(fd.Roster); n == 0 || fd.Roster[n-1].Sector != string(r.Sector) {
				fd.Roster = append(fd.Roster, rosterGroup{Sector: string(r.Sector)})
			}
			fd.Roster[len(fd.Roster)-1].Entries = append(fd.Roster[len(fd.Roster)-1].Entries, entry)
		}
		for i := range fd.Roster {
			name := []rune(ui["sector_"+fd.Roster[i].Sector])
			if len(name) > 0 {
				name[0] = unicode.ToUpper(name[0])
			}
			fd.Roster[i].Sector = string(name)
		}
	}
	return fd
}

// inWords gives a problem's parameters as the page says them: an option
// by its label in lang, not its value.
func (s *server) inWords(f *forms.Form, pr forms.Problem, lang string) map[string]any {
	value, ok := pr.Params["Option"].(string)
	if !ok {
		return pr.Params
	}
	params := maps.Clone(pr.Params)
	if value == forms.PreferNot {
		params["Option"] = s.Messages.Text(lang, "prefer_not", nil)
		return params
	}
	for _, it := range f.Items {
		for _, o := range it.Options {
			if it.ID == strings.SplitN(pr.Item, "[", 2)[0] && o.Value == value {
				params["Option"] = o.Label.In(lang, f.DefaultLanguage)
			}
		}
	}
	return params
}

// questionText is the text of the question id in the form's view.
func questionText(v forms.View, id string) string {
	for _, it := range v.Items {
		if it.ID == id {
			return it.Text
		}
	}
	return ""
}

// shortText shortens a question to its first 60 letters or so, at a word,
// for the list of problems.
func shortText(s string) string {
	const most = 60
	r := []rune(s)
	if len(r) <= most {
		return s
	}
	cut := strings.LastIndex(string(r[:most]), " ")
	if cut < most/2 {
		cut = len(string(r[:most]))
	}
	return strings.TrimRight(string(r[:most])[:cut], " ,.;:") + "…"
}

// DescribedBy lists the ids of what describes a question to a screen
// reader: its hint, "choose any" for several answers, and its problem.
func (f field) DescribedBy() string {
	var ids []string
	if f.Help != "" {
		ids = append(ids, "h-"+f.ID)
	}
	if f.Type == string(forms.TypeMulti) {
		ids = append(ids, "m-"+f.ID)
	}
	if f.Error != "" {
		ids = append(ids, "e-"+f.ID)
	}
	return strings.Join(ids, " ")
}
