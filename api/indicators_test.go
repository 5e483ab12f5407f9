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
	_, out := fx.ta.call(t, "GET", "/api/v1/partnerships/"+fx.pid+"/indicators/health", "", "Authorization", "Bearer "+fx.ta.evaluator)
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
	for _, r := range out["received"].([]any) {
		if r := r.(map[string]any); r["suppressed"] != true {
			t.Errorf("%v: ratings of a partner shown with fewer than 5 raters", r)
		}
	}

	// With a minimum of 3, FC Vest's three raters (4, 2, 3) may be shown.
	fx.ta.call(t, "PATCH", "/api/v1/partnerships/"+fx.pid, `{"min_group":3}`, "Authorization", "Bearer "+fx.backbone)
	_, out = fx.ta.call(t, "GET", path, "", "Authorization", "Bearer "+fx.ta.evaluator)
	for _, r := range out["received"].([]any) {
		r := r.(map[string]any)
		if r["partner"] == fx.partners["FC Vest"] && (r["raters"] != float64(3) || r["trust"] != float64(3)) {
			t.Errorf("FC Vest received %v, want 3 raters with mean trust 3", r)
		}
	}
}

// Hand-computed on 14 citizens: belonging scores (belonging_place only,
// (answer-1)/4 × 100) of activity A 100 100 75 75 50 0, of B 25 25 50, of
// C 75 ×5. Total: sum 875, sum of squares 65625, mean 62.5, sd
// √(10937.5/13) = 29.005967, t(0.975, 13) = 2.160369, half-width 16.747565.
// A: mean 66.666667, sd √(7083.333/5) = 37.638633.
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

	_, out := fx.ta.call(t, "GET", p+"/indicators/inclusion?by=activity", "", "Authorization", "Bearer "+fx.ta.evaluator)
	total := out["total"].(map[string]any)
	b := total["indices"].(map[string]any)["belonging"].(map[string]any)
	ci := b["ci"].([]any)
	if total["n"] != float64(14) || b["n"] != float64(14) || b["mean"] != 62.5 || math.Abs(b["sd"].(float64)-29.005967) > 1e-5 ||
		math.Abs(ci[0].(float64)-(62.5-16.747565)) > 1e-4 || math.Abs(ci[1].(float64)-(62.5+16.747565)) > 1e-4 {
		t.Errorf("total belonging = %v", b)
	}
	// Of the answers to belonging_place (5:2, 4:7, 3:1, 2:2, 1:1), only
	// the 7 may be shown.
	if dist, _ := json.Marshal(b["distribution"]); string(dist) != `{"belonging_place":{"4":7}}` {
		t.Errorf("distribution = %s", dist)
	}
	// helper 3 of 9 is too few, and hiding it alone would let participant
	// 6 give it away: neither is shown.
	if shares, _ := json.Marshal(total["shares"].(map[string]any)["role"]); string(shares) != `{}` {
		t.Errorf("role shares = %s, want none", shares)
	}

	// By activity: B has 3, so it is withheld, and C (the next smallest)
	// with it, or total minus A minus C would give B away.
	got := map[string]any{}
	for _, g := range out["groups"].([]any) {
		g := g.(map[string]any)
		got[g["key"].(map[string]any)["activity"].(string)] = g
	}
	a := got[acts["A"]].(map[string]any)
	ab := a["indices"].(map[string]any)["belonging"].(map[string]any)
	if a["n"] != float64(6) || math.Abs(ab["mean"].(float64)-66.666667) > 1e-6 || math.Abs(ab["sd"].(float64)-37.638633) > 1e-5 {
		t.Errorf("activity A = %v", a)
	}
	for _, name := range []string{"B", "C"} {
		g := got[acts[name]].(map[string]any)
		if g["suppressed"] != true || g["n"] != nil || g["indices"] != nil {
			t.Errorf("activity %s = %v, want withheld without n", name, g)
		}
	}

	_, out = fx.ta.call(t, "GET", p+"/indicators/inclusion?by=role", "", bb...)
	for _, g := range out["groups"].([]any) {
		if g := g.(map[string]any); g["suppressed"] != true {
			t.Errorf("role group %v shown; helpers are 3 and participants 6", g)
		}
	}
	if res, _ := fx.ta.call(t, "GET", p+"/indicators/inclusion?by=shoe_size", "", bb...); res.StatusCode != 422 {
		t.Errorf("unknown grouping: %d, want 422", res.StatusCode)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	_, out = fx.ta.call(t, "GET", p+"/indicators/inclusion?from=2000-01-01&to=2000-12-31", "", bb...)
	if out["total"].(map[string]any)["suppressed"] != true {
		t.Errorf("a period without responses shows %v", out["total"])
	}
	_, out = fx.ta.call(t, "GET", p+"/indicators/inclusion?from="+today+"&to="+today+"&activity="+acts["A"], "", bb...)
	if out["total"].(map[string]any)["n"] != float64(6) {
		t.Errorf("today in activity A: %v, want 6", out["total"])
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
	// The same twelve citizens compared by wave and by the periods the
	// waves ran in give the same change.
	date := func(d time.Duration) string { return now.Add(d).Format(time.DateOnly) }
	byPeriod := fmt.Sprintf("?from_period=%s/%s&to_period=%s/%s", date(-60*day), date(-30*day), date(-day), date(0))
	for _, query := range []string{"", byPeriod} {
		res, out := fx.ta.call(t, "GET", p+"/indicators/change"+query, "", "Authorization", "Bearer "+fx.ta.evaluator)
		if res.StatusCode != 200 {
			t.Fatalf("change%s: %d %v", query, res.StatusCode, out)
		}
		b := out["indices"].(map[string]any)["belonging"].(map[string]any)
		ch := b["change"].(map[string]any)
		ci := ch["ci"].([]any)
		if ch["difference"] != float64(50) || math.Abs(ch["hedges_g"].(float64)-3.370601) > 1e-5 ||
			math.Abs(ci[0].(float64)-(50-17.614965)) > 1e-4 || math.Abs(ci[1].(float64)-(50+17.614965)) > 1e-4 {
			t.Errorf("change%s = %v", query, ch)
		}
		if trust := out["indices"].(map[string]any)["trust"].(map[string]any); trust["suppressed"] != true {
			t.Errorf("trust without answers = %v, want withheld", trust)
		}
	}
	_, out := fx.ta.call(t, "GET", p+"/indicators/change?from_period="+date(-60*day)+"/"+date(-30*day)+"&to_period="+date(-29*day)+"/"+date(-2*day), "", bb...)
	if b := out["indices"].(map[string]any)["belonging"].(map[string]any); b["suppressed"] != true {
		t.Errorf("a period without responses compared: %v", b)
	}
	for _, bad := range []struct{ query, field, message string }{
		{"?from_period=2026-01-01&to_period=2026-02-01/2026-02-28", "from_period", "to datoer"},
		{"?from_period=2026-01-31/2026-01-01&to_period=2026-02-01/2026-02-28", "from_period", "to datoer"},
		{"?from_period=2026-01-01/2026-02-01&to_period=2026-02-01/2026-02-28", "to_period", "slutte"},
		{"?from_period=2026-01-01/2026-01-31", "to_period", "to datoer"},
		{"?from_wave=x&from_period=2026-01-01/2026-01-31&to_period=2026-02-01/2026-02-28", "from_wave", "målinger"},
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

func TestExports(t *testing.T) {
	fx := newFixture(t)
	answerAll(t, fx)
	for _, place := range []int{5, 3} {
		body := fmt.Sprintf(`{"submission_id":%q,"partnership":%q,"answers":{"belonging_place":%d,"barriers":["cost","language"],"first_community":true}}`,
			uuid.NewString(), fx.pid, place)
		if res, out := fx.ta.call(t, "POST", responses, body); res.StatusCode != 201 {
			t.Fatalf("submit: %d %v", res.StatusCode, out)
		}
	}
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
	status, body := get("/api/v1/partnerships/"+fx.pid+"/export.csv", fx.backbone)
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if status != 200 || err != nil || len(rows) != 3 {
		t.Fatalf("citizen export: %d %v %d rows\n%s", status, err, len(rows), body)
	}
	header := strings.Join(rows[0], ",")
	if !strings.HasPrefix(header, "partnership,activity,wave,day,form_version,lang,belonging_place,") || !strings.HasSuffix(header, "score_belonging,score_trust,score_influence") {
		t.Errorf("header = %s", header)
	}
	if strings.Contains(body, "submission") || !regexp.MustCompile(`,\d{4}-\d{2}-\d{2},2,`).MatchString(body) {
		t.Errorf("rows hold submission ids or times finer than a day:\n%s", body)
	}
	if !strings.Contains(body, "cost;language") || !strings.Contains(body, ",true,") {
		t.Errorf("multi and yes/no answers not exported as expected:\n%s", body)
	}

	_, asEvaluator := get("/api/v1/export/partner_survey.csv", fx.ta.evaluator)
	_, asAdmin := get("/api/v1/export/partner_survey.csv", fx.ta.admin)
	if strings.Contains(strings.SplitN(asEvaluator, "\n", 2)[0], "partner,") || !strings.Contains(strings.SplitN(asAdmin, "\n", 2)[0], ",partner,") {
		t.Errorf("rater column: evaluator %q, admin %q; want it for admins only", strings.SplitN(asEvaluator, "\n", 2)[0], strings.SplitN(asAdmin, "\n", 2)[0])
	}
	if status, _ := get("/api/v1/export/citizen_short.csv?include_text=true", fx.ta.evaluator); status != 403 {
		t.Errorf("free text for an evaluator: %d, want 403", status)
	}

	_, pkg := get("/api/v1/partnerships/"+fx.pid+"/datapackage.json", fx.backbone)
	var dp struct {
		Resources []struct {
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
	if strings.Join(names, ",") != header || types["day"] != "date" || types["belonging_place"] != "integer" || types["first_community"] != "string" || types["score_belonging"] != "number" {
		t.Errorf("datapackage fields %v (%v) do not describe the CSV header %s", names, types, header)
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
	_, out = fx.ta.call(t, "GET", "/api/v1/partnerships/"+fx.pid+"/indicators/inclusion", "", "Authorization", "Bearer "+fx.backbone)
	trust, _ := json.Marshal(out["total"].(map[string]any)["indices"].(map[string]any)["trust"])
	if string(trust) != `{"suppressed":true}` {
		t.Errorf("unanswered trust index = %s", trust)
	}
}
