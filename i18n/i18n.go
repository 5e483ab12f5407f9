// Package i18n owns the interface's message catalogs and chooses the
// language each person is answered in.
package i18n

import (
	"embed"
	"errors"
	"fmt"
	"slices"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Default is the language used when nothing better matches: Samspil's
// users are Danish first.
const Default = "da"

//go:embed locales/*.json
var locales embed.FS

// Messages translates the interface's messages.
type Messages struct {
	bundle    *goi18n.Bundle
	languages []string
}

// Load reads the embedded message catalogs.
func Load() (*Messages, error) {
	bundle := goi18n.NewBundle(language.Danish)
	files, err := locales.ReadDir("locales")
	if err != nil {
		return nil, fmt.Errorf("list message catalogs: %w", err)
	}
	m := &Messages{bundle: bundle}
	for _, f := range files {
		mf, err := bundle.LoadMessageFileFS(locales, "locales/"+f.Name())
		if err != nil {
			return nil, fmt.Errorf("load message catalog %s: %w", f.Name(), err)
		}
		// Catalogs named console.* hold the staff console's messages, in
		// Danish and English only; active.* are in every language.
		if tag := mf.Tag.String(); !slices.Contains(m.languages, tag) {
			m.languages = append(m.languages, tag)
		}
	}
	return m, nil
}

// Languages lists the languages the interface is translated into.
func (m *Messages) Languages() []string {
	return m.languages
}

// Text returns message id in lang, filled in with data. A message missing
// from lang comes in Danish, and a message missing everywhere comes as its
// id: a missing translation must never break a response.
func (m *Messages) Text(lang, id string, data map[string]any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data}
	s, err := goi18n.NewLocalizer(m.bundle, lang, Default).Localize(cfg)
	var missing *goi18n.MessageNotFoundErr
	if err != nil && !errors.As(err, &missing) {
		return id
	}
	if s == "" {
		return id
	}
	return s
}
