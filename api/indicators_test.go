package api

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// answerAll has the fixture's partners answer the partner survey: two
// relations-and-trust items each and their collaborations.
func answerAll(t *testing.T, fx fixture) {
	t.Helper()
	_, out := fx.ta.call(t, "POST", "/api/v1/partnerships/"+fx.pid+"/waves/"+fx.wave+"/invitations", "", "Authorization", "Bearer "+fx.backbone)
	links := map[string]string{}
	for _, l := range out["invitations"].([]any) {
		l := l.(map[string]any)
		links[l["name"].(string)] = l["link"].(string)[strings.LastIndex(l["link"].(string), "/")+1:]
	}
	id := fx.partners
	tie := func(to string, trust int) string {
		return fmt.Sprintf(`{"partner":%q,"frequency":"monthly","trust":%d}`, id[to], trust)
	}
	for name, body := range map[string]string{
		"Bibliotek":       `"relations_trust_close_relations":4,"relations_trust_reliable":4,"collaboration":[` + tie("FC Vest", 4) + `,` + tie("Jobcenter", 5) + `]`,
		"Jobcenter":       `"relations_trust_close_relations":5,"relations_trust_reliable":3,"collaboration":[` + tie("Bibliotek", 4) + `]`,
		"FC Vest":         `"relations_trust_close_relations":3,"relations_trust_reliable":3,"collaboration":[` + tie("Røde Kors", 5) + `]`,
		"Røde Kors":       `"relations_trust_close_relations":4,"relations_trust_reliable":5,"collaboration":[` + tie("FC Vest", 2) + `]`,
		"Brugsen":         `"relations_trust_close_relations":2,"relations_trust_reliable":4,"collaboration":[` + tie("Frivilligcenter", 3) + `]`,
		"Frivilligcenter": `"relations_trust_close_relations":5,"relations_trust_reliable":5,"collaboration":[` + tie("Bibliotek", 5) + `,` + tie("FC Vest", 3) + `]`,
	} {
		if res, out := fx.ta.call(t, "PUT", "/api/v1/invitations/"+links[name]+"/response", `{"answers":{`+body+`}}`); res.StatusCode != 201 {
			t.Fatalf("%s: %d %v", name, res.StatusCode, out)
		}
	}
}

