package intake

import (
	"context"
	"errors"
	"testing"
	"time"

	"samspil/access"
	"samspil/forms"
	"samspil/partnership"
	"samspil/storage"
)

type catalog struct{ c *forms.Catalog }

func (f catalog) Form(_ context.Context, id string, version int) (*forms.Form, error) {
	if form, ok := f.c.Form(id, version); ok {
		return form, nil
	}
	return nil, errors.New("no such form")
}

func newService(t *testing.T) (*Service, *storage.Store, *forms.Catalog, *time.Time) {
	t.Helper()
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close(ctx) })
	c, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	return New(store, catalog{c}, func() time.Time { return now }), store, c, &now
}

func TestCitizenSubmissions(t *testing.T) {
	s, store, c, now := newService(t)
	ctx := context.Background()
	f, _ := c.Form("citizen_short", 0)
	store.CreatePartnership(ctx, partnership.Partnership{ID: "vest", Name: "Vest", MinGroup: 5})
	store.CreateActivity(ctx, partnership.Activity{ID: "cafe", Partnership: "vest", Name: "Café", Active: true})
	store.CreateActivity(ctx, partnership.Activity{ID: "old", Partnership: "vest", Name: "Old", Active: false})
	open := partnership.Wave{ID: "w2", Partnership: "vest", Form: f.ID, Respondents: "citizens", OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour)}
	store.CreateWave(ctx, open)

	sub := Citizen{Form: f, SubmissionID: "2c9f1c61-3f4c-4a57-9d59-3a6f0c2b1e01", Lang: "da", Partnership: "vest", Activity: "cafe",
		Answers: map[string]any{"belonging_place": 4}}
	got, err := s.Submit(ctx, sub)
	r, created := got.Response, got.Created
	if err != nil || !created || r.Wave != "w2" || r.Activity != "cafe" {
		t.Fatalf("first submission: %+v, %v, %v; want it placed in the open wave", r, created, err)
	}
	// A phone's retry is acknowledged again; other answers under the same
	// id are a conflict.
	if got, err := s.Submit(ctx, sub); err != nil || got.Created {
		t.Errorf("retry: created %v, %v; want acknowledged again", got.Created, err)
	}
	sub.Answers = map[string]any{"belonging_place": 2}
	if _, err := s.Submit(ctx, sub); !errors.Is(err, ErrConflict) {
		t.Errorf("other answers under one id: %v, want ErrConflict", err)
	}
	if s.Stored() != 1 {
		t.Errorf("stored %d, want 1", s.Stored())
	}

	tests := []struct {
		pid, aid string
		answers  map[string]any
		want     []string
	}{
		{"nowhere", "", map[string]any{"belonging_place": 4}, []string{"unknown_partnership"}},
		{"vest", "old", map[string]any{"belonging_place": 9}, []string{"inactive_activity", "out_of_range"}},
		{"", "cafe", nil, []string{"unknown_activity", "no_answers"}},
		{"vest", "", map[string]any{}, []string{"no_answers"}},
	}
	for _, tt := range tests {
		_, err := s.Submit(ctx, Citizen{Form: f, SubmissionID: "5b0a1f7e-6d5c-4f3e-8a2b-1c0d9e8f7a6b", Partnership: tt.pid, Activity: tt.aid, Answers: tt.answers})
		var invalid *Invalid
		if !errors.As(err, &invalid) {
			t.Errorf("%s/%s: %v, want Invalid", tt.pid, tt.aid, err)
			continue
		}
		var codes []string
		for _, p := range invalid.Problems {
			codes = append(codes, p.Code)
		}
		if len(codes) != len(tt.want) || codes[0] != tt.want[0] {
			t.Errorf("%s/%s: problems %v, want %v", tt.pid, tt.aid, codes, tt.want)
		}
	}
	partnerForm, _ := c.Form("partner_survey", 0)
	if _, err := s.Submit(ctx, Citizen{Form: partnerForm}); !errors.Is(err, ErrPartnerForm) {
		t.Errorf("partner form without an invitation: %v", err)
	}
}

func TestPartnerAnswers(t *testing.T) {
	s, store, c, now := newService(t)
	ctx := context.Background()
	store.CreatePartnership(ctx, partnership.Partnership{ID: "vest", Name: "Vest", MinGroup: 5})
	for _, id := range []string{"pt1", "pt2"} {
		store.CreatePartner(ctx, partnership.Partner{ID: id, Partnership: "vest", Name: id, Sector: partnership.Civil, Active: true})
	}
	f, _ := c.Form("partner_survey", 0)
	w := partnership.Wave{ID: "w1", Partnership: "vest", Form: f.ID, Version: f.Version, Respondents: "partners",
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour)}
	store.CreateWave(ctx, w)
	token := access.NewToken()
	store.CreateInvitation(ctx, partnership.Invitation{Hash: access.Hash(token), Partnership: "vest", Wave: "w1", Partner: "pt1"})

	if _, err := s.Open(ctx, "wrong"); !errors.Is(err, ErrNoInvitation) {
		t.Errorf("wrong token: %v", err)
	}
	in, err := s.Open(ctx, token)
	if err != nil || in.Partner.ID != "pt1" || len(in.Roster) != 1 || in.Roster[0].ID != "pt2" || in.Answered {
		t.Fatalf("open: %+v, %v", in, err)
	}
	answers := map[string]any{"relations_trust_close_relations": 4}
	if created, err := s.Answer(ctx, in, "da", answers, false); err != nil || !created {
		t.Fatalf("first answer: %v, %v", created, err)
	}
	in, _ = s.Open(ctx, token)
	if !in.Answered {
		t.Error("an answered invitation does not say so")
	}
	if created, err := s.Answer(ctx, in, "da", map[string]any{"relations_trust_close_relations": 2}, false); err != nil || created {
		t.Errorf("changed answer: created %v, %v; want replaced", created, err)
	}
	if _, err := s.Answer(ctx, in, "da", map[string]any{"collaboration": []any{map[string]any{"partner": "pt1"}}}, false); err == nil {
		t.Error("a partner named itself in its roster")
	}
	log, _ := store.AuditLog(ctx, 10)
	if len(log) != 2 || log[0].Actor != "invitation:pt1" {
		t.Errorf("audit log = %+v, want the create and the replace by the invitation", log)
	}
	*now = now.Add(2 * time.Hour)
	if _, err := s.Answer(ctx, in, "da", answers, false); !errors.Is(err, ErrWaveClosed) {
		t.Errorf("after closing: %v, want ErrWaveClosed", err)
	}
}
