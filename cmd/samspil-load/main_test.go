package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"samspil/api"
	"samspil/forms"
	"samspil/i18n"
	"samspil/storage"
)

// serve runs Samspil over the embedded store on a loopback port.
func serve(t *testing.T) (string, *storage.Store) {
	t.Helper()
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := forms.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	messages, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	app, err := api.New(api.Config{Forms: catalog, Messages: messages, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() {
		_ = app.ShutdownWithTimeout(5 * time.Second)
		_ = store.Close(ctx)
	})
	return "http://" + ln.Addr().String(), store
}

func TestLoadIsStoredAndCounted(t *testing.T) {
	url, store := serve(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"samspil-load", "-url", url, "-n", "40", "-c", "8"}, &out); err != nil {
		t.Fatalf("load: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "40 of 40 responses stored") || !strings.Contains(out.String(), "latency ms: p50") {
		t.Errorf("report:\n%s\nwant all 40 stored and the latencies", out.String())
	}
	tally, err := store.Tally(context.Background(), "citizen_short")
	if err != nil {
		t.Fatal(err)
	}
	if tally.N != 40 {
		t.Errorf("the totals count %d responses, want the 40 sent", tally.N)
	}
}

func TestLoadFailsWhenResponsesAreRefused(t *testing.T) {
	url, _ := serve(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown form", []string{"-form", "nosuch"}, "load the form: 404"},
		{"unknown partnership", []string{"-partnership", "panosuch"}, "5 of 5 responses were not stored"},
		{"no responses", []string{"-n", "0"}, "at least 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			args := append([]string{"samspil-load", "-url", url, "-n", "5"}, tc.args...)
			err := run(context.Background(), args, &out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run = %v, want an error saying %q\n%s", err, tc.want, out.String())
			}
		})
	}
}

// -compare measures the store and Samspil back to back and prints both
// rates and their ratio; the ratio is the end-to-end rate over the store's.
func TestCompareReportsBothRatesAndTheirRatio(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"samspil-load", "-compare", "-n", "30", "-c", "3"}, &out); err != nil {
		t.Fatalf("compare: %v\n%s", err, out.String())
	}
	var raw, e2e, ratio float64
	for _, line := range strings.Split(out.String(), "\n") {
		switch {
		case strings.HasPrefix(line, "store: "):
			fmt.Sscanf(line[strings.Index(line, "writers: ")+len("writers: "):], "%f/s", &raw)
		case strings.HasPrefix(line, "samspil: "):
			fmt.Sscanf(line[strings.Index(line, ": ")+2:], "30 of 30 responses stored in %s %f/s", new(string), &e2e)
		case strings.HasPrefix(line, "ratio: "):
			fmt.Sscanf(line, "ratio: %f", &ratio)
		}
	}
	if raw <= 0 || e2e <= 0 || math.Abs(ratio-e2e/raw) > 0.01 {
		t.Errorf("store %.1f/s, samspil %.1f/s, ratio %.2f; want both measured and the ratio of the two:\n%s", raw, e2e, ratio, out.String())
	}
}
