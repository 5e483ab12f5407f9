package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"samspil/access"
	"samspil/forms"
	"samspil/theory"
)

// theoryForm is the editor's form for t, as the page posts it.
func theoryForm(t theory.Theory, version int) url.Values {
	v := url.Values{"version": {strconv.Itoa(version)}, "note": {""}}
	for i, e := range t.Elements {
		pre := fmt.Sprintf("el.%d.", i)
		v.Set(pre+"id", e.ID)
		v.Set(pre+"text", e.Text)
		v.Set(pre+"column", string(e.Column))
		v.Set(pre+"level", string(e.Level))
		v.Set(pre+"questions", strings.Join(e.Questions, "\n"))
		if e.Measure != nil {
			v.Set(pre+"measure", measureKey(*e.Measure))
		}
	}
	for i, a := range t.Arrows {
		pre := fmt.Sprintf("ar.%d.", i)
		v.Set(pre+"from", a.From)
		v.Set(pre+"to", a.To)
		v.Set(pre+"assumption", a.Assumption)
	}
	return v
}

// A backbone starts from the template, sees a box whose figure is
// withheld say so (never the number), sees the figure once enough have
// answered, adapts the theory (a reworded element, a target, a new
// element and arrow, a note), is shown its mistakes at the field and in
// the summary, keeps its changes when someone saved meanwhile, and
// compares the two versions.
func TestTheoryInTheConsole(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	p := c.partnership(t, "Vest", 3)
	pw := c.user(t, "bo@example.dk", access.RoleBackbone, p.ID)
	b := c.browser(t)
	b.signIn("bo@example.dk", pw)
	path := "/console/partnerships/" + p.ID + "/theory"

	if b.get(path) != http.StatusOK || !b.has("Start fra skabelonen") {
		t.Fatalf("a partnership without a theory is not offered the template:\n%s", b.last)
	}
	if status, loc := b.post(path+"/start", nil); status != http.StatusSeeOther || !strings.Contains(loc, "theory_started") {
		t.Fatalf("start: %d %s", status, loc)
	}

	if b.get(path); !b.has("Ingen tal endnu") || b.has("For få svar til at vise") {
		t.Errorf("before anyone answered, the boxes should say there is no figure yet:\n%s", b.last)
	}

	// Three citizens answered last month: too few to show.
	f, _ := c.catalog(t).Form("citizen_short", 0)
	lastMonth := c.now().AddDate(0, -1, 0)
	lastMonth = time.Date(lastMonth.Year(), lastMonth.Month(), 10, 12, 0, 0, 0, time.UTC)
	answer := func(pid string, n int) {
		for i := range n {
			a := forms.Answers{"belonging_place": 4, "belonging_someone": 4}
			r := forms.NewResponse(f, fmt.Sprintf("%s-%d-%d", pid, n, i), "da", a, lastMonth.Add(time.Duration(i)*time.Minute))
			r.Partnership = pid
			if _, _, err := c.store.SaveResponse(ctx, r, f.Counts(a)); err != nil {
				t.Fatal(err)
			}
		}
	}
	answer(p.ID, 3)
	b.get(path)
	if !b.has("<svg") || !b.has("For få svar til at vise") || b.has("75 af 100") || !b.has("Partnerne stoler på hinanden") {
		t.Errorf("with 3 answers the belonging box should say too few answers, never the figure:\n%s", b.last)
	}

	// Another partnership, where six answered: the figure shows.
	q := c.partnership(t, "Øst", 3)
	qpw := c.user(t, "ib@example.dk", access.RoleBackbone, q.ID)
	bq := c.browser(t)
	bq.signIn("ib@example.dk", qpw)
	qpath := "/console/partnerships/" + q.ID + "/theory"
	bq.get(qpath)
	bq.post(qpath+"/start", nil)
	answer(q.ID, 6)
	bq.get(qpath)
	if !bq.has(">75 af 100<") {
		t.Errorf("with 6 answers the belonging box should show 75 of 100:\n%s", bq.last)
	}
}

