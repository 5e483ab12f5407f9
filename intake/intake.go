// Package intake takes in responses: it places a citizen's answers on the
// partnership, activity and open wave their link names, opens what a
// partner's invitation token grants, validates, scores and stores the
// answers, and tells a phone's retry from a conflicting submission. The
// JSON API and the HTML pages both store responses through it, so the two
// cannot drift apart.
package intake

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"samspil/access"
	"samspil/forms"
	"samspil/partnership"
)

// Store is what intake reads and writes.
type Store interface {
	SaveResponse(ctx context.Context, r forms.Response, counts []forms.Count) (stored forms.Response, created bool, err error)
	ReplaceResponse(ctx context.Context, r forms.Response, counts []forms.Count) (bool, error)
	Response(ctx context.Context, id string) (forms.Response, bool, error)
	Partnership(ctx context.Context, id string) (partnership.Partnership, error)
	Activity(ctx context.Context, partnershipID, id string) (partnership.Activity, error)
	Waves(ctx context.Context, partnershipID string) ([]partnership.Wave, error)
	Wave(ctx context.Context, partnershipID, id string) (partnership.Wave, error)
	Invitation(ctx context.Context, hash string) (partnership.Invitation, error)
	Partner(ctx context.Context, partnershipID, id string) (partnership.Partner, error)
	Partners(ctx context.Context, partnershipID string) ([]partnership.Partner, error)
	Audit(ctx context.Context, e partnership.AuditEntry) error
}

// FormFinder finds a published form version; version 0 is the latest.
type FormFinder interface {
	Form(ctx context.Context, id string, version int) (*forms.Form, error)
}

// Service takes in responses.
type Service struct {
	store Store
	forms FormFinder
	now   func() time.Time
	// stored counts responses stored for the first time, for metrics.
	stored atomic.Int64
}

// New makes the intake service.
func New(store Store, forms FormFinder, now func() time.Time) *Service {
	return &Service{store: store, forms: forms, now: now}
}

// Stored tells how many responses this process stored for the first time.
func (s *Service) Stored() int64 { return s.stored.Load() }

// Errors intake reports; adapters turn them into statuses and messages.
var (
	// ErrUnavailable wraps a store that did not answer.
	ErrUnavailable = errors.New("the store is unavailable")
	// ErrConflict: a submission id already stored with other answers.
	ErrConflict = errors.New("the submission id was used for other answers")
	// ErrPartnerForm: a partner form answered without an invitation.
	ErrPartnerForm = errors.New("partner forms are answered through an invitation")
	// ErrNoInvitation: a token that opens nothing.
	ErrNoInvitation = errors.New("no such invitation")
	// ErrWaveClosed and ErrWaveNotOpen: answers outside a wave's dates.
	ErrWaveClosed  = errors.New("the wave is closed")
	ErrWaveNotOpen = errors.New("the wave is not open yet")
)

// Problem is one reason a response was refused: a placement problem
// (Field "partnership" or "activity") or an answer's (Answer set).
type Problem struct {
	Field  string
	Code   string
	Answer *forms.Problem
	// Detail is an adapter's own description of a problem it found,
	// handed back as given.
	Detail any
}

// Invalid lists every problem of a refused response.
type Invalid struct{ Problems []Problem }

func (e *Invalid) Error() string {
	return fmt.Sprintf("%d problems with the response", len(e.Problems))
}

// AnswerProblems are the problems with answers, for a page to show at
// each question.
func (e *Invalid) AnswerProblems() []forms.Problem {
	var out []forms.Problem
	for _, p := range e.Problems {
		if p.Answer != nil {
			out = append(out, *p.Answer)
		}
	}
	return out
}

func unavailable(err error) error { return fmt.Errorf("%w: %w", ErrUnavailable, err) }

