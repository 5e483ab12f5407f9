package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"samspil/access"
	"samspil/forms"
	"samspil/outbox"
	"samspil/partnership"
)

// A partner's data is erased on request: its survey answer leaves the
// totals, its link stops working, its name and e-mail go, and the audit
// log says that it happened without saying who it was. A partnership is
// erased only once it has ended, and then wholly.
func TestErasure(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	ta := newTestAPI(t, store)
	now := time.Now().UTC()
	p := partnership.Partnership{ID: "pa1", Name: "Vest", MinGroup: 5, CreatedAt: now}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(store.CreatePartnership(ctx, p))
	partner := partnership.Partner{ID: "pt1", Partnership: "pa1", Name: "Røde Kors Vest", Sector: "civil", Email: "kontakt@example.dk", Active: true, JoinedAt: now}
	must(store.CreatePartner(ctx, partner))
	must(store.CreateWave(ctx, partnership.Wave{ID: "w1", Partnership: "pa1", Form: "partner_survey", Respondents: "partners",
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour)}))
	token := access.NewToken()
	_, err := store.CreateInvitation(ctx, partnership.Invitation{Hash: access.Hash(token), Partnership: "pa1", Wave: "w1", Partner: "pt1", CreatedAt: now})
	must(err)
	if res, out := ta.call(t, "PUT", "/api/v1/invitations/"+token+"/response", `{"answers":{"relations_trust_close_relations":4}}`); res.StatusCode != 201 {
		t.Fatalf("partner answer: %d %v", res.StatusCode, out)
	}
	if tally, _ := store.Tally(ctx, "partner_survey"); tally.N != 1 {
		t.Fatalf("n = %d before erasure", tally.N)
	}
	// A mail to the partner, sent: the outbox keeps its address.
	_, err = store.QueueMail(ctx, outbox.Entry{ID: "invitation:w1:pt1:x", Kind: outbox.Invitation, To: "kontakt@example.dk",
		Partnership: "pa1", Wave: "w1", Partner: "pt1", Status: outbox.Sent, Created: now, Due: now})
	must(err)

	bearer := []string{"Authorization", "Bearer " + ta.admin}
	if res, out := ta.call(t, "DELETE", "/api/v1/partnerships/pa1/partners/pt1", "", bearer...); res.StatusCode != 204 {
		t.Fatalf("erase partner: %d %v", res.StatusCode, out)
	}
	if tally, _ := store.Tally(ctx, "partner_survey"); tally.N != 0 {
		t.Errorf("n = %d after erasing the partner, want its answer off the totals", tally.N)
	}
	if _, ok, _ := store.Response(ctx, forms.PartnerResponseID("w1", "pt1")); ok {
		t.Error("the partner's answer is still stored")
	}
	if res, _ := ta.call(t, "GET", "/api/v1/invitations/"+token, ""); res.StatusCode != 404 {
		t.Errorf("the partner's link after erasure: %d, want 404", res.StatusCode)
	}
	if mail, _ := store.MailOfWave(ctx, "w1"); len(mail) != 0 {
		t.Errorf("the outbox keeps the erased partner's mail: %+v", mail)
	}
	got, _ := store.Partner(ctx, "pa1", "pt1")
	if strings.Contains(got.Name, "Røde") || got.Email != "" || got.Active || !got.Erased {
		t.Errorf("partner after erasure = %+v, want nameless, without e-mail, inactive", got)
	}
	log, _ := store.AuditLog(ctx, 10)
	if len(log) == 0 || log[0].Action != "partner.erase" || log[0].Target != "pt1" {
		t.Errorf("audit log = %+v, want the erasure by id", log)
	}
	for _, e := range log {
		if strings.Contains(e.Target+e.Actor, "Røde") || strings.Contains(e.Target, "kontakt@") {
			t.Errorf("the audit log keeps what was erased: %+v", e)
		}
	}
	// Again: nothing left, no error.
	if res, _ := ta.call(t, "DELETE", "/api/v1/partnerships/pa1/partners/pt1", "", bearer...); res.StatusCode != 204 {
		t.Errorf("erasing again: %d", res.StatusCode)
	}

	// A citizen's answer, then the partnership.
	if res, out := ta.call(t, "POST", "/api/v1/forms/citizen_short/responses",
		`{"submission_id":"2c9f1c61-3f4c-4a57-9d59-3a6f0c2b1e01","partnership":"pa1","answers":{"belonging_place":4}}`); res.StatusCode != 201 {
		t.Fatalf("citizen answer: %d %v", res.StatusCode, out)
	}
	if res, out := ta.call(t, "DELETE", "/api/v1/partnerships/pa1", "", bearer...); res.StatusCode != 409 ||
		out["error"].(map[string]any)["code"] != "partnership_not_ended" {
		t.Errorf("erasing a running partnership: %d %v, want 409", res.StatusCode, out)
	}
	ended := now.Add(-time.Minute).Format(time.RFC3339)
	if res, out := ta.call(t, "PATCH", "/api/v1/partnerships/pa1", `{"ended_at":"`+ended+`"}`, append(bearer, "Content-Type", "application/json")...); res.StatusCode != 200 {
		t.Fatalf("end the partnership: %d %v", res.StatusCode, out)
	}
	if res, _ := ta.call(t, "POST", "/api/v1/forms/citizen_short/responses",
		`{"submission_id":"2c9f1c61-3f4c-4a57-9d59-3a6f0c2b1e02","partnership":"pa1","answers":{"belonging_place":4}}`); res.StatusCode != 422 {
		t.Errorf("an answer after the end: %d, want 422", res.StatusCode)
	}
	if res, out := ta.call(t, "DELETE", "/api/v1/partnerships/pa1", "", bearer...); res.StatusCode != 204 {
		t.Fatalf("erase the ended partnership: %d %v", res.StatusCode, out)
	}
	if res, _ := ta.call(t, "GET", "/api/v1/partnerships/pa1", "", bearer...); res.StatusCode != 404 {
		t.Errorf("the erased partnership: %d, want 404", res.StatusCode)
	}
	for _, form := range []string{"citizen_short", "partner_survey"} {
		if tally, _ := store.Tally(ctx, form); tally.N != 0 {
			t.Errorf("%s totals after erasing the partnership: n = %d", form, tally.N)
		}
		if rows := ta.stored(t, form); len(rows) != 0 {
			t.Errorf("%s export after erasing the partnership: %d rows", form, len(rows))
		}
	}
	if ps, _ := store.Partners(ctx, "pa1"); len(ps) != 0 {
		t.Errorf("%d partners kept", len(ps))
	}
}