// Hand-computed: factor scores 4, 4, 3, 4.5, 3, 5 (mean of each partner's
// two items); mean 23.5/6 = 3.916667, sd √(3.208333/5) = 0.801041,
// t(0.975, 5) = 2.570582, half-width 0.840641.
func TestHealthIndicators(t *testing.T) {
	fx := newFixture(t)
	answerAll(t, fx)
	// While the wave is open, partners may still change their answers and
	// the backbone sees who answered: only the response rates show.
	_, out := fx.ta.call(t, "GET", "/api/v1/partnerships/"+fx.pid+"/indicators/health", "", "Authorization", "Bearer "+fx.backbone)
	for _, f := range out["factors"].([]any) {
		if f := f.(map[string]any); f["total"].(map[string]any)["suppressed"] != true {
			t.Errorf("open wave shows %v", f)
		}
	}
	if out["released"] != false || out["response_rate"].(map[string]any)["responded"] != float64(6) {
		t.Errorf("open wave: released %v, response rate %v", out["released"], out["response_rate"])
	}
	fx.ta.advance(31 * 24 * time.Hour)
	_, out = fx.ta.call(t, "GET", "/api/v1/partnerships/"+fx.pid+"/indicators/health", "", "Authorization", "Bearer "+fx.ta.evaluator)
	var relations map[string]any
	for _, f := range out["factors"].([]any) {
		if f := f.(map[string]any); f["factor"] == "relations_trust" {
			relations = f
		}
	}
	total := relations["total"].(map[string]any)
	ci := total["ci"].([]any)
	if total["n"] != float64(6) || math.Abs(total["mean"].(float64)-3.916667) > 1e-6 || math.Abs(total["sd"].(float64)-0.801041) > 1e-6 ||
		math.Abs(ci[0].(float64)-3.076026) > 1e-5 || math.Abs(ci[1].(float64)-4.757308) > 1e-5 || total["band"] != "borderline" {
		t.Errorf("relations and trust = %v", total)
	}
	// Every sector has fewer than 5 respondents: all withheld, no n.
	for sector, c := range relations["by_sector"].(map[string]any) {
		if c := c.(map[string]any); c["suppressed"] != true || c["n"] != nil || c["mean"] != nil {
			t.Errorf("sector %s shows %v; fewer than 5 answered", sector, c)
		}
	}
	if out["min_group"] != float64(5) || out["response_rate"].(map[string]any)["responded"] != float64(6) {
		t.Errorf("min_group %v, response rate %v", out["min_group"], out["response_rate"])
	}
	// Published figures of a closed wave are frozen: moving a partner to
	// another sector afterwards changes none of them.
	before, _ := json.Marshal(out["factors"])
	if res, _ := fx.ta.call(t, "PATCH", "/api/v1/partnerships/"+fx.pid+"/partners/"+fx.partners["Brugsen"], `{"sector":"public"}`,
		"Authorization", "Bearer "+fx.backbone); res.StatusCode != 200 {
		t.Fatalf("move a partner: %d", res.StatusCode)
	}
	_, again := fx.ta.call(t, "GET", "/api/v1/partnerships/"+fx.pid+"/indicators/health", "", "Authorization", "Bearer "+fx.ta.evaluator)
	if after, _ := json.Marshal(again["factors"]); string(after) != string(before) {
		t.Errorf("health after moving a partner:\n%s\nwas\n%s", after, before)
	}
	// A factor nobody scored is withheld too.
	for _, f := range out["factors"].([]any) {
		if f := f.(map[string]any); f["factor"] == "shared_power" && f["total"].(map[string]any)["suppressed"] != true {
			t.Errorf("shared_power without answers = %v", f["total"])
		}
	}
}

func TestNetwork(t *testing.T) {
	fx := newFixture(t)
	answerAll(t, fx)
	path := "/api/v1/partnerships/" + fx.pid + "/network"
	_, out := fx.ta.call(t, "GET", path, "", "Authorization", "Bearer "+fx.backbone)
	m := out["metrics"].(map[string]any)
	// 8 directed ties among 7 active partners (42 possible); Bibliotek and
	// Jobcenter, FC Vest and Røde Kors name each other (4 of 8 ties);
	// Mødregruppen is alone; private, citizen group and backbone have one
	// partner each.
	if m["nodes"] != float64(7) || m["ties"] != float64(8) || m["density"] != 0.190476 || m["reciprocity"] != 0.5 ||
		m["components"] != float64(2) || fmt.Sprint(m["isolates"]) != "["+fx.partners["Mødregruppen"]+"]" {
		t.Errorf("metrics = %v", m)
	}
	missing, _ := json.Marshal(m["missing_sectors"])
	if string(missing) != `[{"partners":1,"sector":"private"},{"partners":1,"sector":"citizen_group"},{"partners":1,"sector":"backbone"}]` {
		t.Errorf("missing sectors = %s", missing)
	}
	edges, _ := json.Marshal(out["edges"])
	if strings.Contains(string(edges), "trust") {
		t.Errorf("edges show individual ratings: %s", edges)
	}
	// Bibliotek links Jobcenter, FC Vest links Røde Kors and the
	// Frivilligcenter links Brugsen to everyone else: 4 of the 15 pairs
	// each, 4/15 = 0.266667 on the undirected network.
	top := map[string]float64{}
	for _, b := range out["brokers"].([]any)[:3] {
		b := b.(map[string]any)
		top[b["partner"].(string)] = b["betweenness"].(float64)
	}
	want := map[string]float64{fx.partners["Bibliotek"]: 0.266667, fx.partners["FC Vest"]: 0.266667, fx.partners["Frivilligcenter"]: 0.266667}
	if fmt.Sprint(top) != fmt.Sprint(want) {
		t.Errorf("top brokers = %v, want %v", top, want)
	}
	// Ratings received are released when the wave closes, and only
	// averaged over at least the minimum group of raters.
	if out["released"] != false || len(out["received"].([]any)) != 0 {
		t.Errorf("open wave: released %v, received %v", out["released"], out["received"])
	}
	fx.ta.advance(31 * 24 * time.Hour)
	_, out = fx.ta.call(t, "GET", path, "", "Authorization", "Bearer "+fx.backbone)
	for _, r := range out["received"].([]any) {
		if r := r.(map[string]any); r["suppressed"] != true {
			t.Errorf("%v: ratings of a partner shown with fewer than 5 raters", r)
		}
	}

	// With a minimum of 3, FC Vest's three raters (4, 2, 3) may be shown.
	if res, _ := fx.ta.call(t, "PATCH", "/api/v1/partnerships/"+fx.pid, `{"min_group":3}`, "Authorization", "Bearer "+fx.ta.admin); res.StatusCode != 200 {
		t.Fatalf("admin sets the minimum group: %d", res.StatusCode)
	}
	_, out = fx.ta.call(t, "GET", path, "", "Authorization", "Bearer "+fx.ta.evaluator)
	for _, r := range out["received"].([]any) {
		r := r.(map[string]any)
		if r["partner"] == fx.partners["FC Vest"] && (r["raters"] != float64(3) || r["trust"] != float64(3)) {
			t.Errorf("FC Vest received %v, want 3 raters with mean trust 3", r)
		}
	}
}

