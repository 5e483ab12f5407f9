package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"samspil/i18n"
	"samspil/partnership"
	"samspil/qr"
)

// citizenForm is the questionnaire behind citizen links and posters.
const citizenForm = "citizen_short"

type activitiesView struct {
	Activities []activityRow
	// Partners are the active partners, who may run an activity.
	Partners []partnership.Partner
	// All are every partner, the inactive ones too: an activity keeps
	// the organisers it had.
	All []partnership.Partner
	New partnership.Activity
	// Link is the partnership's own citizen link, for a general poster.
	Link string
}

type activityRow struct {
	Activity partnership.Activity
	Link     string
	Runs     []string
}

// citizenURL is the short link citizens answer through, for the
// partnership or one of its activities: short enough to type from a
// poster, and a smaller QR code that scans from further away.
func (s *server) citizenURL(c *fiber.Ctx, pid, activity string) string {
	if activity != "" {
		return s.baseURL(c) + "/a/" + activity
	}
	return s.baseURL(c) + "/p/" + pid
}

// shortLink sends a poster's short link on to the questionnaire, with the
// partnership and activity it names.
func (s *server) shortLink(c *fiber.Ctx, _ *request) error {
	to := "/f/" + citizenForm + "?p="
	if aid := c.Params("aid"); aid != "" {
		a, err := s.Store.FindActivity(c.UserContext(), aid)
		if errors.Is(err, partnership.ErrNotFound) {
			return phoneErr(http.StatusNotFound, "link_not_valid")
		} else if err != nil {
			return err
		}
		to += url.QueryEscape(a.Partnership) + "&a=" + url.QueryEscape(a.ID)
	} else {
		if _, err := s.Store.Partnership(c.UserContext(), c.Params("pid")); errors.Is(err, partnership.ErrNotFound) {
			return phoneErr(http.StatusNotFound, "link_not_valid")
		} else if err != nil {
			return err
		}
		to += url.QueryEscape(c.Params("pid"))
	}
	return c.Redirect(to, http.StatusFound)
}

func (s *server) activitiesView(c *fiber.Ctx, p *page) (activitiesView, error) {
	pa, err := s.partnershipOf(c, p, "activities")
	if err != nil {
		return activitiesView{}, err
	}
	acts, err := s.Store.Activities(c.UserContext(), pa.ID)
	if err != nil {
		return activitiesView{}, err
	}
	partners, err := s.Store.Partners(c.UserContext(), pa.ID)
	if err != nil {
		return activitiesView{}, err
	}
	sortPartners(partners)
	v := activitiesView{Partners: slices.DeleteFunc(slices.Clone(partners), func(pt partnership.Partner) bool { return !pt.Active }),
		All: partners, Link: s.citizenURL(c, pa.ID, "")}
	names := map[string]string{}
	for _, pt := range partners {
		names[pt.ID] = pt.Name
	}
	for _, a := range acts {
		row := activityRow{Activity: a, Link: s.citizenURL(c, pa.ID, a.ID)}
		for _, id := range a.Partners {
			row.Runs = append(row.Runs, names[id])
		}
		v.Activities = append(v.Activities, row)
	}
	return v, nil
}

func sortPartners(ps []partnership.Partner) {
	slices.SortFunc(ps, func(a, b partnership.Partner) int {
		return strings.Compare(partnership.NameKey(a.Name), partnership.NameKey(b.Name))
	})
}

func (s *server) activitiesPage(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "activities_title")
	v, err := s.activitiesView(c, p)
	if err != nil {
		return err
	}
	p.Data = v
	return s.render(c, http.StatusOK, "activities.html", p)
}

// activityForm reads the activity fields of a posted form.
func activityForm(c *fiber.Ctx, a *partnership.Activity) {
	a.Name, a.Description = c.FormValue("name"), c.FormValue("description")
	a.Partners = []string{}
	for _, v := range c.Request().PostArgs().PeekMulti("partners") {
		a.Partners = append(a.Partners, string(v))
	}
}

