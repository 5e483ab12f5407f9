package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/partnership"
)

// partnershipView is the partnership page: its details, editable by those
// who run it.
type partnershipView struct {
	P         partnership.Partnership
	Languages []string
}

// citizenLanguages are the languages a partnership can offer citizens.
var citizenLanguages = []string{"da", "en", "ar", "pl", "tr", "uk"}

func (s *server) partnershipPage(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "partnership_title")
	pa, err := s.partnershipOf(c, p, "partnership")
	if err != nil {
		return err
	}
	p.Title = pa.Name
	p.Data = partnershipView{P: pa, Languages: citizenLanguages}
	return s.render(c, http.StatusOK, "partnership.html", p)
}

// partnershipForm reads the partnership form into p; only an admin
// changes the minimum group, which protects citizens from every reader.
func partnershipForm(c *fiber.Ctx, pa *partnership.Partnership, admin bool) {
	pa.Name, pa.Area, pa.Description = c.FormValue("name"), c.FormValue("area"), c.FormValue("description")
	var langs []string
	for _, l := range citizenLanguages {
		if c.FormValue("lang_"+l) == "on" {
			langs = append(langs, l)
		}
	}
	pa.Languages = langs
	if admin {
		if n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("min_group"))); err == nil {
			pa.MinGroup = n
		} else if c.FormValue("min_group") != "" {
			pa.MinGroup = -1
		}
	}
}

func (s *server) updatePartnership(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "partnership_title")
	pa, err := s.partnershipOf(c, p, "partnership")
	if err != nil {
		return err
	}
	p.Title = pa.Name
	partnershipForm(c, &pa, r.Principal.Role == access.RoleAdmin)
	if ps := pa.Check(); len(ps) > 0 {
		p.domainProblems(ps)
		p.Data = partnershipView{P: pa, Languages: citizenLanguages}
		return s.render(c, http.StatusUnprocessableEntity, "partnership.html", p)
	}
	if err := s.Store.UpdatePartnership(c.UserContext(), pa); err != nil {
		return err
	}
	if err := s.audit(c, r, "partnership.update", pa.ID, pa.ID); err != nil {
		return err
	}
	return back(c, "/console/p/"+pa.ID, "saved")
}

// createPartnership registers a partnership from the home page (admins).
func (s *server) createPartnership(c *fiber.Ctx, r *request) error {
	pa := partnership.Partnership{ID: onceID(c, "pa", "partnership"), CreatedAt: s.Now().UTC(), Languages: []string{"da"}}
	if _, err := s.Store.Partnership(c.UserContext(), pa.ID); err == nil {
		return back(c, "/console/p/"+pa.ID, "partnership_created")
	}
	pa.Name, pa.Area = c.FormValue("name"), c.FormValue("area")
	if ps := pa.Check(); len(ps) > 0 {
		p := s.page(c, r, "home_title")
		p.domainProblems(ps)
		p.Data = []summary{}
		return s.render(c, http.StatusUnprocessableEntity, "home.html", p)
	}
	if err := s.Store.CreatePartnership(c.UserContext(), pa); err != nil {
		return err
	}
	if err := s.audit(c, r, "partnership.create", pa.ID, pa.ID); err != nil {
		return err
	}
	return back(c, "/console/p/"+pa.ID, "partnership_created")
}