// Hand-computed on 14 citizens: belonging scores (belonging_place only,
// (answer-1)/4 × 100) of activity A 100 100 75 75 50 0 (three helpers,
// three participants), of B 25 25 50, of C 75 ×5. B's three stay
// unreleased: no group of five shares anything they could be shown by.
// Total of A and C: n 11, sum 775, mean 70.454545, sd 26.967994,
// t(0.975, 10) = 2.228139, half-width 18.117312.
// A: mean 66.666667, sd √(7083.333/5) = 37.638633. C: mean 75, sd 0.
func TestInclusionIndicators(t *testing.T) {
	fx := newFixture(t)
	bb := []string{"Authorization", "Bearer " + fx.backbone}
	p := "/api/v1/partnerships/" + fx.pid
	acts := map[string]string{}
	for _, name := range []string{"A", "B", "C"} {
		_, a := fx.ta.call(t, "POST", p+"/activities", `{"name":"`+name+`"}`, bb...)
		acts[name] = a["id"].(string)
	}
	submit := func(activity string, place int, role string) {
		roleAnswer := ""
		if role != "" {
			roleAnswer = `,"role":"` + role + `"`
		}
		body := fmt.Sprintf(`{"submission_id":%q,"partnership":%q,"activity":%q,"answers":{"belonging_place":%d%s}}`,
			uuid.NewString(), fx.pid, acts[activity], place, roleAnswer)
		if res, out := fx.ta.call(t, "POST", responses, body); res.StatusCode != 201 {
			t.Fatalf("submit: %d %v", res.StatusCode, out)
		}
	}
	for i, place := range []int{5, 5, 4, 4, 3, 1} {
		role := "helper"
		if i%2 == 1 {
			role = "participant"
		}
		submit("A", place, role)
	}
	for _, place := range []int{2, 2, 3} {
		submit("B", place, "participant")
	}
	for range 5 {
		submit("C", 4, "")
	}
	_, out := fx.ta.call(t, "GET", p+"/indicators/inclusion", "", bb...)
	if total := out["total"].(map[string]any); total["suppressed"] != true {
		t.Errorf("before the month ended: %v, want nothing released", total)
	}
	today := fx.ta.now().Format(time.DateOnly)
	fx.ta.nextMonth()

	_, out = fx.ta.call(t, "GET", p+"/indicators/inclusion?by=activity", "", "Authorization", "Bearer "+fx.ta.evaluator)
	total := out["total"].(map[string]any)
	b := total["indices"].(map[string]any)["belonging"].(map[string]any)
	ci := b["ci"].([]any)
	if total["n"] != float64(11) || b["n"] != float64(11) || math.Abs(b["mean"].(float64)-70.454545) > 1e-6 ||
		math.Abs(b["sd"].(float64)-26.967994) > 1e-5 ||
		math.Abs(ci[0].(float64)-(70.454545-18.117312)) > 1e-4 || math.Abs(ci[1].(float64)-(70.454545+18.117312)) > 1e-4 {
		t.Errorf("total belonging = %v", b)
	}
	// Every answer of the eleven is counted: they are one group of five
	// or more, whatever the answers.
	if dist, _ := json.Marshal(b["distribution"]); string(dist) != `{"belonging_place":{"1":1,"2":0,"3":1,"4":7,"5":2}}` {
		t.Errorf("distribution = %s", dist)
	}
	// Role: A's three helpers and three participants gave it up to be
	// shown as one activity, so no role share is published.
	if shares, _ := total["shares"].(map[string]any); shares["role"] != nil {
		t.Errorf("role shares = %v, want none", total["shares"])
	}
	got := map[string]map[string]any{}
	for _, g := range out["groups"].([]any) {
		g := g.(map[string]any)
		got[g["key"].(map[string]any)["activity"].(string)] = g
	}
	a := got[acts["A"]]
	ab := a["indices"].(map[string]any)["belonging"].(map[string]any)
	if a["n"] != float64(6) || math.Abs(ab["mean"].(float64)-66.666667) > 1e-6 || math.Abs(ab["sd"].(float64)-37.638633) > 1e-5 {
		t.Errorf("activity A = %v", a)
	}
	// Six who all answered the same: sd 0 is a figure, and shown.
	if cb := got[acts["C"]]["indices"].(map[string]any)["belonging"].(map[string]any); cb["mean"] != 75.0 || cb["sd"] != 0.0 {
		t.Errorf("activity C belonging = %v, want mean 75 and sd 0 shown", cb)
	}
	if _, shown := got[acts["B"]]; shown || len(got) != 2 {
		t.Errorf("groups = %v, want A and C only", got)
	}

	_, out = fx.ta.call(t, "GET", p+"/indicators/inclusion?by=role", "", bb...)
	roles := map[string]float64{}
	for _, g := range out["groups"].([]any) {
		g := g.(map[string]any)
		roles[g["key"].(map[string]any)["role"].(string)], _ = g["n"].(float64)
	}
	if len(roles) != 2 || roles[""] != 5 || roles["*"] != 6 {
		t.Errorf("role groups = %v, want C's five who did not say (\"\") and A's six not shown by role (\"*\")", roles)
	}
	if res, out := fx.ta.call(t, "GET", p+"/indicators/inclusion?by=shoe_size&from=2026-13", "", bb...); res.StatusCode != 422 || len(out["errors"].([]any)) != 2 {
		t.Errorf("unknown grouping and month: %d %v, want 422 naming both", res.StatusCode, out)
	}
	_, out = fx.ta.call(t, "GET", p+"/indicators/inclusion?from=2000-01-01&to=2000-12-31", "", bb...)
	if out["total"].(map[string]any)["suppressed"] != true {
		t.Errorf("a period without responses shows %v", out["total"])
	}
	_, out = fx.ta.call(t, "GET", p+"/indicators/inclusion?from="+today+"&to="+today+"&activity="+acts["A"], "", bb...)
	if out["total"].(map[string]any)["n"] != float64(6) || out["filters"].(map[string]any)["from"] != today[:7] {
		t.Errorf("the month of today in activity A: %v, want 6 over the whole month", out)
	}
	if res, body := fx.ta.call(t, "GET", p+"/indicators/inclusion?from=2026-03&to=2026-01", "", append(bb, "Accept-Language", "en")...); res.StatusCode != 422 {
		t.Errorf("reversed range: %d %v, want 422", res.StatusCode, body)
	}
}

