package main

import (
	"context"
	"log/slog"
	"time"

	"samspil/retention"
)

// retentionInterval is how often the retention job looks for personal
// data that was kept long enough.
const retentionInterval = 6 * time.Hour

// retentionLoop deletes what is due at start-up and then every
// retentionInterval, until ctx ends.
func retentionLoop(ctx context.Context, job *retention.Service, logger *slog.Logger) {
	for {
		rep, err := job.Run(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("retention job", "err", err)
		case rep != (retention.Report{}):
			logger.Info("retention job deleted what was due", "texts", rep.Texts, "contacts", rep.Contacts,
				"invitations", rep.Invitations, "audit", rep.Audit, "sign_ins", rep.SignIns, "mail", rep.Mail)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(retentionInterval):
		}
	}
}
