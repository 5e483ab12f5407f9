package intake

import (
	"context"
	"errors"
	"time"

	"samspil/access"
	"samspil/forms"
	"samspil/partnership"
)

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
	// AnsweredAt is when the answers were last sent.
	AnsweredAt time.Time
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
	in.Answers, in.Answered, in.AnsweredAt = r.Answers, answered, r.SubmittedAt
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
	if len(answers) == 0 {
		return false, &Invalid{Problems: []Problem{noAnswers}}
	}
	if !in.Form.HasLanguage(lang) {
		lang = in.Form.DefaultLanguage
	}
	r := forms.NewResponse(in.Form, in.Partner.ID, lang, answers, s.now())
	r.ID = forms.PartnerResponseID(in.Wave.ID, in.Partner.ID)
	r.SubmissionID = ""
	r.Partnership, r.Wave, r.Partner = in.Invitation.Partnership, in.Wave.ID, in.Partner.ID
	if err := s.noteText(ctx, in.Form, r); err != nil {
		return false, err
	}
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
