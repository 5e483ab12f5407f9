package outbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"samspil/partnership"
)

// BenchmarkThousandInvitations makes 1,000 partners' links with their
// mail entries, then hands the 1,000 mails to an SMTP server on loopback,
// on the embedded store:
//
//	go test ./outbox -run XXX -bench ThousandInvitations -benchtime 3x
func BenchmarkThousandInvitations(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	var partners []partnership.Partner
	for i := range 1000 {
		p := partnership.Partner{ID: fmt.Sprintf("p%04d", i), Partnership: "vest", Name: fmt.Sprintf("Partner %04d", i),
			Sector: partnership.Civil, Email: fmt.Sprintf("p%04d@example.dk", i), Active: true}
		if err := w.store.CreatePartner(ctx, p); err != nil {
			b.Fatal(err)
		}
		partners = append(partners, p)
	}
	var queue, send time.Duration
	b.ResetTimer()
	for i := range b.N {
		wave := w.wave
		wave.ID = fmt.Sprintf("bench%d", i)
		if err := w.store.CreateWave(ctx, wave); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for _, p := range partners {
			if _, ok, err := w.out.Invite(ctx, wave, p, "b", false); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
		queued := time.Now()
		n, err := w.out.Drain(ctx)
		if err != nil || n != 1000 {
			b.Fatalf("sent %d: %v", n, err)
		}
		queue += queued.Sub(start)
		send += time.Since(queued)
	}
	b.ReportMetric(queue.Seconds()/float64(b.N), "s-to-queue")
	b.ReportMetric(send.Seconds()/float64(b.N), "s-to-hand-over")
	b.ReportMetric(1000*float64(b.N)/send.Seconds(), "mails/s")
}
