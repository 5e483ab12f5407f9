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
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"samspil/followup"
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
	// NoteText notes, before a response is stored, that it holds free
	// text, for the retention job to find it.
	NoteText(ctx context.Context, day, partnership, response string) error
}

// FormFinder finds a published form version; version 0 is the latest.
type FormFinder interface {
	Form(ctx context.Context, id string, version int) (*forms.Form, error)
}

// Service takes in responses.
type Service struct {
	store     Store
	forms     FormFinder
	followUps *followup.Service
	now       func() time.Time
	// stored counts responses stored for the first time, for metrics.
	stored atomic.Int64
}

// New makes the intake service.
func New(store Store, forms FormFinder, now func() time.Time) *Service {
	return &Service{store: store, forms: forms, now: now}
}

// FollowUps lets citizens link their answers with follow-up codes;
// without it, a submission asking for one is refused.
func (s *Service) FollowUps(f *followup.Service) { s.followUps = f }

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
	p, err := s.store.Partnership(ctx, pid)
	switch {
	case errors.Is(err, partnership.ErrNotFound):
		return "", []Problem{{Field: "partnership", Code: "unknown_partnership"}}, nil
	case err != nil:
		return "", nil, unavailable(err)
	case p.EndedAt != nil && !p.EndedAt.After(s.now()):
		// Ended: its figures are final, and it may be erased.
		return "", []Problem{{Field: "partnership", Code: CodePartnershipEnded}}, nil
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
	// FollowUp asks for a new follow-up code (NewFollowUp) or names the
	// code this citizen was given before; empty, the answers stand alone.
	FollowUp string
}

// NewFollowUp asks for a new follow-up code.
const NewFollowUp = "new"

// Receipt says what became of a stored submission.
type Receipt struct {
	Response forms.Response
	// Created is false for a retry of answers stored before.
	Created bool
	// FollowUp is the code the answers are linked to, if any.
	FollowUp followup.Code
}

// Submit validates, scores and stores a citizen's submission, and links it
// to a follow-up code when asked. A retry of a stored submission with the
// same answers is acknowledged again (Created false, the same code); with
// other answers it is ErrConflict.
func (s *Service) Submit(ctx context.Context, sub Citizen) (Receipt, error) {
	f := sub.Form
	if f.Kind == forms.KindPartner {
		return Receipt{}, ErrPartnerForm
	}
	problems := sub.Problems
	wave, misplaced, err := s.Place(ctx, f, sub.Partnership, sub.Activity)
	if err != nil {
		return Receipt{}, err
	}
	problems = append(problems, misplaced...)
	code, wantsCode, problem, err := s.followUp(ctx, sub)
	if err != nil {
		return Receipt{}, err
	}
	if problem != nil {
		problems = append(problems, *problem)
	}
	validate := f.Validate
	if sub.Shown {
		validate = f.ValidateShown
	}
	answers, invalid := validate(sub.Answers, nil)
	problems = append(problems, answerProblems(invalid)...)
	if len(invalid) == 0 && len(answers) == 0 {
		problems = append(problems, noAnswers)
	}
	if len(problems) > 0 {
		return Receipt{}, &Invalid{Problems: problems}
	}
	lang := sub.Lang
	if !f.HasLanguage(lang) {
		lang = f.DefaultLanguage
	}
	r := forms.NewResponse(f, sub.SubmissionID, lang, answers, s.now())
	r.Partnership, r.Activity, r.Wave = sub.Partnership, sub.Activity, wave
	if err := s.noteText(ctx, f, r); err != nil {
		return Receipt{}, err
	}
	stored, created, err := s.store.SaveResponse(ctx, r, f.Counts(answers))
	switch {
	case err != nil:
		return Receipt{}, unavailable(err)
	case created:
		s.stored.Add(1)
	case !stored.SameAs(r):
		return Receipt{}, ErrConflict
	}
	// Linked after it is stored, and again on a retry: a link cut short
	// is made whole when the phone sends again.
	switch {
	case wantsCode:
		code, err = s.followUps.Issue(ctx, sub.Partnership, stored.ID)
	case code != "":
		err = s.followUps.Link(ctx, code, sub.Partnership, stored.ID)
	}
	if err != nil {
		return Receipt{}, unavailable(err)
	}
	return Receipt{Response: stored, Created: created, FollowUp: code}, nil
}

// Follow-up problems: the code cannot be one, no answers are linked to
// it in this partnership, or codes are not offered here.
const (
	CodeInvalidFollowUp     = "invalid_follow_up"
	CodeUnknownFollowUp     = "unknown_follow_up"
	CodeFollowUpUnavailable = "follow_up_unavailable"
)

// followUp reads what a submission asks of follow-up codes: a new code,
// or the known code to link the answers to.
func (s *Service) followUp(ctx context.Context, sub Citizen) (followup.Code, bool, *Problem, error) {
	text := strings.TrimSpace(sub.FollowUp)
	switch {
	case text == "":
		return "", false, nil, nil
	case s.followUps == nil || sub.Partnership == "":
		// A code follows a person within one partnership's questions.
		return "", false, &Problem{Field: "follow_up", Code: CodeFollowUpUnavailable}, nil
	case text == NewFollowUp:
		return "", true, nil, nil
	}
	code, _, err := s.followUps.Find(ctx, text, sub.Partnership)
	switch {
	case errors.Is(err, followup.ErrMalformed):
		return "", false, &Problem{Field: "follow_up", Code: CodeInvalidFollowUp}, nil
	case errors.Is(err, followup.ErrUnknown):
		return "", false, &Problem{Field: "follow_up", Code: CodeUnknownFollowUp}, nil
	case err != nil:
		return "", false, nil, unavailable(err)
	}
	return code, false, nil, nil
}

// noAnswers refuses a response without a single answer: it would count
// as a person in n and tell nothing.
var noAnswers = Problem{Field: "answers", Code: CodeNoAnswers}

// CodePartnershipEnded refuses answers to a partnership that has ended.
const CodePartnershipEnded = "partnership_ended"

// CodeNoAnswers is the problem of a response that answers nothing.
const CodeNoAnswers = "no_answers"

// Empty says the only problem is that nothing was answered.
func (e *Invalid) Empty() bool {
	return len(e.Problems) == 1 && e.Problems[0].Code == CodeNoAnswers
}

func answerProblems(ps []forms.Problem) []Problem {
	out := make([]Problem, 0, len(ps))
	for i := range ps {
		out = append(out, Problem{Field: "answers." + ps[i].Item, Code: ps[i].Code, Answer: &ps[i]})
	}
	return out
}

// GuessedCode says a submission was refused for a follow-up code nobody
// holds: a guess, for the adapters' limits.
func GuessedCode(err error) bool {
	var invalid *Invalid
	return errors.As(err, &invalid) && slices.ContainsFunc(invalid.Problems, func(p Problem) bool { return p.Code == CodeUnknownFollowUp })
}

// noteText notes a response with free text for the retention job, before
// it is stored: a crash in between leaves a note that finds nothing, never
// text that nobody deletes.
func (s *Service) noteText(ctx context.Context, f *forms.Form, r forms.Response) error {
	if len(f.TextItems(r.Answers)) == 0 {
		return nil
	}
	if err := s.store.NoteText(ctx, r.SubmittedAt.UTC().Format(time.DateOnly), r.Partnership, r.ID); err != nil {
		return unavailable(err)
	}
	return nil
}
