package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"samspil/api"
	"samspil/partnership"
)

// The privacy notice is public, in every language of the citizen forms,
// names the data controller (the partnership's own, else the
// installation's), how long free text is kept, and links to deleting
// answers; every citizen form page links to it.
func TestPrivacyNotice(t *testing.T) {
	ph := newPhonesWith(t, nil, nil, func(_ *api.Config, w *Config) {
		w.Controller = "Aarhus Kommune, Rådhuspladsen 2, 8000 Aarhus C, dpo@aarhus.dk"
	})
	openCitizenWave(t, ph)
	ctx := context.Background()
	own := partnership.Partnership{ID: "nord", Name: "Nord", MinGroup: 5, Controller: "Foreningen Nord, nord@example.dk",
		Retention: &partnership.Retention{TextMonths: 6}}
	if err := ph.store.CreatePartnership(ctx, own); err != nil {
		t.Fatal(err)
	}
	for _, lang := range citizenLanguages {
		res, html := ph.page(t, http.MethodGet, "/privacy?lang="+lang, nil, "")
		if res.StatusCode != http.StatusOK || !strings.Contains(html, "Aarhus Kommune") || !strings.Contains(html, `href="/forget?lang=`+lang+`"`) ||
			!strings.Contains(html, `lang="`+lang+`"`) {
			t.Errorf("%s: %d, want the installation's controller and the deletion link", lang, res.StatusCode)
		}
	}
	_, html := ph.page(t, http.MethodGet, "/privacy?lang=en&p=nord", nil, "")
	for _, want := range []string{"Foreningen Nord", `<a href="mailto:nord@example.dk">nord@example.dk</a>`, "deleted after 6 months", "We do not store your name, your IP address"} {
		if !strings.Contains(html, want) {
			t.Errorf("partnership's notice lacks %q", want)
		}
	}
	if _, html := ph.page(t, http.MethodGet, "/privacy?lang=da&p=vest", nil, ""); !strings.Contains(html, "slettes efter 12 måneder") {
		t.Error("the default of 12 months is not stated")
	}
	if res, _ := ph.page(t, http.MethodGet, "/privacy?p=nope", nil, ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown partnership: %d", res.StatusCode)
	}
	for _, path := range []string{"/f/citizen_short?lang=da&p=vest", "/forget?lang=da"} {
		if _, html := ph.page(t, http.MethodGet, path, nil, ""); !strings.Contains(html, `<a href="/privacy?lang=da`) ||
			!strings.Contains(html, "Sådan passer vi på dine svar") {
			t.Errorf("%s does not link to the privacy notice", path)
		}
	}
}
