package partnership

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParsePartnerCSVAcceptsWhatSpreadsheetsWrite(t *testing.T) {
	want := []Partner{
		{Name: "Bydelens Bibliotek", Sector: Public, Email: "bib@kk.dk", Active: true},
		{Name: "FC Æblehaven", Sector: Civil, Active: true},
		{Name: "Brugsen Øst", Sector: Private, Email: "kontakt@brugsen.dk", Active: true},
	}
	for _, file := range []string{"partners-crlf.csv", "partners-bom-semicolon.csv", "partners-windows1252-cr.csv", "partners-utf16.csv", "partners-danish.csv"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + file)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := ParsePartnerCSV(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(want) {
				t.Fatalf("%d rows, want %d", len(rows), len(want))
			}
			for i, r := range rows {
				if r.Partner != want[i] || len(r.Problems) > 0 || r.Row != i+2 {
					t.Errorf("row %d = %+v %+v, want %+v and no problems", r.Row, r.Partner, r.Problems, want[i])
				}
			}
		})
	}
}

func TestParsePartnerCSVReportsEveryBadRow(t *testing.T) {
	data, err := os.ReadFile("testdata/partners-bad-row.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := ParsePartnerCSV(data)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int][]string{}
	for _, r := range rows {
		for _, p := range r.Problems {
			got[r.Row] = append(got[r.Row], p.Field+":"+p.Code)
		}
	}
	want := map[int][]string{
		3: {"sector:invalid_sector"},
		4: {"name:required"},
		5: {"email:invalid_email", "name:duplicate_in_file"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("problems by row = %v, want %v", got, want)
	}
	if _, err := ParsePartnerCSV([]byte("organisation,type\nA,public\n")); err != ErrImportHeader {
		t.Errorf("wrong header: %v, want ErrImportHeader", err)
	}
}

func TestWaveStatusAndChecks(t *testing.T) {
	open := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	w := Wave{OpensAt: open, ClosesAt: open.Add(30 * 24 * time.Hour)}
	for at, want := range map[time.Time]string{
		open.Add(-time.Second):        Scheduled,
		open:                          Open,
		open.Add(29 * 24 * time.Hour): Open,
		open.Add(30 * 24 * time.Hour): Closed,
	} {
		if got := w.Status(at); got != want {
			t.Errorf("status at %v = %s, want %s", at, got, want)
		}
	}
	backwards := Wave{OpensAt: open, ClosesAt: open.Add(-time.Hour)}
	if ps := backwards.Check("partner"); len(ps) != 1 || ps[0].Code != "closes_before_open" {
		t.Errorf("closing before opening: %+v", ps)
	}
	if ps := w.Check("poll"); len(ps) != 1 || ps[0].Code != "unknown_form" {
		t.Errorf("unknown kind: %+v", ps)
	}
	if w.Check("activity"); w.Respondents != "citizens" {
		t.Errorf("respondents of an activity form = %q", w.Respondents)
	}
}

func TestChecks(t *testing.T) {
	p := Partnership{Name: "  Vest  ", MinGroup: 2}
	if ps := p.Check(); len(ps) != 1 || ps[0].Code != "min_group_too_small" || p.Name != "Vest" {
		t.Errorf("partnership check: %+v, name %q", ps, p.Name)
	}
	q := Partnership{Name: "Øst"}
	if ps := q.Check(); len(ps) > 0 || q.MinGroup != 5 || !slices.Equal(q.Languages, []string{"da"}) {
		t.Errorf("defaults: %+v %+v", q, ps)
	}
	a := Activity{Name: "Café", Partners: []string{"p1", "elsewhere"}}
	if ps := a.Check([]Partner{{ID: "p1"}}); len(ps) != 1 || ps[0].Field != "partners[1]" || ps[0].Code != "unknown_partner" {
		t.Errorf("activity with a partner of another partnership: %+v", ps)
	}
	if NameKey("  FC   Æblehaven ") != NameKey("fc æblehaven") {
		t.Error("names differing in case and spacing do not compare equal")
	}
	if id := NewID("pt"); len(id) != 18 || id != strings.ToLower(id) {
		t.Errorf("NewID = %q, want pt and 16 lower-case characters", id)
	}
}

func TestParsePartnerCSVWithTabs(t *testing.T) {
	rows, err := ParsePartnerCSV([]byte("navn\tsektor\te-mail\nBibliotek\toffentlig\tbib@kk.dk\n"))
	if err != nil || len(rows) != 1 || rows[0].Partner.Sector != Public || len(rows[0].Problems) > 0 {
		t.Errorf("tab-separated file: %+v, %v", rows, err)
	}
}