// Hand-computed: wave 1 belonging 25 25 25 50 50 50 (mean 37.5, sd
// 13.693064), wave 2 75 75 75 100 100 100 (mean 87.5). Difference 50;
// Welch se √62.5 = 7.905694 with 10 df, t = 2.228139, half-width 17.614965;
// d = 50/13.693064 = 3.651484, J = 1 - 3/39, g = 3.370601.
func TestChangeBetweenWaves(t *testing.T) {
	fx := newFixture(t)
	bb := []string{"Authorization", "Bearer " + fx.backbone}
	p := "/api/v1/partnerships/" + fx.pid
	now := time.Now().UTC()
	day := 24 * time.Hour
	for _, w := range [][2]time.Time{{now.Add(-60 * day), now.Add(-30 * day)}, {now.Add(-time.Hour), now.Add(30 * day)}} {
		if res, out := fx.ta.call(t, "POST", p+"/waves", fmt.Sprintf(`{"form":"citizen_short","opens_at":%q,"closes_at":%q}`,
			w[0].Format(time.RFC3339), w[1].Format(time.RFC3339)), bb...); res.StatusCode != 201 {
			t.Fatalf("wave: %d %v", res.StatusCode, out)
		}
	}
	earlier := fx.ta
	earlier.app = reopen(t, fx, func() time.Time { return now.Add(-45 * day) })
	for _, sub := range []struct {
		api   testAPI
		place int
	}{{earlier, 2}, {earlier, 2}, {earlier, 2}, {earlier, 3}, {earlier, 3}, {earlier, 3},
		{fx.ta, 4}, {fx.ta, 4}, {fx.ta, 4}, {fx.ta, 5}, {fx.ta, 5}, {fx.ta, 5}} {
		body := fmt.Sprintf(`{"submission_id":%q,"partnership":%q,"answers":{"belonging_place":%d}}`, uuid.NewString(), fx.pid, sub.place)
		if res, out := sub.api.call(t, "POST", responses, body); res.StatusCode != 201 {
			t.Fatalf("submit: %d %v", res.StatusCode, out)
		}
	}
	fx.ta.nextMonth()
	// The same twelve citizens compared by wave and by the months the
	// waves' answers came in give the same change.
	date := func(d time.Duration) string { return now.Add(d).Format(time.DateOnly) }
	byPeriod := fmt.Sprintf("?from_period=%s/%s&to_period=%s/%s", date(-60*day), date(-45*day), date(-day), date(0))
	for _, query := range []string{"", byPeriod} {
		res, out := fx.ta.call(t, "GET", p+"/indicators/change"+query, "", "Authorization", "Bearer "+fx.ta.evaluator)
		if res.StatusCode != 200 {
			t.Fatalf("change%s: %d %v", query, res.StatusCode, out)
		}
		b := out["indices"].(map[string]any)["belonging"].(map[string]any)
		ch, _ := b["change"].(map[string]any)
		ci, _ := ch["ci"].([]any)
		if ch["difference"] != float64(50) || math.Abs(ch["hedges_g"].(float64)-3.370601) > 1e-5 ||
			math.Abs(ci[0].(float64)-(50-17.614965)) > 1e-4 || math.Abs(ci[1].(float64)-(50+17.614965)) > 1e-4 {
			t.Errorf("change%s = %v", query, out)
		}
		if trust := out["indices"].(map[string]any)["trust"].(map[string]any); trust["suppressed"] != true {
			t.Errorf("trust without answers = %v, want withheld", trust)
		}
	}
	// Nobody answered under a follow-up code: the paired change is
	// withheld, beside the unpaired one.
	_, out := fx.ta.call(t, "GET", p+"/indicators/change?paired=true", "", bb...)
	if b := out["indices"].(map[string]any)["belonging"].(map[string]any); b["paired_suppressed"] != true || b["change"] == nil {
		t.Errorf("paired change without pairs: %v", b)
	}
	_, out = fx.ta.call(t, "GET", p+"/indicators/change?from_period=2000-01/2000-01&to_period=2000-02-01/2000-03-31", "", bb...)
	if b := out["indices"].(map[string]any)["belonging"].(map[string]any); b["suppressed"] != true {
		t.Errorf("a period without responses compared: %v", b)
	}
	for _, bad := range []struct{ query, field, message string }{
		{"?from_period=2026-01-01&to_period=2026-02-01/2026-02-28", "from_period", "to datoer"},
		{"?from_period=2026-01-31/2026-01-01&to_period=2026-02-01/2026-02-28", "from_period", "to datoer"},
		{"?from_period=2026-01-01/2026-02-01&to_period=2026-02-01/2026-02-28", "to_period", "slutte"},
		{"?from_period=2026-01-01/2026-01-31", "to_period", "to datoer"},
		{"?from_wave=x&from_period=2026-01-01/2026-01-31&to_period=2026-02-01/2026-02-28", "from_wave", "målinger"},
		{"?mode=weekly", "mode", "gyldig"},
		{"?paired=maybe", "paired", "gyldig"},
	} {
		res, out := fx.ta.call(t, "GET", p+"/indicators/change"+bad.query+"&lang=da", "", bb...)
		errs, _ := out["errors"].([]any)
		if res.StatusCode != 422 || len(errs) != 1 {
			t.Errorf("%s: %d %v, want one problem", bad.query, res.StatusCode, out)
			continue
		}
		if head := out["error"].(map[string]any)["message"]; head != "Nogle af værdierne skal rettes." {
			t.Errorf("%s: headline %q, want one about values, not answers", bad.query, head)
		}
		e := errs[0].(map[string]any)
		if e["field"] != bad.field || !strings.Contains(e["message"].(string), bad.message) {
			t.Errorf("%s: %v, want a Danish message about %s", bad.query, e, bad.field)
		}
	}
	_, out = fx.ta.call(t, "GET", "/api/v1/indicators/inclusion?by=partnership", "", "Authorization", "Bearer "+fx.ta.evaluator)
	for _, g := range out["groups"].([]any) {
		g := g.(map[string]any)
		if g["key"].(map[string]any)["partnership"] == fx.pid && (g["n"] != float64(12) || g["min_group"] != float64(5)) {
			t.Errorf("side by side: %v, want 12 responses and the minimum group 5", g)
		}
	}
	_, out = fx.ta.call(t, "GET", "/api/v1/indicators/inclusion?from="+date(-50*day)+"&to="+date(-40*day), "", "Authorization", "Bearer "+fx.ta.evaluator)
	for _, g := range out["groups"].([]any) {
		g := g.(map[string]any)
		if g["key"].(map[string]any)["partnership"] == fx.pid && g["n"] != float64(6) {
			t.Errorf("side by side in the first wave's days: %v, want its 6 responses", g)
		}
	}
	if res, _ := fx.ta.call(t, "GET", "/api/v1/indicators/inclusion?from=last-week", "", "Authorization", "Bearer "+fx.ta.evaluator); res.StatusCode != 422 {
		t.Errorf("side by side from a non-date: %d, want 422", res.StatusCode)
	}
}

