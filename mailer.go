package main

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"samspil/access"
	"samspil/forms"
	"samspil/i18n"
	"samspil/mail"
	"samspil/outbox"
)

// newOutbox makes the mail service; without an SMTP server it queues
// nothing and the console shows links to copy.
func newOutbox(cfg config, store outbox.Store, sealer *access.Sealer, catalog *forms.Catalog, messages *i18n.Messages,
	logger *slog.Logger) *outbox.Service {
	o := &outbox.Service{Store: store, Sealer: sealer, Messages: messages, Forms: catalog, Logger: logger, Now: time.Now}
	if cfg.smtp != nil {
		o.Mailer = mail.New(*cfg.smtp)
	}
	return o
}

// mailBaseURL is where links in mail point: the public address, or this
// machine when none is set.
func mailBaseURL(publicURL, listenAddr string, logger *slog.Logger) string {
	if publicURL != "" {
		return publicURL
	}
	_, port, _ := net.SplitHostPort(listenAddr)
	base := "http://localhost:" + port
	logger.Warn("mail is on but no public address is set: links in mails point at this machine; set -public-url", "links", base)
	return base
}

// outboxCollector reports the outbox on /metrics: entries by status, how
// long the oldest due entry has waited (a stuck sender shows here), and
// what this process sent.
type outboxCollector struct {
	o       *outbox.Service
	store   mailStats
	entries *prometheus.Desc
	waiting *prometheus.Desc
	sent    *prometheus.Desc
}

// mailStats counts the outbox.
type mailStats interface {
	MailStats(ctx context.Context) (map[outbox.Status]int, time.Time, error)
}

func newOutboxCollector(o *outbox.Service, store mailStats) *outboxCollector {
	return &outboxCollector{o: o, store: store,
		entries: prometheus.NewDesc("samspil_mail_entries", "Outbox entries by status.", []string{"status"}, nil),
		waiting: prometheus.NewDesc("samspil_mail_oldest_due_seconds", "How long the longest-waiting pending mail has been due.", nil, nil),
		sent:    prometheus.NewDesc("samspil_mail_handed_over_total", "Mails this process handed to the SMTP server, refused for good, or skipped.", []string{"result"}, nil),
	}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.entries
	ch <- c.waiting
	ch <- c.sent
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	by, oldest, err := c.store.MailStats(ctx)
	if err == nil {
		for _, st := range []outbox.Status{outbox.Pending, outbox.Sending, outbox.Sent, outbox.Failed, outbox.Skipped, outbox.Unknown} {
			ch <- prometheus.MustNewConstMetric(c.entries, prometheus.GaugeValue, float64(by[st]), string(st))
		}
		wait := 0.0
		if !oldest.IsZero() {
			wait = max(0, time.Since(oldest).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(c.waiting, prometheus.GaugeValue, wait)
	}
	sent, failed, skipped := c.o.Counts()
	ch <- prometheus.MustNewConstMetric(c.sent, prometheus.CounterValue, float64(sent), "sent")
	ch <- prometheus.MustNewConstMetric(c.sent, prometheus.CounterValue, float64(failed), "failed")
	ch <- prometheus.MustNewConstMetric(c.sent, prometheus.CounterValue, float64(skipped), "skipped")
}
