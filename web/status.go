package web

import (
	"fmt"
	"html/template"

	"net/http"
	"slices"
	"strings"
	"time"

	"samspil/charts"

	"github.com/gofiber/fiber/v2"

	"samspil/indicators"
	"samspil/partnership"
)

// waveView is a wave's status page.
type waveView struct {
	Wave partnership.Wave
	// Closes is the last day as typed in the form that came back
	// (ClosesTyped), even when it was left empty.
	Closes      string
	ClosesTyped bool
	Form        string
	Status      string
	Last        time.Time
	Partners    bool
	Rates       indicators.Rates
	Sectors     []sectorRate
	// Waiting are the invited partners who have not answered yet.
	Invitees []indicators.Invitee
	Waiting  []indicators.Invitee
	// Days is the count of answers by each day of the wave so far.
	Days []indicators.Day
	// DaysChart draws the share answered by each day's end.
	DaysChart template.HTML
	Contacts  map[string]string
	// Link is a citizen wave's link.
	Link string
	// Mail is what became of the round's mail.
	Mail mailView
}

type sectorRate struct {
	Sector string
	Rate   *indicators.Rate
}

func (s *server) wavePage(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "wave_title")
	v, err := s.waveView(c, r, p)
	if err != nil {
		return err
	}
	p.Data = v
	return s.render(c, http.StatusOK, "wave.html", p)
}

// waveOf loads the wave a page is about, without its status figures:
// what making links needs.
func (s *server) waveOf(c *fiber.Ctx, r *request, p *page) (waveView, error) {
	pa, err := s.partnershipOf(c, p, "waves")
	if err != nil {
		return waveView{}, err
	}
	w, err := s.Store.Wave(c.UserContext(), pa.ID, c.Params("wid"))
	if err != nil {
		return waveView{}, err
	}
	p.Title = s.formTitle(w.Form, r.Lang)
	return waveView{Wave: w, Form: p.Title, Status: w.Status(s.Now()), Last: lastDay(w),
		Partners: w.Respondents == "partners", Contacts: map[string]string{}}, nil
}

func (s *server) waveView(c *fiber.Ctx, r *request, p *page) (waveView, error) {
	ctx := c.UserContext()
	v, err := s.waveOf(c, r, p)
	if err != nil {
		return waveView{}, err
	}
	pa := *p.Partnership
	w := v.Wave
	if !v.Partners {
		v.Link = s.citizenURL(c, pa.ID, "")
		return v, nil
	}
	list, rates, err := s.Indicators.Invitees(ctx, pa.ID, w.ID)
	if err != nil {
		return waveView{}, err
	}
	slices.SortFunc(list, func(a, b indicators.Invitee) int {
		return strings.Compare(partnership.NameKey(a.Name), partnership.NameKey(b.Name))
	})
	v.Rates, v.Invitees = rates, list
	for _, sec := range partnership.Sectors {
		if rt := rates.BySector[sec]; rt != nil && rt.Invited > 0 {
			v.Sectors = append(v.Sectors, sectorRate{Sector: string(sec), Rate: rt})
		}
	}
	var ids []string
	invited := map[string]bool{}
	for _, inv := range list {
		if inv.Invited && !inv.Responded {
			v.Waiting = append(v.Waiting, inv)
		}
		invited[inv.Partner] = inv.Invited
		ids = append(ids, inv.Partner)
	}
	if v.Mail, err = s.mailView(c, w, invited, len(v.Waiting)); err != nil {
		return waveView{}, err
	}
	if seesContacts(r.Principal) {
		partners, err := s.Store.Partners(ctx, pa.ID)
		if err != nil {
			return waveView{}, err
		}
		for _, pt := range partners {
			v.Contacts[pt.ID] = pt.Email
		}
	}
	answers, err := s.Store.PartnerResponses(ctx, w.ID, ids)
	if err != nil {
		return waveView{}, err
	}
	v.Days = indicators.ByDay(w, answers, rates.Invited, s.Now(), local)
	if len(v.Days) > 1 {
		points := make([]charts.Point, 0, len(v.Days))
		for _, d := range v.Days {
			points = append(points, charts.Point{Label: d.Day.In(local).Format("2/1"), Value: 100 * d.Share})
		}
		v.DaysChart = template.HTML(charts.Line(points, charts.Scale{Min: 0, Max: 100, Ticks: []float64{0, 25, 50, 75, 100}},
			charts.Text{ID: "days", Title: p.T("wave_over_time"), Desc: p.T("wave_over_time_desc"),
				Number: func(x float64) string { return fmt.Sprintf("%.0f %%", x) }})) // drawn by package charts, which escapes every text
	}
	return v, nil
}
