package indicators

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"samspil/forms"
	"samspil/partnership"
)

// countingStore counts the reads of responses that releasing takes.
type countingStore struct {
	*memStore
	reads atomic.Int32
}

func (c *countingStore) EachResponseIn(ctx context.Context, form, pid string, days forms.Days, fn func(forms.Response) error) error {
	c.reads.Add(1)
	time.Sleep(20 * time.Millisecond) // a store that takes a moment
	return c.memStore.EachResponseIn(ctx, form, pid, days, fn)
}

// Many people opening the dashboard on the first of the month release the
// month once, and all see the same figures.
func TestConcurrentQueriesReleaseOnce(t *testing.T) {
	catalog, f := citizenForm(t)
	store := &countingStore{memStore: &memStore{releases: map[string][]byte{}}}
	for i, p := range randomPeople(3, 30) {
		store.responses = append(store.responses, p.response(f, i))
	}
	s := New(store, nil, Catalog(catalog), func() time.Time { return month(5) })
	p := partnership.Partnership{ID: "p1", MinGroup: 5}
	var wg sync.WaitGroup
	totals := make([]int, 8)
	for i := range totals {
		wg.Go(func() {
			inc, err := s.Inclusion(context.Background(), p, f, Query{})
			if err != nil {
				t.Error(err)
			}
			totals[i] = inc.Total.N
		})
	}
	wg.Wait()
	if n := store.reads.Load(); n != 1 {
		t.Errorf("responses read %d times, want once", n)
	}
	for _, n := range totals {
		if n != totals[0] || n == 0 {
			t.Errorf("totals %v, want the same released figure for everyone", totals)
			break
		}
	}
}

// The background release does the work before anyone looks: the first
// query after it reads no responses, and another instance's query finds
// the month in the store.
func TestReleaseAllBeforeAnyoneLooks(t *testing.T) {
	catalog, f := citizenForm(t)
	store := &countingStore{memStore: &memStore{releases: map[string][]byte{}}}
	for i, p := range randomPeople(4, 30) {
		store.responses = append(store.responses, p.response(f, i))
	}
	now := func() time.Time { return month(5) }
	p := partnership.Partnership{ID: "p1", MinGroup: 5}
	if err := New(store, nil, Catalog(catalog), now).ReleaseAll(context.Background(), []partnership.Partnership{p}, catalog.Forms()); err != nil {
		t.Fatal(err)
	}
	read := store.reads.Load()
	inc, err := New(store, nil, Catalog(catalog), now).Inclusion(context.Background(), p, f, Query{})
	if err != nil || inc.Total.N == 0 || inc.ReleasedThrough != "2026-03" {
		t.Fatalf("after the background release: %+v, %v", inc.Total, err)
	}
	if store.reads.Load() != read {
		t.Errorf("the query read responses again (%d reads after %d)", store.reads.Load(), read)
	}
}