// The editor saves a new version, names each mistake, keeps changes made
// over a newer version, and the versions page compares two versions.
func TestTheoryEditor(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	p := c.partnership(t, "Syd", 3)
	pw := c.user(t, "bo@example.dk", access.RoleBackbone, p.ID)
	b := c.browser(t)
	b.signIn("bo@example.dk", pw)
	path := "/console/partnerships/" + p.ID + "/theory"
	b.get(path)
	b.post(path+"/start", nil)
	v1, _, _ := c.store.Theory(ctx, p.ID)

	if b.get(path+"/edit") != http.StatusOK || !b.has(`name="el.0.text"`) || !b.has(`name="newar.from"`) {
		t.Fatalf("the editor does not show the theory's fields:\n%s", b.last)
	}
	form := theoryForm(v1, 1)
	form.Set("el.0.text", "Partnere fra hele Sydbyen")
	form.Set("el.7.target_op", "at_least")
	form.Set("el.7.target_value", "70")
	form.Set("el.7.target_by", "efter tredje runde")
	form.Set("new.text", "Flere bliver frivillige")
	form.Set("new.column", "long_term")
	form.Set("newar.from", "influence")
	form.Set("newar.to", newElement)
	form.Set("newar.assumption", "fordi den, der er med til at bestemme, giver noget igen")
	form.Set("note", "Borgerne vil gerne give noget igen")

	// A mistake first: an empty text, named at the field and in the summary.
	broken := url.Values{}
	for k, vs := range form {
		broken[k] = vs
	}
	broken.Set("el.2.text", "")
	status, _ := b.post(path, broken)
	if status != http.StatusUnprocessableEntity || !b.has(`href="#f-el.2.text"`) || !b.has(`id="e-el.2.text"`) ||
		!b.has("Element 3: Tekst") || !b.has(">Partnere fra hele Sydbyen</textarea>") {
		t.Errorf("an empty text: %d; want the form back, the error at the field and in the summary:\n%s", status, b.last)
	}
	// A target that is no number: named at the field, kept as typed.
	notNumber := url.Values{}
	for k, vs := range form {
		notNumber[k] = vs
	}
	notNumber.Set("el.7.target_value", "abc")
	if status, _ := b.post(path, notNumber); status != http.StatusUnprocessableEntity || !b.has(`id="e-el.7.target_value"`) ||
		!b.has(`href="#f-el.7.target_value"`) || !b.has(`value="abc"`) {
		t.Errorf("a target of abc: %d; want it refused at the field, as typed:\n%s", status, b.last)
	}
	if status, loc := b.post(path, form); status != http.StatusSeeOther || !strings.Contains(loc, "theory_saved") {
		t.Fatalf("save: %d %s\n%s", status, loc, b.last)
	}
	v2, _, _ := c.store.Theory(ctx, p.ID)
	if v2.Version != 2 || v2.Elements[0].Text != "Partnere fra hele Sydbyen" || len(v2.Elements) != len(v1.Elements)+1 ||
		len(v2.Arrows) != len(v1.Arrows)+1 || v2.Elements[7].Measure.Target == nil || v2.Elements[7].Measure.Target.Value != 70 {
		t.Fatalf("version 2 = %+v", v2)
	}
	b.get(path)
	if !b.has("Partnere fra hele Sydbyen") || !b.has("Mål: mindst 70 (efter tredje runde)") || !b.has("fordi den, der er med til at bestemme") {
		t.Errorf("the theory page does not show version 2:\n%s", b.last)
	}

	// Someone saved version 2 while another edited version 1: the changes
	// come back with the newer version named, nothing is overwritten.
	stale := theoryForm(v1, 1)
	stale.Set("el.1.text", "En tovholder på fuld tid")
	if status, _ := b.post(path, stale); status != http.StatusConflict || !b.has("Nogen har gemt version 2") || !b.has(">En tovholder på fuld tid</textarea>") ||
		!b.has(">Partnere fra hele Sydbyen</textarea>") || !b.has(`name="version" value="2"`) {
		t.Errorf("a save over a newer version: %d\n%s", status, b.last)
	}
	if now, _, _ := c.store.Theory(ctx, p.ID); now.Version != 2 {
		t.Errorf("a stale save made version %d", now.Version)
	}

	if b.get(path+"/versions?from=1&to=2") != http.StatusOK || !b.has("Borgerne vil gerne give noget igen") ||
		!b.has("<ins>Flere bliver frivillige</ins>") || !b.has("<del>"+v1.Elements[0].Text+"</del> → <ins>Partnere fra hele Sydbyen</ins>") {
		t.Errorf("the versions page does not compare 1 and 2:\n%s", b.last)
	}

	// An evaluator reads the theory, and may not change it.
	epw := c.user(t, "eva@example.dk", access.RoleEvaluator, p.ID)
	e := c.browser(t)
	e.signIn("eva@example.dk", epw)
	if e.get(path) != http.StatusOK || e.has("Ret forandringsteorien") {
		t.Errorf("an evaluator's theory page offers to edit it")
	}
	if e.get(path+"/edit") != http.StatusForbidden && e.get(path+"/edit") != http.StatusNotFound {
		t.Errorf("an evaluator opened the editor")
	}
}
