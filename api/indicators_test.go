package api

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
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
