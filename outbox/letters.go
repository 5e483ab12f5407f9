package outbox

import (
	"bytes"
	"fmt"
	"html/template"
	"net/mail"
	"slices"
	"strings"

	"samspil/i18n"
	"samspil/partnership"
)

// letter is what a mail says, before it is written as text and HTML.
type letter struct {
	Lang, Dir, Subject string
	ReplyTo            *mail.Address
	Greeting           string
	Before             []string
	LinkLabel, Link    string
	After              []string
	Signoff            []string
	Footer             string
}

// html is the mail's HTML alternative: the same words as the text, with
// one link, no images, no styles from elsewhere and nothing that reports
// back when the mail is opened.
var html = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Subject}}</title></head>
<body style="font-family:sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;max-width:36em;margin:0;padding:1em">
<p>{{.Greeting}}</p>
{{range .Before}}<p>{{.}}</p>
{{end}}<p>{{.LinkLabel}}<br><a href="{{.Link}}" dir="ltr" style="color:#0b5394;word-break:break-all">{{.Link}}</a></p>
{{range .After}}<p>{{.}}</p>
{{end}}<p>{{range $i, $l := .Signoff}}{{if $i}}<br>{{end}}{{$l}}{{end}}</p>
{{if .Footer}}<p style="font-size:14px;color:#555">{{.Footer}}</p>{{end}}
</body>
</html>
`))

// write turns the letter into the plain text and the HTML of one mail.
func (l letter) write(id string, to mail.Address) (Letter, error) {
	var t strings.Builder
	t.WriteString(l.Greeting + "\n\n")
	for _, p := range l.Before {
		t.WriteString(p + "\n\n")
	}
	t.WriteString(l.LinkLabel + "\n" + l.Link + "\n\n")
	for _, p := range l.After {
		t.WriteString(p + "\n\n")
	}
	t.WriteString(strings.Join(l.Signoff, "\n") + "\n")
	if l.Footer != "" {
		t.WriteString("\n-- \n" + l.Footer + "\n")
	}
	var h bytes.Buffer
	if err := html.Execute(&h, l); err != nil {
		return Letter{}, fmt.Errorf("write mail: %w", err)
	}
	return Letter{ID: strings.NewReplacer(":", ".", "_", "-").Replace(id), To: to, ReplyTo: l.ReplyTo, Subject: l.Subject,
		Text: t.String(), HTML: h.String(), Lang: l.Lang}, nil
}

// partnerLetter is an invitation or a reminder to a partner, in the
// partnership's first language that the round's form is in too: the mail
// speaks the language the link opens in.
func (s *Service) partnerLetter(kind Kind, pa partnership.Partnership, w partnership.Wave, p partnership.Partner, link string) letter {
	f, known := s.Forms.Form(w.Form, w.Version)
	lang := i18n.Default
	if known {
		lang = f.DefaultLanguage
	}
	for _, l := range pa.Languages {
		if slices.Contains(s.Messages.Languages(), l) && (!known || f.HasLanguage(l)) {
			lang = l
			break
		}
	}
	form := w.Form
	if known {
		form = f.Title.In(lang, f.DefaultLanguage)
	}
	data := map[string]any{"Partnership": pa.Name, "Partner": p.Name, "Form": form,
		"Closes": i18n.LongDate(lang, w.LastDay()), "Contact": pa.Contact}
	t := func(id string) string { return s.Messages.Text(lang, id, data) }
	l := letter{Lang: lang, Dir: i18n.Dir(lang), Greeting: t("mail_greeting"), LinkLabel: t("mail_link"), Link: link,
		After: []string{t("mail_closes")}, Signoff: []string{t("mail_signoff"), pa.Name}, Footer: t("mail_footer")}
	if kind == Reminder {
		l.Subject, l.Before = t("mail_remind_subject"), []string{t("mail_remind_why")}
	} else {
		l.Subject, l.Before = t("mail_invite_subject"), []string{t("mail_invite_why")}
		if d := strings.TrimSpace(pa.Description); d != "" {
			// The partnership's own words on what it is for.
			l.Before = append(l.Before, t("mail_about")+" "+firstRunes(d, 600))
		}
	}
	if pa.Contact != "" {
		l.After = append(l.After, t("mail_contact"))
		l.ReplyTo = contactAddress(pa.Contact)
	}
	return l
}

// contactAddress finds the e-mail address in a partnership's contact, as
// the backbone wrote it ("Mette Ølgaard, mette@nv.dk, 12 34 56 78").
func contactAddress(contact string) *mail.Address {
	for _, f := range strings.FieldsFunc(contact, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '<' || r == '>' }) {
		if a, err := mail.ParseAddress(f); err == nil && strings.Contains(a.Address, ".") {
			name, _, _ := strings.Cut(contact, ",")
			if strings.Contains(name, "@") {
				name = ""
			}
			return &mail.Address{Name: strings.TrimSpace(name), Address: a.Address}
		}
	}
	return nil
}

// firstRunes cuts a text to at most n characters, at a word.
func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return cut + " …"
}

// setPasswordLetter is a staff member's link to set a password, in the
// console language of the one who made it, who is named: for a new
// account, or a new password (reset).
func (s *Service) setPasswordLetter(lang, link, by string, reset bool) letter {
	if lang != "en" {
		lang = "da"
	}
	t := func(id string) string { return s.Messages.Text(lang, id, map[string]any{"By": by}) }
	why := "mail_setup_why"
	if reset {
		why = "mail_reset_why"
	}
	return letter{Lang: lang, Dir: "ltr", Subject: t("mail_setup_subject"), Greeting: t("mail_setup_greeting"),
		Before: []string{t(why)}, LinkLabel: t("mail_setup_link"), Link: link,
		After: []string{t("mail_setup_once"), t("mail_setup_ask")}, Signoff: []string{t("mail_signoff"), "Samspil"}}
}
