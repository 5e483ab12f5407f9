package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"samspil/forms"
	"samspil/indicators"
	"samspil/internal/demo"
	"samspil/partnership"
	"samspil/storage"
)

// makeDemo is `samspil demo`: it fills the store with a made-up
// partnership as it would look after half a year of use, to show and try
// the console with, and says what it made and where to see it. A store
// that has the demo already is left as it is.
func makeDemo(ctx context.Context, cfg config, logger *slog.Logger, stdout io.Writer) error {
	if len(cfg.args) > 0 {
		return fmt.Errorf("unexpected arguments %q", cfg.args)
	}
	store, catalog, closeStore, err := openStore(ctx, cfg, logger)
	if err != nil {
		return fmt.Errorf("%w (on the embedded store, stop the server first)", err)
	}
	defer closeStore()
	switch p, err := store.Partnership(ctx, demo.PartnershipID); {
	case err == nil:
		return fmt.Errorf("this store has the demo partnership %q (id %s) already; to seed a fresh demo, point -data at an empty folder", p.Name, p.ID)
	case !errors.Is(err, partnership.ErrNotFound):
		return fmt.Errorf("look for the demo partnership: %w", err)
	}
	start := time.Now()
	d, err := demo.Seed(ctx, store, catalog, start)
	if err != nil {
		return err
	}
	took := time.Since(start)
	return describeDemo(ctx, store, d, baseURL(cfg, ""), took, stdout)
}

// describeDemo says in plain words what the store now holds of the demo,
// read back from it, and where to see it.
func describeDemo(ctx context.Context, store *storage.Store, d demo.Demo, base string, took time.Duration, stdout io.Writer) error {
	p, err := store.Partnership(ctx, d.Partnership)
	if err != nil {
		return fmt.Errorf("read the demo partnership back: %w", err)
	}
	partners, err := store.Partners(ctx, p.ID)
	if err != nil {
		return fmt.Errorf("read the demo partners back: %w", err)
	}
	activities, err := store.Activities(ctx, p.ID)
	if err != nil {
		return fmt.Errorf("read the demo activities back: %w", err)
	}
	bySector := map[partnership.Sector]int{}
	for _, pt := range partners {
		bySector[pt.Sector]++
	}
	var sectors, names []string
	for _, sec := range partnership.Sectors {
		sectors = append(sectors, fmt.Sprintf("%d %s", bySector[sec], strings.ReplaceAll(string(sec), "_", " ")))
	}
	for _, a := range activities {
		names = append(names, a.Name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Made the demo partnership %q (id %s) in %s in %.1f s, as it would look after half a year of use:\n",
		p.Name, p.ID, p.Area, took.Seconds())
	fmt.Fprintf(&b, "  %d partners: %s\n", len(partners), strings.Join(sectors, ", "))
	fmt.Fprintf(&b, "  %d activities: %s\n", len(activities), strings.Join(names, ", "))
	for i, id := range d.CitizenWaves {
		w, err := store.Wave(ctx, p.ID, id)
		if err != nil {
			return fmt.Errorf("read wave %s back: %w", id, err)
		}
		n := 0
		if err := store.EachResponse(ctx, w.Form, p.ID, w.ID, func(forms.Response) error { n++; return nil }); err != nil {
			return fmt.Errorf("count the answers to wave %s: %w", id, err)
		}
		fmt.Fprintf(&b, "  citizen round %d (%s version %d), %s: %d answers\n", i+1, w.Form, w.Version, waveDays(w), n)
	}
	for i, id := range d.PartnerWaves {
		w, err := store.Wave(ctx, p.ID, id)
		if err != nil {
			return fmt.Errorf("read wave %s back: %w", id, err)
		}
		answers, err := store.PartnerResponses(ctx, w.ID, indicators.PartnerIDs(partners))
		if err != nil {
			return fmt.Errorf("count the answers to wave %s: %w", id, err)
		}
		fmt.Fprintf(&b, "  partner round %d (%s), %s: %d of %d partners answered\n", i+1, w.Form, waveDays(w), len(answers), len(partners))
	}
	fmt.Fprintf(&b, "Every round has closed, so all its figures can be shown.\n\n")
	fmt.Fprintf(&b, "See the results in the console, signed in as an admin, an evaluator or a backbone of %s:\n  %s/console/partnerships/%s/results\n", p.ID, base, p.ID)
	_, err = io.WriteString(stdout, b.String())
	return err
}

// waveDays gives a wave's first and last day, as the console shows them:
// Danish days.
func waveDays(w partnership.Wave) string {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		loc = time.UTC
	}
	return w.OpensAt.In(loc).Format(time.DateOnly) + " to " + w.ClosesAt.In(loc).Add(-time.Second).Format(time.DateOnly)
}
