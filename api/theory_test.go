package api

import (
	"encoding/json"
	"strings"
	"testing"

	"samspil/theory"
)

// A backbone saves its program theory from the template, changes it with
// If-Match on the version it read, is refused (412, localized) when it
// saves over a newer one and (428) when it names none, gets field errors
// for a broken theory, and reads every version and what changed between
// two. Another partnership's key reads nothing of it.
func TestTheoryVersionsThroughTheAPI(t *testing.T) {
	fx := newFixture(t)
	bb := []string{"Authorization", "Bearer " + fx.backbone}
	base := "/api/v1/partnerships/" + fx.pid + "/theory"

	if res, o := fx.ta.call(t, "GET", base, "", bb...); res.StatusCode != 404 || o["error"].(map[string]any)["code"] != "not_found" {
		t.Fatalf("no theory yet: %d %v", res.StatusCode, o)
	}
	res, tpl := fx.ta.call(t, "GET", base+"/template?lang=en", "", bb...)
	if res.StatusCode != 200 || len(tpl["elements"].([]any)) == 0 {
		t.Fatalf("template: %d %v", res.StatusCode, tpl)
	}
	body := func(th theory.Theory, note string) string {
		b, _ := json.Marshal(theoryInput{Elements: th.Elements, Arrows: th.Arrows, Note: note})
		return string(b)
	}
	first := theory.Template("da")
	res, saved := fx.ta.call(t, "PUT", base, body(first, "Første udkast"), bb...)
	if res.StatusCode != 201 || res.Header.Get("ETag") != `"1"` || saved["version"] != 1.0 || saved["author"] == "" {
		t.Fatalf("first save: %d %s %v", res.StatusCode, res.Header.Get("ETag"), saved)
	}

	second := theory.Template("da")
	second.Elements[0].Text = "Partnere fra hele Vestbyen"
	if res, o := fx.ta.call(t, "PUT", base, body(second, "Flere partnere"), bb...); res.StatusCode != 428 {
		t.Errorf("a save without If-Match over version 1: %d %v, want 428", res.StatusCode, o)
	}
	if res, o := fx.ta.call(t, "PUT", base, body(second, "Flere partnere"), append(bb, "If-Match", `"1"`)...); res.StatusCode != 200 || res.Header.Get("ETag") != `"2"` {
		t.Fatalf("second save: %d %v", res.StatusCode, o)
	}
	res, o := fx.ta.call(t, "PUT", base, body(first, "stale"), append(bb, "If-Match", `"1"`, "Accept-Language", "da")...)
	msg, _ := o["error"].(map[string]any)["message"].(string)
	if res.StatusCode != 412 || !strings.Contains(msg, "version 2") || !strings.Contains(msg, "Nogen har gemt") {
		t.Errorf("a save over a newer version: %d %q, want 412 naming version 2 in Danish", res.StatusCode, msg)
	}

	broken := theory.Template("da")
	broken.Elements[2].Text = ""
	broken.Arrows[0].To = "nowhere"
	broken.Elements[3].Activity = "not-an-activity"
	res, o = fx.ta.call(t, "PUT", base, body(broken, ""), append(bb, "If-Match", `"2"`)...)
	fields := map[string]string{}
	for _, e := range o["errors"].([]any) {
		e := e.(map[string]any)
		fields[e["field"].(string)] = e["code"].(string)
	}
	if res.StatusCode != 422 || fields["elements.2.text"] != "required" || fields["arrows.0.to"] != "unknown_element" ||
		fields["elements.3.activity"] != "activity_not_found" {
		t.Errorf("a broken theory: %d %v", res.StatusCode, fields)
	}

	res, o = fx.ta.call(t, "GET", base, "", bb...)
	if res.StatusCode != 200 || res.Header.Get("ETag") != `"2"` || o["note"] != "Flere partnere" {
		t.Errorf("latest: %d %s %v", res.StatusCode, res.Header.Get("ETag"), o["note"])
	}
	// What GET gave goes back with PUT, changed.
	o["note"] = "Sendt tilbage som læst"
	read, _ := json.Marshal(o)
	if res, back := fx.ta.call(t, "PUT", base, string(read), append(bb, "If-Match", `"2"`)...); res.StatusCode != 200 || back["version"] != 3.0 {
		t.Errorf("a theory as read, sent back: %d %v", res.StatusCode, back)
	}
	_, o = fx.ta.call(t, "GET", base+"/versions", "", bb...)
	if vs := o["versions"].([]any); len(vs) != 3 || vs[0].(map[string]any)["version"] != 3.0 || vs[2].(map[string]any)["note"] != "Første udkast" {
		t.Errorf("versions: %v", o)
	}
	if res, o := fx.ta.call(t, "GET", base+"/versions/1", "", bb...); res.StatusCode != 200 || o["note"] != "Første udkast" {
		t.Errorf("version 1: %d %v", res.StatusCode, o)
	}
	if res, _ := fx.ta.call(t, "GET", base+"/versions/9", "", bb...); res.StatusCode != 404 {
		t.Errorf("version 9: %d, want 404", res.StatusCode)
	}
	res, o = fx.ta.call(t, "GET", base+"/compare?from=1&to=2", "", bb...)
	changes := o["changes"].(map[string]any)
	if rw := changes["reworded"].([]any); res.StatusCode != 200 || len(rw) != 1 || len(changes["added"].([]any)) != 0 {
		t.Errorf("compare 1 and 2: %d %v", res.StatusCode, changes)
	}
	if res, _ := fx.ta.call(t, "GET", base, "", "Authorization", "Bearer "+fx.other); res.StatusCode != 403 && res.StatusCode != 404 {
		t.Errorf("another partnership's key read the theory: %d", res.StatusCode)
	}
}