func (s *server) addActivity(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "activities_title")
	v, err := s.activitiesView(c, p)
	if err != nil {
		return err
	}
	a := partnership.Activity{ID: onceID(c, "ac", p.Partnership.ID), Partnership: p.Partnership.ID, Active: true}
	if _, err := s.Store.Activity(c.UserContext(), a.Partnership, a.ID); err == nil {
		return back(c, "/console/partnerships/"+a.Partnership+"/activities", "activity_added")
	}
	activityForm(c, &a)
	if ps := a.Check(v.Partners); len(ps) > 0 {
		p.domainProblems(ps)
		v.New = a
		p.Data = v
		return s.render(c, http.StatusUnprocessableEntity, "activities.html", p)
	}
	if err := s.Store.CreateActivity(c.UserContext(), a); err != nil {
		// The same form, posted twice at once, made it already.
		if _, again := s.Store.Activity(c.UserContext(), a.Partnership, a.ID); again == nil {
			return back(c, "/console/partnerships/"+a.Partnership+"/activities", "activity_added")
		}
		return err
	}
	if err := s.audit(c, r, "activity.create", a.Partnership, a.ID); err != nil {
		return err
	}
	return back(c, "/console/partnerships/"+a.Partnership+"/activities", "activity_added")
}

type activityView struct {
	Activity partnership.Activity
	Partners []partnership.Partner
}

// organisers are the partners an activity's page offers: the active ones
// and any inactive one the activity already has.
func organisers(v activitiesView, a partnership.Activity) []partnership.Partner {
	return slices.DeleteFunc(slices.Clone(v.All), func(pt partnership.Partner) bool {
		return !pt.Active && !slices.Contains(a.Partners, pt.ID)
	})
}

// activityOf starts an activity's page: the activity as stored, its name
// as the heading, and the partners its form offers as organisers.
func (s *server) activityOf(c *fiber.Ctx, r *request) (*page, partnership.Activity, []partnership.Partner, error) {
	p := s.page(c, r, "activity_title")
	v, err := s.activitiesView(c, p)
	if err != nil {
		return nil, partnership.Activity{}, nil, err
	}
	a, err := s.Store.Activity(c.UserContext(), p.Partnership.ID, c.Params("aid"))
	if err != nil {
		return nil, a, nil, err
	}
	p.Title = a.Name
	return p, a, organisers(v, a), nil
}

func (s *server) activityPage(c *fiber.Ctx, r *request) error {
	p, a, offered, err := s.activityOf(c, r)
	if err != nil {
		return err
	}
	p.Data = activityView{Activity: a, Partners: offered}
	return s.render(c, http.StatusOK, "activity.html", p)
}

func (s *server) saveActivity(c *fiber.Ctx, r *request) error {
	p, a, offered, err := s.activityOf(c, r)
	if err != nil {
		return err
	}
	activityForm(c, &a)
	a.Active = c.FormValue("active") == "on"
	if ps := a.Check(offered); len(ps) > 0 {
		p.domainProblems(ps)
		p.Data = activityView{Activity: a, Partners: offered}
		return s.render(c, http.StatusUnprocessableEntity, "activity.html", p)
	}
	if err := s.Store.UpdateActivity(c.UserContext(), a); err != nil {
		return err
	}
	if err := s.audit(c, r, "activity.update", a.Partnership, a.ID); err != nil {
		return err
	}
	return back(c, "/console/partnerships/"+a.Partnership+"/activities", "saved")
}

// posterView is a printable A4 poster with a citizen link's QR code.
type posterView struct {
	Name string
	// Lines invite citizens in each of the partnership's languages.
	Lines []posterLine
	QR    template.HTML
	Link  string
	// Results is the partnership's results page for those who answered.
	Results string
	// Busy says the poster has much text (a long name, many languages)
	// and prints smaller to stay on one sheet.
	Busy bool
}

type posterLine struct{ Lang, Dir, Text string }

// poster renders the A4 poster of an activity, or of the partnership when
// no activity is named.
func (s *server) poster(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "poster_title")
	pa, err := s.partnershipOf(c, p, "activities")
	if err != nil {
		return err
	}
	v := posterView{Name: pa.Name, Link: s.citizenURL(c, pa.ID, c.Params("aid")), Results: s.baseURL(c) + "/r/" + pa.ID}
	if aid := c.Params("aid"); aid != "" {
		a, err := s.Store.Activity(c.UserContext(), pa.ID, aid)
		if err != nil {
			return err
		}
		v.Name = a.Name
	}
	svg, err := qr.Code(v.Link)
	if err != nil {
		return err
	}
	v.QR = template.HTML(svg) // drawn by package qr, which escapes the link
	for _, lang := range pa.Languages {
		v.Lines = append(v.Lines, posterLine{Lang: lang, Dir: i18n.Dir(lang), Text: s.Messages.Text(lang, "poster_invite", nil)})
	}
	v.Busy = len(v.Lines) > 3 || len([]rune(v.Name)) > 40
	p.Data = v
	return s.render(c, http.StatusOK, "poster.html", p)
}
