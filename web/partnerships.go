package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/partnership"
)

// partnershipView is the partnership page: its details, editable by those
// who run it.
type partnershipView struct {
	// P is the partnership as the form shows it; Saved as it is stored.
	P, Saved  partnership.Partnership
	Languages []string
	// MinGroup is the minimum group as typed.
	MinGroup string
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
	p.Data = partnershipView{P: pa, Saved: pa, Languages: citizenLanguages, MinGroup: strconv.Itoa(pa.MinGroup)}
	return s.render(c, http.StatusOK, "partnership.html", p)
}

// partnershipForm reads the partnership form into p; only an admin
// changes the minimum group, which protects citizens from every reader.
// It reports whether the minimum group typed is a whole number.
func partnershipForm(c *fiber.Ctx, pa *partnership.Partnership, admin bool) bool {
	pa.Name, pa.Area, pa.Description = c.FormValue("name"), c.FormValue("area"), c.FormValue("description")
	pa.Contact = strings.TrimSpace(c.FormValue("contact"))
	var langs []string
	for _, l := range citizenLanguages {
		if c.FormValue("lang_"+l) == "on" {
			langs = append(langs, l)
		}
	}
	pa.Languages = langs
	pa.HidePartnerMap = c.FormValue("partner_map") != "on"
	if admin {
		n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("min_group")))
		if err != nil {
			return false
		}
		pa.MinGroup = n
	}
	return true
}

func (s *server) updatePartnership(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "partnership_title")
	pa, err := s.partnershipOf(c, p, "partnership")
	if err != nil {
		return err
	}
	p.Title = pa.Name
	saved := pa
	saved.Languages = slices.Clone(pa.Languages)
	whole := partnershipForm(c, &pa, r.Principal.Role == access.RoleAdmin)
	ps := pa.Check()
	if !whole {
		p.problem("min_group", "field_min_group", "field_min_group_invalid")
	}
	if len(ps) > 0 || !whole {
		p.domainProblems(ps)
		typed := c.FormValue("min_group")
		if r.Principal.Role != access.RoleAdmin {
			typed = strconv.Itoa(saved.MinGroup)
		}
		p.Data = partnershipView{P: pa, Saved: saved, Languages: citizenLanguages, MinGroup: typed}
		return s.render(c, http.StatusUnprocessableEntity, "partnership.html", p)
	}
	if err := s.Store.UpdatePartnership(c.UserContext(), pa); err != nil {
		return err
	}
	if err := s.audit(c, r, "partnership.update", pa.ID, pa.ID); err != nil {
		return err
	}
	return back(c, "/console/partnerships/"+pa.ID, "saved")
}

// createPartnership registers a partnership from the home page (admins).
func (s *server) createPartnership(c *fiber.Ctx, r *request) error {
	pa := partnership.Partnership{ID: onceID(c, "pa", "partnership"), CreatedAt: s.Now().UTC(), Languages: []string{"da"}}
	if _, err := s.Store.Partnership(c.UserContext(), pa.ID); err == nil {
		return back(c, "/console/partnerships/"+pa.ID, "partnership_created")
	}
	pa.Name, pa.Area = c.FormValue("name"), c.FormValue("area")
	if ps := pa.Check(); len(ps) > 0 {
		p := s.page(c, r, "home_title")
		p.domainProblems(ps)
		list, err := s.summaries(c, r, p)
		if err != nil {
			return err
		}
		p.Data = homeView{List: list, New: pa}
		return s.render(c, http.StatusUnprocessableEntity, "home.html", p)
	}
	if err := s.Store.CreatePartnership(c.UserContext(), pa); err != nil {
		// The same form, posted twice at once, made it already.
		if _, again := s.Store.Partnership(c.UserContext(), pa.ID); again == nil {
			return back(c, "/console/partnerships/"+pa.ID, "partnership_created")
		}
		return err
	}
	if err := s.audit(c, r, "partnership.create", pa.ID, pa.ID); err != nil {
		return err
	}
	return back(c, "/console/partnerships/"+pa.ID, "partnership_created")
}

// movedPartnership sends an address from before the console's partnership
// pages took the names (/console/p/...) to where it lives now.
func movedPartnership(c *fiber.Ctx, _ *request) error {
	to := "/console/partnerships/" + c.Params("*")
	if q := c.Request().URI().QueryString(); len(q) > 0 {
		to += "?" + string(q)
	}
	return c.Redirect(to, http.StatusMovedPermanently)
}
