package storage

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// probeCollection is where MeasureInserts writes; it is dropped after.
const probeCollection = "probe_inserts"

// MeasureInserts inserts n documents the size and shape of a response,
// one InsertOne each from writers goroutines at once, into a scratch
// collection it drops afterwards, and returns each insert's time: the
// store's own single-document insert rate, which samspil-load -compare
// holds the end-to-end rate against.
func (s *Store) MeasureInserts(ctx context.Context, n, writers int) ([]time.Duration, error) {
	coll := s.db.Collection(probeCollection)
	defer coll.Drop(context.WithoutCancel(ctx))
	jobs := make(chan int)
	took := make([]time.Duration, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range writers {
		wg.Go(func() {
			for i := range jobs {
				doc := bson.D{{Key: "_id", Value: "citizen_short:probe-" + strconv.Itoa(i)}, {Key: "form", Value: "citizen_short"},
					{Key: "version", Value: 3}, {Key: "partnership", Value: "pa-probe"}, {Key: "lang", Value: "da"},
					{Key: "answers", Value: bson.D{{Key: "belonging_place", Value: 4}, {Key: "belonging_someone", Value: 3},
						{Key: "trust_participants", Value: 5}, {Key: "trust_organisers", Value: 4}, {Key: "influence_decide", Value: 2},
						{Key: "age_band", Value: "30-49"}, {Key: "role", Value: "participant"}}},
					{Key: "scores", Value: bson.D{{Key: "belonging", Value: 75.0}, {Key: "trust", Value: 87.5}, {Key: "influence", Value: 25.0}}},
					{Key: "fingerprint", Value: "0123456789abcdef0123456789abcdef"}, {Key: "submitted_at", Value: time.Now().UTC()}}
				t0 := time.Now()
				_, err := coll.InsertOne(ctx, doc)
				took[i] = time.Since(t0)
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("probe insert: %w", err)
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return took, first
}
