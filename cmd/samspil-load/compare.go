package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	"gonum.org/v1/gonum/stat"

	"samspil/access"
	"samspil/api"
	"samspil/forms"
	"samspil/i18n"
	"samspil/storage"
)

// compareRates measures, back to back on one fresh embedded store, the
// store's single-document insert rate with c writers and Samspil's
// end-to-end rate with c phones, and prints both and their ratio.
func compareRates(ctx context.Context, n, c int, form, cpuProfile string, stdout io.Writer) error {
	dir, err := os.MkdirTemp("", "samspil-compare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := storage.Open(ctx, storage.Config{DataDir: dir})
	if err != nil {
		return err
	}
	defer store.Close(context.WithoutCancel(ctx))

	start := time.Now()
	took, err := store.MeasureInserts(ctx, n, c)
	if err != nil {
		return err
	}
	raw := float64(n) / time.Since(start).Seconds()
	ms := make([]float64, len(took))
	for i, d := range took {
		ms[i] = d.Seconds() * 1000
	}
	slices.Sort(ms)
	fmt.Fprintf(stdout, "store: %d single-document inserts, %d writers: %.1f/s; latency ms: p50 %.1f, p99 %.1f\n",
		n, c, raw, stat.Quantile(0.5, stat.Empirical, ms, nil), stat.Quantile(0.99, stat.Empirical, ms, nil))

	base, stop, err := serveAPI(store)
	if err != nil {
		return err
	}
	defer stop()
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Fprintf(stdout, "samspil: ")
	stored, sent, rate, err := load(ctx, base, form, "", n, c, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ratio: %.2f × the store's insert rate\n", rate/raw)
	if stored < sent {
		return fmt.Errorf("%d of %d responses were not stored", sent-stored, sent)
	}
	return nil
}

// serveAPI serves Samspil's API over store on a loopback port, without
// abuse limits (the load comes from one address).
func serveAPI(store *storage.Store) (string, func(), error) {
	catalog, err := forms.Builtin()
	if err != nil {
		return "", nil, err
	}
	messages, err := i18n.Load()
	if err != nil {
		return "", nil, err
	}
	app, err := api.New(api.Config{Forms: catalog, Messages: messages, Store: store, Limits: &access.Limits{}})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go app.Listener(ln)
	return "http://" + ln.Addr().String(), func() { _ = app.Shutdown() }, nil
}
