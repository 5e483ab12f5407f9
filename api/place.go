package api

import (
	"context"
	"errors"
	"time"

	"samspil/forms"
	"samspil/partnership"
)

// place checks the partnership and activity a citizen's link names and
// finds the wave of the form open in that partnership now. Empty ids
// place a response nowhere in particular.
func (s *server) place(ctx context.Context, store PartnershipStore, f *forms.Form, pid, aid string, now time.Time) (wave string, problems []fieldError, err error) {
	if pid == "" {
		if aid != "" {
			problems = append(problems, fieldError{field: "activity", code: "unknown_activity", msgID: "activity_not_found"})
		}
		return "", problems, nil
	}
	if _, err := store.Partnership(ctx, pid); errors.Is(err, partnership.ErrNotFound) {
		return "", []fieldError{{field: "partnership", code: "unknown_partnership", msgID: "partnership_not_found"}}, nil
	} else if err != nil {
		return "", nil, err
	}
	if aid != "" {
		a, err := store.Activity(ctx, pid, aid)
		switch {
		case errors.Is(err, partnership.ErrNotFound):
			problems = append(problems, fieldError{field: "activity", code: "unknown_activity", msgID: "activity_not_found"})
		case err != nil:
			return "", nil, err
		case !a.Active:
			problems = append(problems, fieldError{field: "activity", code: "inactive_activity", msgID: "activity_inactive"})
		}
	}
	waves, err := store.Waves(ctx, pid)
	if err != nil {
		return "", nil, err
	}
	var open *partnership.Wave
	for i, w := range waves {
		if w.Form == f.ID && w.Respondents == "citizens" && w.Status(now) == partnership.Open &&
			(open == nil || w.OpensAt.After(open.OpensAt)) {
			open = &waves[i]
		}
	}
	if open != nil {
		wave = open.ID
	}
	return wave, problems, nil
}
