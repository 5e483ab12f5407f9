package indicators

import (
	"context"
	"fmt"
	"slices"
	"time"

	"samspil/forms"
	"samspil/partnership"
)

// PartnerStore is what partner-survey figures read.
type PartnerStore interface {
	Partners(ctx context.Context, partnershipID string) ([]partnership.Partner, error)
	Waves(ctx context.Context, partnershipID string) ([]partnership.Wave, error)
	Wave(ctx context.Context, partnershipID, id string) (partnership.Wave, error)
	Invitations(ctx context.Context, waveID string) ([]partnership.Invitation, error)
	PartnerResponses(ctx context.Context, waveID string, partners []string) ([]forms.Response, error)
}

// Invitee is a partner's invitation state in a wave.
type Invitee struct {
	Partner   string             `json:"partner"`
	Name      string             `json:"name"`
	Sector    partnership.Sector `json:"sector"`
	Invited   bool               `json:"invited"`
	Responded bool               `json:"responded"`
}

// Rate is a count of invited and responding partners.
type Rate struct {
	Invited      int     `json:"invited"`
	Responded    int     `json:"responded"`
	ResponseRate float64 `json:"response_rate"`
}

func (r *Rate) add(inv Invitee) {
	if inv.Invited {
		r.Invited++
	}
	if inv.Invited && inv.Responded {
		r.Responded++
	}
	if r.Invited > 0 {
		r.ResponseRate = float64(r.Responded) / float64(r.Invited)
	}
}

// Rates is a wave's response rate, in all and by sector. Partners are
// organisations, and the backbone sees who answered: these counts are
// about organisations, not people's answers.
type Rates struct {
	Wave         string                       `json:"wave"`
	Status       string                       `json:"status"`
	Invited      int                          `json:"invited"`
	Responded    int                          `json:"responded"`
	ResponseRate float64                      `json:"response_rate"`
	BySector     map[partnership.Sector]*Rate `json:"by_sector"`
}

// ratesOf counts a wave's invitees.
func ratesOf(list []Invitee, w partnership.Wave, now time.Time) Rates {
	var total Rate
	bySector := map[partnership.Sector]*Rate{}
	for _, sec := range partnership.Sectors {
		bySector[sec] = &Rate{}
	}
	for _, inv := range list {
		total.add(inv)
		if r := bySector[inv.Sector]; r != nil {
			r.add(inv)
		}
	}
	return Rates{Wave: w.ID, Status: w.Status(now), Invited: total.Invited, Responded: total.Responded,
		ResponseRate: total.ResponseRate, BySector: bySector}
}

// PartnerIDs lists the partners' ids.
func PartnerIDs(ps []partnership.Partner) []string {
	ids := make([]string, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

// inviteesOf lists the partners a wave invited or could invite, from
// partners and answers in hand.
func (s *Service) inviteesOf(ctx context.Context, w partnership.Wave, partners []partnership.Partner, answers []forms.Response) ([]Invitee, error) {
	invs, err := s.partners.Invitations(ctx, w.ID)
	if err != nil {
		return nil, fmt.Errorf("%w: invitations of %s: %w", ErrUnavailable, w.ID, err)
	}
	responded := map[string]bool{}
	for _, r := range answers {
		responded[r.Partner] = true
	}
	list := []Invitee{}
	for _, p := range partners {
		invited := slices.ContainsFunc(invs, func(i partnership.Invitation) bool { return i.Partner == p.ID })
		if !invited && !p.Active {
			continue
		}
		list = append(list, Invitee{Partner: p.ID, Name: p.Name, Sector: p.Sector, Invited: invited, Responded: responded[p.ID]})
	}
	return list, nil
}

// Invitees lists the partners a wave of a partnership invited or could
// invite, and its response rates.
func (s *Service) Invitees(ctx context.Context, pid, wid string) ([]Invitee, Rates, error) {
	w, err := s.partners.Wave(ctx, pid, wid)
	if err != nil {
		return nil, Rates{}, err
	}
	partners, err := s.partners.Partners(ctx, pid)
	if err != nil {
		return nil, Rates{}, fmt.Errorf("%w: partners of %s: %w", ErrUnavailable, pid, err)
	}
	answers, err := s.partners.PartnerResponses(ctx, w.ID, PartnerIDs(partners))
	if err != nil {
		return nil, Rates{}, fmt.Errorf("%w: answers to %s: %w", ErrUnavailable, w.ID, err)
	}
	list, err := s.inviteesOf(ctx, w, partners, answers)
	if err != nil {
		return nil, Rates{}, err
	}
	return list, ratesOf(list, w, s.now()), nil
}

// Day is one day of a partner wave: the answers that came in and the
// share of invited partners who had answered by its end.
type Day struct {
	Day   time.Time
	Count int
	Share float64
}

// ByDay counts a partner wave's answers by day in loc, from its first day
// to today or its last; a wave runs for weeks, and never more than 120
// days are listed.
func ByDay(w partnership.Wave, answers []forms.Response, invited int, now time.Time, loc *time.Location) []Day {
	byDay := map[string]int{}
	for _, a := range answers {
		byDay[a.SubmittedAt.In(loc).Format(time.DateOnly)]++
	}
	end := w.ClosesAt.Add(-time.Second)
	if now.Before(end) {
		end = now
	}
	end = end.In(loc)
	var days []Day
	total := 0
	for d := w.OpensAt.In(loc); !d.After(end) && len(days) < 120; d = d.AddDate(0, 0, 1) {
		n := byDay[d.Format(time.DateOnly)]
		total += n
		day := Day{Day: d, Count: n}
		if invited > 0 {
			day.Share = float64(total) / float64(invited)
		}
		days = append(days, day)
	}
	return days
}
