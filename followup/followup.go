package followup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"samspil/forms"
)

// Link is what the store keeps of a code: its hash, the partnership it
// belongs to and the responses it links.
type Link struct {
	Hash        string
	Partnership string
	Responses   []string
	Created     time.Time
}

// Store is what the follow-up service reads and writes.
type Store interface {
	FollowUp(ctx context.Context, hash string) (Link, bool, error)
	// LinkFollowUp adds a response to a code's link, creating the link
	// in the partnership if there is none; adding it twice changes
	// nothing.
	LinkFollowUp(ctx context.Context, hash, partnership, response string, at time.Time) error
	DeleteFollowUp(ctx context.Context, hash string) error
	// EraseResponse deletes a response and takes it off the totals and
	// exports; one that is gone already is no error.
	EraseResponse(ctx context.Context, id string) error
	Response(ctx context.Context, id string) (forms.Response, bool, error)
}

// Service issues, checks and forgets follow-up codes.
type Service struct {
	store Store
	keys  Keyring
	now   func() time.Time
}

// New makes the follow-up service.
func New(store Store, keys Keyring, now func() time.Time) *Service {
	return &Service{store: store, keys: keys, now: now}
}

// ErrUnknown says no answers are linked to a code (in the partnership
// asked about).
var ErrUnknown = errors.New("unknown follow-up code")

// Find returns what a code a citizen typed links. In a partnership, a
// code of another one is unknown: a code follows a person in one
// partnership's questions.
func (s *Service) Find(ctx context.Context, text, partnership string) (Code, Link, error) {
	c, err := Parse(text)
	if err != nil {
		return "", Link{}, err
	}
	l, ok, err := s.store.FollowUp(ctx, s.keys.Hash(c))
	switch {
	case err != nil:
		return "", Link{}, fmt.Errorf("find follow-up code: %w", err)
	case !ok, partnership != "" && l.Partnership != partnership:
		return "", Link{}, ErrUnknown
	}
	return c, l, nil
}

// maxAttempts bounds the search for a code nobody holds; with 20^8 codes
// a second attempt is already rare.
const maxAttempts = 8

// Issue gives a response a new code, linked to it. The same response
// sent again (a double tap, a retry) gets the same code.
func (s *Service) Issue(ctx context.Context, partnership, response string) (Code, error) {
	for attempt := range maxAttempts {
		c := s.keys.derive(response, attempt)
		hash := s.keys.Hash(c)
		l, taken, err := s.store.FollowUp(ctx, hash)
		if err != nil {
			return "", fmt.Errorf("issue follow-up code: %w", err)
		}
		if taken && !slices.Contains(l.Responses, response) {
			continue // somebody else's
		}
		if err := s.store.LinkFollowUp(ctx, hash, partnership, response, s.now()); err != nil {
			return "", fmt.Errorf("issue follow-up code: %w", err)
		}
		return c, nil
	}
	return "", errors.New("issue follow-up code: every attempt was taken")
}

// ShowAgainFor is how long after answering the thank-you page may show a
// new code again (a reload, the back button, a phone that closed the tab
// to take a picture of it).
const ShowAgainFor = time.Hour

// CodeOf returns the new code a response was given, if it was given one
// less than ShowAgainFor ago; a response that joined an earlier code
// has none to show.
func (s *Service) CodeOf(ctx context.Context, response string) (Code, bool, error) {
	r, ok, err := s.store.Response(ctx, response)
	if err != nil || !ok || s.now().Sub(r.SubmittedAt) > ShowAgainFor {
		return "", false, err
	}
	for attempt := range maxAttempts {
		c := s.keys.derive(response, attempt)
		l, taken, err := s.store.FollowUp(ctx, s.keys.Hash(c))
		switch {
		case err != nil:
			return "", false, fmt.Errorf("find follow-up code: %w", err)
		case !taken:
			// Issue would have taken this one: the response got no code.
			return "", false, nil
		case slices.Contains(l.Responses, response):
			return c, true, nil
		}
	}
	return "", false, nil
}

// Link adds a response to the answers a code links.
func (s *Service) Link(ctx context.Context, c Code, partnership, response string) error {
	if err := s.store.LinkFollowUp(ctx, s.keys.Hash(c), partnership, response, s.now()); err != nil {
		return fmt.Errorf("link response to follow-up code: %w", err)
	}
	return nil
}

// Forget deletes a code and, with answers, every response it links,
// taking them off the totals and exports. The responses go first: a
// citizen whose request was cut short finds the code still there and
// asks again.
func (s *Service) Forget(ctx context.Context, l Link, answers bool) error {
	if answers {
		for _, id := range l.Responses {
			if err := s.store.EraseResponse(ctx, id); err != nil {
				return fmt.Errorf("erase linked response: %w", err)
			}
		}
	}
	if err := s.store.DeleteFollowUp(ctx, l.Hash); err != nil {
		return fmt.Errorf("delete follow-up code: %w", err)
	}
	return nil
}

// Days lists when the responses a code links were given, oldest first,
// for the citizen to recognise them before deleting them.
func (s *Service) Days(ctx context.Context, l Link) ([]time.Time, error) {
	var days []time.Time
	for _, id := range l.Responses {
		r, ok, err := s.store.Response(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("load linked response: %w", err)
		}
		if ok {
			days = append(days, r.SubmittedAt)
		}
	}
	slices.SortFunc(days, time.Time.Compare)
	return days, nil
}
