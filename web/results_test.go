package web

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"samspil/access"
	"samspil/forms"
	"samspil/partnership"
)

// seeded is a partnership with figures the indicators must hide: a small
// activity and a small sector, each with answers unlike anyone else's.
type seeded struct {
	c        *console
	p        partnership.Partnership
	partners []partnership.Partner
	round    partnership.Wave
}

// seedHidden registers a partnership (minimum group 5) where the activity
// "Gåtur" has 3 answers whose belonging index averages 12.5, and the
// private sector has 2 partners whose every element averages 1.5; the
// other figures are large enough to show. The month and the partner
// round have closed when it returns.
func seedHidden(t *testing.T) seeded {
	t.Helper()
	c := newConsole(t)
	ctx := context.Background()
	p := c.partnership(t, "Nord", 0)
	for _, a := range []partnership.Activity{{ID: "cafe", Partnership: p.ID, Name: "Café", Active: true}, {ID: "walk", Partnership: p.ID, Name: "Gåtur", Active: true}} {
		c.store.CreateActivity(ctx, a)
	}
	cf, _ := c.catalog(t).Form("citizen_short", 0)
	citizen := func(activity string, place, someone int, role string) {
		answers := forms.Answers{"belonging_place": place, "belonging_someone": someone, "role": role}
		r := forms.NewResponse(cf, uuid.NewString(), "da", answers, c.now())
		r.Partnership, r.Activity = p.ID, activity
		if _, _, err := c.store.SaveResponse(ctx, r, cf.Counts(answers)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 12 {
		citizen("cafe", 3+i%3, 4, "helper")
	}
	citizen("walk", 1, 2, "speaks_for_others")
	citizen("walk", 1, 1, "speaks_for_others")
	citizen("walk", 2, 2, "speaks_for_others")

	pf, _ := c.catalog(t).Form("partner_survey", 0)
	s := seeded{c: c, p: p, round: partnership.Wave{ID: "wa1", Partnership: p.ID, Form: pf.ID, Version: pf.Version, Respondents: "partners",
		OpensAt: c.now().Add(-48 * time.Hour), ClosesAt: c.now().Add(time.Hour)}}
	c.store.CreateWave(ctx, s.round)
	for i := range 8 {
		sector, value := partnership.Sector("public"), 4
		if i >= 6 {
			sector, value = "private", i-5 // 1 and 2: 1.5 on average
		}
		pt := partnership.Partner{ID: fmt.Sprintf("pt%02d", i), Partnership: p.ID, Name: fmt.Sprintf("Partner %02d", i), Sector: sector, Active: true, JoinedAt: c.now()}
		c.store.CreatePartner(ctx, pt)
		s.partners = append(s.partners, pt)
		answers := forms.Answers{}
		for _, sc := range pf.Scales {
			for _, item := range sc.Items {
				answers[item] = value
			}
		}
		if i > 0 {
			answers["collaboration"] = []map[string]any{{"partner": "pt00", "frequency": "weekly", "trust": 5}}
		}
		c.store.CreateInvitation(ctx, partnership.Invitation{Hash: access.Hash(pt.ID), Partnership: p.ID, Wave: s.round.ID, Partner: pt.ID})
		r := forms.NewResponse(pf, pt.ID, "da", answers, c.now())
		r.ID, r.SubmissionID, r.Partnership, r.Wave, r.Partner = forms.PartnerResponseID(s.round.ID, pt.ID), "", p.ID, s.round.ID, pt.ID
		if _, err := c.store.ReplaceResponse(ctx, r, pf.Counts(answers)); err != nil {
			t.Fatal(err)
		}
	}
	// A month is released an hour after it ends; the round closed long
	// before.
	now := c.now().UTC()
	c.advance(time.Date(now.Year(), now.Month()+1, 1, 2, 0, 0, 0, time.UTC).Sub(now))
	return s
}

// No page shows a figure the indicators hid: not the dashboard, grouped
// or filtered, not the report, not a partner's results and not the
// citizens' page. The hidden numbers are searched for in the markup,
// charts, tables and tooltips alike.
func TestNoHiddenFigureReachesAnyPage(t *testing.T) {
	s := seedHidden(t)
	pw := s.c.user(t, "eva@example.dk", access.RoleEvaluator)
	b := s.c.browser(t)
	b.signIn("eva@example.dk", pw)
	base := "/console/partnerships/" + s.p.ID
	pages := []string{base + "/results", base + "/results?by=role", base + "/results?activity=walk", base + "/results?activity=cafe",
		base + "/report", base + "/report?activity=walk", base + "/network", "/i/" + s.partners[7].ID, "/r/" + s.p.ID, "/r/" + s.p.ID + "?lang=en"}
	hidden := []string{
		"12,5", "12.5", // the small activity's belonging
		"1,5", "1.5", // the small sector's elements
		"3 svar", "3 answers", "2 partnere", "2 partners", // their sizes
	}
	for _, path := range pages {
		if status := b.get(path); status != http.StatusOK {
			t.Errorf("%s: %d", path, status)
			continue
		}
		text := shownText(b.last)
		for _, h := range hidden {
			if i := strings.Index(text, h); i >= 0 {
				t.Errorf("%s shows the hidden %q: …%s…", path, h, text[max(0, i-120):min(len(text), i+40)])
			}
		}
	}
	// And they do show what is not hidden, or the search above proves
	// nothing.
	b.get(base + "/results")
	for _, want := range []string{"Café", "12 svar", "For få svar til at vise", "offentlig", "For få svar"} {
		if !b.has(want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
}

// shownText is what a page says to a reader: its text, the charts'
// titles, descriptions and tooltips, and the attributes people read
// (labels), without the drawing's coordinates.
func shownText(page string) string {
	var b strings.Builder
	for _, m := range readAttrs.FindAllStringSubmatch(page, -1) {
		b.WriteString(m[1] + "\n")
	}
	b.WriteString(tags.ReplaceAllString(page, "\n"))
	return b.String()
}

var (
	readAttrs = regexp.MustCompile(`(?:aria-label|title|alt|data-label|placeholder|value)="([^"]*)"`)
	tags      = regexp.MustCompile(`<[^>]*>`)
)

// The report is one document with the headlines in words, the charts,
// the network map, the filters and the method.
func TestReport(t *testing.T) {
	s := seedHidden(t)
	pw := s.c.user(t, "bo@example.dk", access.RoleBackbone, s.p.ID)
	b := s.c.browser(t)
	b.signIn("bo@example.dk", pw)
	if status := b.get("/console/partnerships/" + s.p.ID + "/report?activity=cafe"); status != http.StatusOK {
		t.Fatalf("report: %d", status)
	}
	if dir := os.Getenv("SAMSPIL_SCREENSHOTS"); dir != "" {
		os.WriteFile(dir+"/report.html", []byte(b.last), 0o644)
	}
	for _, want := range []string{"Nord: resultater", "Det vigtigste", "ud af 100 i snit (12 svar)", "Aktivitet: Café",
		"Mindste gruppe der vises: 5", "8 af 8 partnere har svaret", `aria-labelledby="network-t network-d"`, "Metode og beskyttelse", "Hedges"} {
		if !b.has(want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if status := b.get("/console/partnerships/" + s.p.ID + "/report?by=shoe_size"); status != http.StatusUnprocessableEntity {
		t.Errorf("a report of an unknown grouping: %d, want 422", status)
	}
}

// A partner's link shows the closed round's results in the partner's
// language: health, who answered, and the map with every tie alike and
// the partner named; the backbone can switch the map off.
func TestPartnersSeeResultsOnTheirLink(t *testing.T) {
	s := seedHidden(t)
	b := s.c.browser(t)
	if status := b.get("/i/" + s.partners[3].ID + "?lang=en"); status != http.StatusOK {
		t.Fatalf("partner link after the round: %d", status)
	}
	for _, want := range []string{"Results of the partner round", "Thank you for taking part, Partner 03", "8 of 8 partners have answered",
		`aria-labelledby="health-t health-d"`, `aria-labelledby="network-t network-d"`, ">Partner 03 (public)</text>"} {
		if !b.has(want) {
			t.Errorf("the partner's results lack %q", want)
		}
	}
	for _, never := range []string{`stroke="#8a9096" stroke-width="2"`, "Trust", `href="/console`, "sign_out"} {
		if i := strings.Index(b.last, never); i >= 0 {
			t.Logf("…%s…", b.last[max(0, i-200):min(len(b.last), i+50)])
			t.Errorf("the partner's results show %q", never)
		}
	}
	// A partner that lost its link gets a new one from the backbone after
	// the round; the old one stops working.
	pw := s.c.user(t, "bo@example.dk", access.RoleBackbone, s.p.ID)
	staff := s.c.browser(t)
	staff.signIn("bo@example.dk", pw)
	staff.get("/console/partnerships/" + s.p.ID + "/waves/" + s.round.ID)
	if !staff.has("Links til resultaterne") {
		t.Error("a closed round's page offers no new links to the results")
	}
	if status, _ := staff.post("/console/partnerships/"+s.p.ID+"/waves/"+s.round.ID+"/invitations/"+s.partners[3].ID, nil); status != http.StatusOK {
		t.Fatalf("a new link after the round: %d", status)
	}
	link := regexp.MustCompile(`/i/[A-Za-z0-9_-]{20,}`).FindString(staff.last)
	if link == "" {
		t.Fatalf("no new link on the page:\n%s", staff.last)
	}
	if status := b.get(link + "?lang=en"); status != http.StatusOK || !b.has("Results of the partner round") {
		t.Errorf("the new link after the round: %d", status)
	}
	if status := b.get("/i/" + s.partners[3].ID); status != http.StatusNotFound {
		t.Errorf("the old link still works: %d", status)
	}
	s.p.HidePartnerMap = true
	s.c.store.UpdatePartnership(context.Background(), s.p)
	b.get(link)
	if b.has(`aria-labelledby="network-t network-d"`) || !b.has("Resultater fra partnerrunden") {
		t.Error("with the map switched off, the partner still sees it")
	}
}

// The citizens' page says in plain words how many of ten agree, in each
// of the form's languages, right to left in Arabic; before enough have
// answered it says so and shows no figure.
func TestCitizensSeeResults(t *testing.T) {
	s := seedHidden(t)
	b := s.c.browser(t)
	b.get("/r/" + s.p.ID + "?lang=ar")
	for _, want := range []string{`dir="rtl"`, "من كل 10", `<svg`, "ماذا نفعل بالإجابات"} {
		if !b.has(want) {
			t.Errorf("the Arabic results page lacks %q", want)
		}
	}
	for _, lang := range []string{"da", "en", "uk", "pl", "tr"} {
		if status := b.get("/r/" + s.p.ID + "?lang=" + lang); status != http.StatusOK || !b.has(`lang="`+lang+`"`) || !b.has("10") {
			t.Errorf("%s: %d", lang, status)
		}
	}
	b.get("/r/" + s.p.ID + "?lang=en")
	if !b.has("out of 10 who answered agree: “I feel that I belong here.”") {
		t.Errorf("no plain sentence for the belonging question:\n%s", b.last)
	}
	fresh := s.c.partnership(t, "Ny", 0)
	b.get("/r/" + fresh.ID + "?lang=en")
	if !b.has("There are not enough answers yet") || b.has(`<svg`) {
		t.Error("a partnership without answers shows figures")
	}
	if status := b.get("/r/nowhere"); status != http.StatusNotFound {
		t.Errorf("an unknown partnership: %d, want 404", status)
	}
}
