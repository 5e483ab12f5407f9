package demo

import (
	"context"
	"testing"
	"time"

	"samspil/forms"
	"samspil/storage"
)

func TestZZTime(t *testing.T) {
	ctx := context.Background()
	t0 := time.Now()
	store, err := storage.Open(ctx, storage.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(ctx)
	t.Logf("open %v", time.Since(t0))
	c, _ := forms.Builtin()
	t1 := time.Now()
	d, err := Seed(ctx, store, c, time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
	t.Logf("seed %v", time.Since(t1))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", d.CitizenWaves)
}