// The case: five citizens of activity A aged 30-49 and two
// without an activity aged 67 or over. A backbone's export gives the five,
// each one of five rows alike, by month; the two are a group of two and
// stay out. Raw rows are an admin's, and the audit log says who took them.
func TestExports(t *testing.T) {
	fx := newFixture(t)
	answerAll(t, fx)
	_, act := fx.ta.call(t, "POST", "/api/v1/partnerships/"+fx.pid+"/activities", `{"name":"A"}`, "Authorization", "Bearer "+fx.backbone)
	submit := func(activity, age string, place int) {
		body := fmt.Sprintf(`{"submission_id":%q,"partnership":%q,"activity":%q,"answers":{"belonging_place":%d,"age_band":%q,"barriers":["cost","language"],"first_community":true}}`,
			uuid.NewString(), fx.pid, activity, place, age)
		if res, out := fx.ta.call(t, "POST", responses, body); res.StatusCode != 201 {
			t.Fatalf("submit: %d %v", res.StatusCode, out)
		}
	}
	for _, place := range []int{5, 4, 4, 3, 5} {
		submit(act["id"].(string), "30_49", place)
	}
	submit("", "67_plus", 1)
	submit("", "67_plus", 2)
	get := func(path, key string) (int, string) {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := fx.ta.app.Test(req, 30_000)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(data)
	}
	csvRows := func(body string) [][]string {
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("export: %v\n%s", err, body)
		}
		return rows
	}
	if _, body := get("/api/v1/partnerships/"+fx.pid+"/export.csv", fx.backbone); len(csvRows(body)) != 1 {
		t.Errorf("export before the month ended:\n%s, want the header only", body)
	}
	// Partner answers may change until the wave closes: before, none.
	_, open := get("/api/v1/export/partner_survey.csv", fx.ta.evaluator)
	fx.ta.nextMonth()
	status, body := get("/api/v1/partnerships/"+fx.pid+"/export.csv", fx.backbone)
	rows := csvRows(body)
	if status != 200 || len(rows) != 6 {
		t.Fatalf("citizen export: %d, %d rows, want the five of activity A\n%s", status, len(rows), body)
	}
	header := strings.Join(rows[0], ",")
	if !strings.HasPrefix(header, "partnership,activity,wave,month,form_version,belonging_place,") || !strings.HasSuffix(header, "score_belonging,score_trust,score_influence") {
		t.Errorf("header = %s", header)
	}
	if strings.Contains(body, "67_plus") || strings.Contains(body, "submission") || strings.Contains(body, ",da,") ||
		!regexp.MustCompile(`,\d{4}-\d{2},3,`).MatchString(body) || regexp.MustCompile(`\d{4}-\d{2}-\d{2}`).MatchString(body) {
		t.Errorf("rows hold the pair, submission ids, the language or days:\n%s", body)
	}
	if !strings.Contains(body, "cost;language") || !strings.Contains(body, ",true,") || !strings.Contains(body, ",30_49,") {
		t.Errorf("multi and yes/no answers not exported as expected:\n%s", body)
	}
	for _, key := range []string{fx.backbone, fx.ta.evaluator} {
		if status, _ := get("/api/v1/partnerships/"+fx.pid+"/export.csv?raw=true", key); status != 403 {
			t.Errorf("raw rows for a non-admin: %d, want 403", status)
		}
	}
	status, body = get("/api/v1/partnerships/"+fx.pid+"/export.csv?raw=true", fx.ta.admin)
	if rows := csvRows(body); status != 200 || len(rows) != 8 || !strings.Contains(rows[0][3], "day") || !strings.Contains(body, "67_plus") {
		t.Errorf("raw export for an admin: %d\n%s, want all seven with their day", status, body)
	}
	if _, audit := fx.ta.call(t, "GET", "/api/v1/audit", "", "Authorization", "Bearer "+fx.ta.admin); !strings.Contains(fmt.Sprint(audit), "export.raw") {
		t.Errorf("the raw export is not in the audit log: %v", audit)
	}

	fx.ta.advance(40 * 24 * time.Hour)
	_, asEvaluator := get("/api/v1/export/partner_survey.csv", fx.ta.evaluator)
	_, asAdmin := get("/api/v1/export/partner_survey.csv?raw=true", fx.ta.admin)
	if len(csvRows(open)) != 1 || len(csvRows(asEvaluator)) != 7 {
		t.Errorf("partner rows while open %d, after closing %d; want 0 and 6", len(csvRows(open))-1, len(csvRows(asEvaluator))-1)
	}
	if strings.Contains(strings.SplitN(asEvaluator, "\n", 2)[0], "partner,") || !strings.Contains(strings.SplitN(asAdmin, "\n", 2)[0], ",partner,") {
		t.Errorf("rater column: evaluator %q, admin %q; want it in raw rows only", strings.SplitN(asEvaluator, "\n", 2)[0], strings.SplitN(asAdmin, "\n", 2)[0])
	}
	if strings.Contains(asEvaluator, `""trust""`) || !strings.Contains(asAdmin, `""trust""`) {
		t.Errorf("ratings of named partners in the evaluator's rows:\n%s", asEvaluator)
	}
	// Six partners answered: under a minimum of seven, their rows would
	// describe fewer than the minimum, so none come.
	if res, _ := fx.ta.call(t, "PATCH", "/api/v1/partnerships/"+fx.pid, `{"min_group":7}`, "Authorization", "Bearer "+fx.ta.admin); res.StatusCode != 200 {
		t.Fatalf("admin sets the minimum group: %d", res.StatusCode)
	}
	if _, rows := get("/api/v1/export/partner_survey.csv", fx.ta.evaluator); len(csvRows(rows)) != 1 {
		t.Errorf("partner rows of a wave six answered under a minimum of seven:\n%s", rows)
	}
	if status, _ := get("/api/v1/partnerships/nosuch/export.csv", fx.ta.admin); status != 404 {
		t.Errorf("export of an unknown partnership: %d, want 404", status)
	}
	if status, _ := get("/api/v1/export/citizen_short.csv?include_text=true", fx.ta.evaluator); status != 403 {
		t.Errorf("free text for an evaluator: %d, want 403", status)
	}

	_, pkg := get("/api/v1/partnerships/"+fx.pid+"/datapackage.json", fx.backbone)
	var dp struct {
		Description string
		Resources   []struct {
			Schema struct {
				Fields []struct {
					Name, Type string
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(pkg), &dp); err != nil || len(dp.Resources) != 1 {
		t.Fatalf("datapackage: %v %s", err, pkg)
	}
	var names []string
	types := map[string]string{}
	for _, f := range dp.Resources[0].Schema.Fields {
		names = append(names, f.Name)
		types[f.Name] = f.Type
	}
	if strings.Join(names, ",") != header || types["month"] != "string" || types["belonging_place"] != "integer" || types["first_community"] != "string" || types["score_belonging"] != "number" {
		t.Errorf("datapackage fields %v (%v) do not describe the CSV header %s", names, types, header)
	}
	if !strings.Contains(dp.Description, "k-anonymous") {
		t.Errorf("datapackage does not say how rows are protected: %q", dp.Description)
	}
}

// A withheld figure carries nothing: no n, no mean, no interval.
func TestWithheldFiguresCarryNothing(t *testing.T) {
	fx := newFixture(t)
	_, out := fx.ta.call(t, "GET", "/api/v1/partnerships/"+fx.pid+"/indicators/inclusion", "", "Authorization", "Bearer "+fx.backbone)
	if total, _ := json.Marshal(out["total"]); string(total) != `{"key":{},"suppressed":true}` {
		t.Errorf("empty partnership's total = %s", total)
	}
	for range 5 {
		body := fmt.Sprintf(`{"submission_id":%q,"partnership":%q,"answers":{"belonging_place":3}}`, uuid.NewString(), fx.pid)
		fx.ta.call(t, "POST", responses, body)
	}
	fx.ta.nextMonth()
	_, out = fx.ta.call(t, "GET", "/api/v1/partnerships/"+fx.pid+"/indicators/inclusion", "", "Authorization", "Bearer "+fx.backbone)
	trust, _ := json.Marshal(out["total"].(map[string]any)["indices"].(map[string]any)["trust"])
	if string(trust) != `{"suppressed":true}` {
		t.Errorf("unanswered trust index = %s", trust)
	}
}
