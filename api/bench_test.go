package api

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/forms"
	"samspil/i18n"
	"samspil/partnership"
	"samspil/storage"
)

// BenchmarkIndicatorsAtScale loads synthetic citizen responses into the
// embedded store (spread over 90 days and 5 activities of one partnership)
// and times the inclusion endpoint (all, by age band, the last month), the
// health endpoint, running totals over date ranges and a full export. Sizes
// come from SAMSPIL_BENCH_SIZES (default 10000,100000):
//
//	SAMSPIL_BENCH_SIZES=10000,100000,1000000 go test ./api -run XXX -bench IndicatorsAtScale -benchtime 50x -timeout 60m
//
// Indicators read running totals, one document per cell, never responses,
// so their cost follows the number of cells, not of responses.
func BenchmarkIndicatorsAtScale(b *testing.B) {
	sizes := os.Getenv("SAMSPIL_BENCH_SIZES")
	if sizes == "" {
		sizes = "10000,100000"
	}
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchmarkAtSize(b, n) })
	}
}

func benchmarkAtSize(b *testing.B, n int) {
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.Config{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close(ctx)
	catalog, err := forms.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	f, _ := catalog.Form("citizen_short", 0)
	pid := "pabench"
	if err := store.CreatePartnership(ctx, partnership.Partnership{ID: pid, Name: "Bench", MinGroup: 5}); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	rng := rand.New(rand.NewPCG(7, 9))
	roles := []string{"participant", "helper", "co_creator", "speaks_for_others"}
	ages := []string{"under_18", "18_29", "30_49", "50_66", "67_plus"}
	first := time.Now().Add(-90 * 24 * time.Hour)
	for done := 0; done < n; {
		batch := min(5000, n-done)
		rs := make([]forms.Response, 0, batch)
		counts := make([][]forms.Count, 0, batch)
		for i := range batch {
			a := forms.Answers{"belonging_place": 1 + rng.IntN(5), "belonging_someone": 1 + rng.IntN(5),
				"trust_participants": 1 + rng.IntN(5), "influence_decide": 1 + rng.IntN(5),
				"role": roles[rng.IntN(4)], "age_band": ages[rng.IntN(5)], "barriers": []string{"cost"}}
			r := forms.NewResponse(f, fmt.Sprintf("bench-%d", done+i), "da", a, first.Add(time.Duration(rng.IntN(90*24))*time.Hour))
			r.Partnership, r.Activity = pid, fmt.Sprintf("ac%d", rng.IntN(5))
			rs = append(rs, r)
			counts = append(counts, f.Counts(a))
		}
		if _, err := store.ImportResponses(ctx, rs, counts); err != nil {
			b.Fatal(err)
		}
		done += batch
	}
	loaded := time.Since(start)
	rebuilt, err := store.RebuildTotals(ctx, nil)
	if err != nil || rebuilt.Responses != n {
		b.Fatalf("rebuild: %+v, %v", rebuilt, err)
	}
	b.Logf("%d responses loaded in %v, %d cells rebuilt in %v", n, loaded.Round(time.Millisecond), rebuilt.Cells, (time.Since(start) - loaded).Round(time.Millisecond))

	messages, err := i18n.Load()
	if err != nil {
		b.Fatal(err)
	}
	app, err := New(Config{Forms: catalog, Messages: messages, Store: store})
	if err != nil {
		b.Fatal(err)
	}
	key := "bench-admin"
	if err := store.SaveKey(ctx, access.KeyFromSecret(key, access.RoleAdmin, time.Now())); err != nil {
		b.Fatal(err)
	}
	wave := benchPartnerWave(b, store, catalog, pid)
	lastMonth := time.Now().AddDate(0, -1, 0).Format(time.DateOnly)
	// The first query after months have ended releases them: it reads
	// every response of those months once.
	t0 := time.Now()
	get(b, app, "/api/v1/partnerships/"+pid+"/indicators/inclusion", key)
	b.Logf("first query, releasing the ended months: %v", time.Since(t0).Round(time.Millisecond))
	for _, path := range []string{
		"/api/v1/partnerships/" + pid + "/indicators/inclusion",
		"/api/v1/partnerships/" + pid + "/indicators/inclusion?by=age_band",
		"/api/v1/partnerships/" + pid + "/indicators/inclusion?by=activity&activity=ac1",
		"/api/v1/partnerships/" + pid + "/indicators/inclusion?from=" + lastMonth,
		"/api/v1/partnerships/" + pid + "/indicators/health?wave=" + wave,
	} {
		b.Run(strings.TrimPrefix(path, "/api/v1/partnerships/"+pid+"/"), func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				t0 := time.Now()
				get(b, app, path, key)
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
		})
	}
	// Date ranges read running totals by month where they cover one whole,
	// and by day for the rest: this month so far (as the staff home page
	// asks), and a range across two months that starts and ends mid-month.
	today := time.Now().UTC()
	for name, days := range map[string]forms.Days{
		"cells/this-month": {From: today.Format("2006-01") + "-01", To: today.Format(time.DateOnly)},
		"cells/mid-month":  {From: today.AddDate(0, -1, 0).Format(time.DateOnly), To: today.AddDate(0, 0, -5).Format(time.DateOnly)},
	} {
		b.Run(name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := store.Cells(ctx, pid, f.ID, days); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
		})
	}
	// One export is enough to time: it reads every response.
	t0 = time.Now()
	size := get(b, app, "/api/v1/partnerships/"+pid+"/export.csv", key)
	b.Logf("export of %d responses: %.1f MB in %v", n, float64(size)/1e6, time.Since(t0).Round(time.Millisecond))
}

// benchPartnerWave adds 30 partners who all answered a partner wave that
// has closed, so that its figures are released.
func benchPartnerWave(b *testing.B, store *storage.Store, catalog *forms.Catalog, pid string) string {
	ctx := context.Background()
	f, _ := catalog.Form("partner_survey", 0)
	w := partnership.Wave{ID: "wabench", Partnership: pid, Form: f.ID, Version: f.Version, Respondents: "partners",
		OpensAt: time.Now().Add(-2 * time.Hour), ClosesAt: time.Now().Add(-time.Hour)}
	if err := store.CreateWave(ctx, w); err != nil {
		b.Fatal(err)
	}
	for i := range 30 {
		p := partnership.Partner{ID: fmt.Sprintf("pt%02d", i), Partnership: pid, Name: fmt.Sprintf("Partner %d", i),
			Sector: partnership.Sectors[i%len(partnership.Sectors)], Active: true}
		if err := store.CreatePartner(ctx, p); err != nil {
			b.Fatal(err)
		}
		a := forms.Answers{"relations_trust_close_relations": 1 + i%5, "communication_informed": 1 + (i*3)%5}
		r := forms.NewResponse(f, p.ID, "da", a, time.Now())
		r.ID, r.Partnership, r.Wave, r.Partner = forms.PartnerResponseID(w.ID, p.ID), pid, w.ID, p.ID
		if _, err := store.ReplaceResponse(ctx, r, f.Counts(a)); err != nil {
			b.Fatal(err)
		}
	}
	return w.ID
}

func get(b *testing.B, app *fiber.App, path, key string) int {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := app.Test(req, -1)
	if err != nil || res.StatusCode != 200 {
		b.Fatalf("%s: %v %v", path, res, err)
	}
	n, _ := io.Copy(io.Discard, res.Body)
	return int(n)
}