// Place checks the partnership and activity a citizen's link names and
// finds the wave of the form open in that partnership now. Empty ids place
// a response nowhere in particular.
func (s *Service) Place(ctx context.Context, f *forms.Form, pid, aid string) (wave string, problems []Problem, err error) {
	if pid == "" {
		if aid != "" {
			problems = append(problems, Problem{Field: "activity", Code: "unknown_activity"})
		}
		return "", problems, nil
	}
	if _, err := s.store.Partnership(ctx, pid); errors.Is(err, partnership.ErrNotFound) {
		return "", []Problem{{Field: "partnership", Code: "unknown_partnership"}}, nil
	} else if err != nil {
		return "", nil, unavailable(err)
	}
	if aid != "" {
		a, err := s.store.Activity(ctx, pid, aid)
		switch {
		case errors.Is(err, partnership.ErrNotFound):
			problems = append(problems, Problem{Field: "activity", Code: "unknown_activity"})
		case err != nil:
			return "", nil, unavailable(err)
		case !a.Active:
			problems = append(problems, Problem{Field: "activity", Code: "inactive_activity"})
		}
	}
	waves, err := s.store.Waves(ctx, pid)
	if err != nil {
		return "", nil, unavailable(err)
	}
	now := s.now()
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

// Citizen is a citizen's submission of a form.
type Citizen struct {
	Form         *forms.Form
	SubmissionID string
	// Lang is the language answered in; empty is the form's default.
	Lang                  string
	Partnership, Activity string
	Answers               map[string]any
	// Shown says the answers come from a page that showed every
	// question: an answer to a question its conditions hide is dropped
	// rather than refused.
	Shown bool
	// Problems found by the adapter (such as a malformed field) are
	// reported together with intake's own.
	Problems []Problem
}

// Submit validates, scores and stores a citizen's submission. A retry of a
// stored submission with the same answers is acknowledged again (created
// false); with other answers it is ErrConflict.
func (s *Service) Submit(ctx context.Context, sub Citizen) (stored forms.Response, created bool, err error) {
	f := sub.Form
	if f.Kind == forms.KindPartner {
		return stored, false, ErrPartnerForm
	}
	problems := sub.Problems
	wave, misplaced, err := s.Place(ctx, f, sub.Partnership, sub.Activity)
	if err != nil {
		return stored, false, err
	}
	problems = append(problems, misplaced...)
	validate := f.Validate
	if sub.Shown {
		validate = f.ValidateShown
	}
	answers, invalid := validate(sub.Answers, nil)
	problems = append(problems, answerProblems(invalid)...)
	if len(problems) > 0 {
		return stored, false, &Invalid{Problems: problems}
	}
	lang := sub.Lang
	if !f.HasLanguage(lang) {
		lang = f.DefaultLanguage
	}
	r := forms.NewResponse(f, sub.SubmissionID, lang, answers, s.now())
	r.Partnership, r.Activity, r.Wave = sub.Partnership, sub.Activity, wave
	stored, created, err = s.store.SaveResponse(ctx, r, f.Counts(answers))
	switch {
	case err != nil:
		return stored, false, unavailable(err)
	case created:
		s.stored.Add(1)
	case !stored.SameAs(r):
		return stored, false, ErrConflict
	}
	return stored, created, nil
}

func answerProblems(ps []forms.Problem) []Problem {
	out := make([]Problem, 0, len(ps))
	for i := range ps {
		out = append(out, Problem{Field: "answers." + ps[i].Item, Code: ps[i].Code, Answer: &ps[i]})
	}
	return out
}

// Invited is everything an invitation token opens.
type Invited struct {
	Invitation partnership.Invitation
	Wave       partnership.Wave
	Partner    partnership.Partner
	Form       *forms.Form
	// Roster lists the partnership's other active partners, whom the
	// partner may say it worked with.
	Roster []partnership.Partner
	// Answers are those the partner gave before, if it answered.
	Answers  forms.Answers
	Answered bool
}

// Open finds what an invitation token opens. An unknown token is
// ErrNoInvitation: the token is the only credential, so nothing tells a
// wrong token from one that never was.
func (s *Service) Open(ctx context.Context, token string) (Invited, error) {
	var in Invited
	var err error
	notFound := func(err error) error {
		if errors.Is(err, partnership.ErrNotFound) {
			return ErrNoInvitation
		}
		return unavailable(err)
	}
	if in.Invitation, err = s.store.Invitation(ctx, access.Hash(token)); err != nil {
		return in, notFound(err)
	}
	if in.Wave, err = s.store.Wave(ctx, in.Invitation.Partnership, in.Invitation.Wave); err != nil {
		return in, notFound(err)
	}
	if in.Partner, err = s.store.Partner(ctx, in.Invitation.Partnership, in.Invitation.Partner); err != nil {
		return in, notFound(err)
	}
	if in.Form, err = s.forms.Form(ctx, in.Wave.Form, in.Wave.Version); err != nil {
		return in, err
	}
	partners, err := s.store.Partners(ctx, in.Invitation.Partnership)
	if err != nil {
		return in, unavailable(err)
	}
	in.Roster = []partnership.Partner{}
	for _, p := range partners {
		if p.Active && p.ID != in.Partner.ID {
			in.Roster = append(in.Roster, p)
		}
	}
	r, answered, err := s.store.Response(ctx, forms.PartnerResponseID(in.Wave.ID, in.Partner.ID))
	if err != nil {
		return in, unavailable(err)
	}
	in.Answers, in.Answered = r.Answers, answered
	return in, nil
}

// Accepting tells whether the invitation's wave takes answers now.
func (s *Service) Accepting(in Invited) error {
	switch in.Wave.Status(s.now()) {
	case partnership.Closed:
		return ErrWaveClosed
	case partnership.Scheduled:
		return ErrWaveNotOpen
	}
	return nil
}

// Answer validates and stores a partner's answers, replacing the ones it
// gave before until the wave closes; created says these are its first.
// shown says the answers come from a page that showed every question.
func (s *Service) Answer(ctx context.Context, in Invited, lang string, raw map[string]any, shown bool) (created bool, err error) {
	if err := s.Accepting(in); err != nil {
		return false, err
	}
	validate := in.Form.Validate
	if shown {
		validate = in.Form.ValidateShown
	}
	roster := make(forms.Roster, 0, len(in.Roster))
	for _, p := range in.Roster {
		roster = append(roster, p.ID)
	}
	answers, invalid := validate(raw, roster)
	if len(invalid) > 0 {
		return false, &Invalid{Problems: answerProblems(invalid)}
	}
	if !in.Form.HasLanguage(lang) {
		lang = in.Form.DefaultLanguage
	}
	r := forms.NewResponse(in.Form, in.Partner.ID, lang, answers, s.now())
	r.ID = forms.PartnerResponseID(in.Wave.ID, in.Partner.ID)
	r.SubmissionID = ""
	r.Partnership, r.Wave, r.Partner = in.Invitation.Partnership, in.Wave.ID, in.Partner.ID
	created, err = s.store.ReplaceResponse(ctx, r, in.Form.Counts(answers))
	if errors.Is(err, forms.ErrReplacedMeanwhile) {
		return false, err
	}
	if err != nil {
		return false, unavailable(err)
	}
	if created {
		s.stored.Add(1)
	}
	action := "response.create"
	if !created {
		action = "response.replace"
	}
	// A failed audit write fails the answer: a change nobody can account
	// for is worse than one the partner sends again.
	err = s.store.Audit(ctx, partnership.AuditEntry{ID: partnership.NewID("au"), At: s.now().UTC(),
		Actor: "invitation:" + in.Partner.ID, Action: action, Partnership: in.Invitation.Partnership, Target: r.ID})
	if err != nil {
		return false, unavailable(err)
	}
	return created, nil
}
