package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"samspil/internal/demo"
	"samspil/storage"
)

func TestDemoCommand(t *testing.T) {
	dir := t.TempDir()
	env := func(string) string { return "" }
	seed := func(args ...string) (string, string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"samspil", "demo"}, args...), env, &out, &errOut)
		return out.String(), errOut.String(), err
	}
	if _, _, err := seed("-data", dir, "extra"); err == nil {
		t.Error("demo with an argument: no error")
	}
	out, _, err := seed("-data", dir, "-public-url", "https://samspil.example.dk/")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"Samspil Nordvest"`, "34 partners", "3 activities", "140 answers", "160 answers",
		"26 of 34 partners", "30 of 34 partners", "https://samspil.example.dk/console/partnerships/" + demo.PartnershipID + "/results"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// A second demo in the same store is refused, and changes nothing.
	if _, _, err := seed("-data", dir); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("second demo: %v, want a refusal", err)
	}
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(ctx)
	ps, err := store.Partnerships(ctx)
	if err != nil || len(ps) != 1 || ps[0].ID != demo.PartnershipID {
		t.Errorf("partnerships = %+v, %v; want the demo once", ps, err)
	}
}
