package web

import (
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"samspil/theory"
)

// theoryVersionsView is the list of versions and a comparison of two.
type theoryVersionsView struct {
	Versions []theory.Theory
	From, To int
	Changes  *theory.Changes
	// A and B are the two versions compared, for the arrows' ends.
	A, B *theory.Theory
}

// theoryVersionsPage lists the versions and compares the two chosen
// (?from=&to=), by default the last two.
func (s *server) theoryVersionsPage(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "theory_versions_title")
	pa, err := s.partnershipOf(c, p, "theory")
	if err != nil {
		return err
	}
	all, err := s.Store.TheoryVersions(c.UserContext(), pa.ID)
	if err != nil {
		return err
	}
	v := theoryVersionsView{Versions: all}
	if len(all) >= 2 {
		v.From, v.To = all[1].Version, all[0].Version
		if n, err := strconv.Atoi(c.Query("from")); err == nil {
			v.From = n
		}
		if n, err := strconv.Atoi(c.Query("to")); err == nil {
			v.To = n
		}
		var a, b *theory.Theory
		for i := range all {
			if all[i].Version == v.From {
				a = &all[i]
			}
			if all[i].Version == v.To {
				b = &all[i]
			}
		}
		if a != nil && b != nil {
			ch := theory.Compare(*a, *b)
			v.Changes, v.A, v.B = &ch, a, b
		} else {
			p.problem("from", "theory_compare", "theory_version_not_found")
		}
	}
	p.Data = v
	return s.render(c, http.StatusOK, "theory_versions.html", p)
}
