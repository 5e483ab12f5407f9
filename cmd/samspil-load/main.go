// Command samspil-load sends citizen responses to a running Samspil, as
// many phones at once would, and reports how many were stored, how fast,
// and how long citizens waited:
//
//	go run ./cmd/samspil-load -url http://127.0.0.1:8080 -n 2000 -c 50
//
// With -compare it measures, back to back on a fresh embedded store, the
// store's own single-document insert rate with -c writers and Samspil's
// end-to-end submission rate with -c phones, and prints both and their
// ratio:
//
//	go run ./cmd/samspil-load -compare -n 2000 -c 50
//
// It answers the form the service serves, so the answers are valid for
// whatever version is current. It exits non-zero when any response was
// not stored.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gonum.org/v1/gonum/stat"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "samspil-load:", err)
		os.Exit(1)
	}
}

// item is what the load needs to know of a question to answer it.
type item struct {
	ID       string          `json:"id"`
	Type     string          `json:"type"`
	Min      int             `json:"min"`
	Max      int             `json:"max"`
	MaxPicks int             `json:"max_picks"`
	ShowIf   json.RawMessage `json:"show_if"`
	Options  []struct {
		Value string `json:"value"`
	} `json:"options"`
}

// outcome is one response sent: its HTTP status (0 when it never got
// one) and how long it took.
type outcome struct {
	status int
	took   time.Duration
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "address of the Samspil service")
	form := fs.String("form", "citizen_short", "citizen form to answer")
	partnership := fs.String("partnership", "", "partnership the responses belong to (none when empty)")
	n := fs.Int("n", 1000, "responses to send")
	c := fs.Int("c", 20, "responses in flight at once")
	compare := fs.Bool("compare", false, "measure the store's insert rate and Samspil's on a fresh embedded store, and their ratio (ignores -url)")
	cpuProfile := fs.String("cpuprofile", "", "with -compare, write a CPU profile of the end-to-end part to this file")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *n < 1 || *c < 1 {
		return errors.New("-n and -c must be at least 1")
	}
	if *compare {
		return compareRates(ctx, *n, *c, *form, *cpuProfile, stdout)
	}
	stored, sent, _, err := load(ctx, *base, *form, *partnership, *n, *c, stdout)
	if err != nil {
		return err
	}
	if stored < sent {
		return fmt.Errorf("%d of %d responses were not stored", sent-stored, sent)
	}
	return nil
}

// load sends n responses, c at a time, to the service at base, prints the
// report and returns how many were stored of how many sent, and the rate.
func load(ctx context.Context, base, form, partnership string, n, c int, stdout io.Writer) (stored, sent int, rate float64, err error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c}}
	defer client.CloseIdleConnections()
	endpoint := strings.TrimSuffix(base, "/") + "/api/v1/forms/" + form
	items, err := questions(ctx, client, endpoint)
	if err != nil {
		return 0, 0, 0, err
	}

	jobs := make(chan struct{})
	outcomes := make(chan outcome, n)
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Go(func() {
			for range jobs {
				outcomes <- submit(ctx, client, endpoint+"/responses", answers(items), partnership)
			}
		})
	}
send:
	for range n {
		select {
		case jobs <- struct{}{}:
		case <-ctx.Done():
			break send
		}
	}
	close(jobs)
	wg.Wait()
	close(outcomes)
	elapsed := time.Since(start)
	stored, sent = report(stdout, outcomes, elapsed)
	return stored, sent, float64(stored) / elapsed.Seconds(), nil
}

// questions loads the form and keeps the questions every respondent sees:
// one shown only after some answers would be refused for the others.
func questions(ctx context.Context, client *http.Client, endpoint string) ([]item, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, err
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("load the form: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("load the form: %s", res.Status)
	}
	var f struct {
		Items []item `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&f); err != nil {
		return nil, fmt.Errorf("read the form: %w", err)
	}
	return slices.DeleteFunc(f.Items, func(it item) bool { return len(it.ShowIf) > 0 }), nil
}

// answers makes up one respondent's answers, skipping about one question
// in five as people do.
func answers(items []item) map[string]any {
	a := map[string]any{}
	for _, it := range items {
		if mrand.IntN(5) == 0 {
			continue
		}
		switch {
		case it.Type == "scale" || it.Type == "rating":
			a[it.ID] = it.Min + mrand.IntN(it.Max-it.Min+1)
		case it.Type == "yesno":
			a[it.ID] = mrand.IntN(2) == 0
		case it.Type == "choice" && len(it.Options) > 0:
			a[it.ID] = it.Options[mrand.IntN(len(it.Options))].Value
		case it.Type == "multi" && len(it.Options) > 0:
			a[it.ID] = []string{it.Options[mrand.IntN(len(it.Options))].Value}
		}
	}
	return a
}

func submit(ctx context.Context, client *http.Client, url string, a map[string]any, partnership string) outcome {
	sub := map[string]any{"submission_id": uuid.NewString(), "answers": a}
	if partnership != "" {
		sub["partnership"] = partnership
	}
	body, _ := json.Marshal(sub)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return outcome{}
	}
	req.Header.Set("Content-Type", "application/json")
	t0 := time.Now()
	res, err := client.Do(req)
	if err != nil {
		return outcome{took: time.Since(t0)}
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return outcome{status: res.StatusCode, took: time.Since(t0)}
}

// report prints throughput, statuses and latency quantiles, and returns
// how many responses were stored of how many sent.
func report(w io.Writer, outcomes <-chan outcome, elapsed time.Duration) (stored, sent int) {
	statuses := map[int]int{}
	var took []float64
	for o := range outcomes {
		statuses[o.status]++
		took = append(took, o.took.Seconds()*1000)
	}
	stored, sent = statuses[http.StatusCreated], len(took)
	fmt.Fprintf(w, "%d of %d responses stored in %v: %.1f/s\n", stored, len(took), elapsed.Round(time.Millisecond),
		float64(stored)/elapsed.Seconds())
	for _, s := range slices.Sorted(maps.Keys(statuses)) {
		label := fmt.Sprint(s)
		if s == 0 {
			label = "no answer"
		}
		fmt.Fprintf(w, "  %s: %d\n", label, statuses[s])
	}
	if sent == 0 {
		return stored, sent
	}
	slices.Sort(took)
	fmt.Fprintf(w, "latency ms: p50 %.1f, p95 %.1f, p99 %.1f, max %.1f\n",
		stat.Quantile(0.5, stat.Empirical, took, nil), stat.Quantile(0.95, stat.Empirical, took, nil),
		stat.Quantile(0.99, stat.Empirical, took, nil), took[len(took)-1])
	return stored, sent
}
