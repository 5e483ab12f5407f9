package web

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"samspil/forms"
)

// frontView is the front page: what Samspil is and the questionnaires
// anyone may answer.
type frontView struct {
	Forms []frontForm
}

type frontForm struct {
	ID, Title, Intro string
}

// front is what someone who types the bare address sees: a sentence on
// what Samspil is, the published citizen questionnaires, and the way in
// for staff.
func (s *server) front(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "front_title")
	p.Public = r.User == nil
	var v frontView
	for _, f := range s.Forms.Forms() {
		if f.Kind == forms.KindPartner {
			continue
		}
		view := f.In(r.Lang)
		v.Forms = append(v.Forms, frontForm{ID: f.ID, Title: view.Title, Intro: view.Intro})
	}
	p.Data = v
	return s.render(c, http.StatusOK, "front.html", p)
}

// faviconSVG is Samspil's icon: a blue dot. Pages carry it inline; this
// answers the browsers and tools that ask for /favicon.ico anyway, so
// their request is not an error.
const faviconSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#0b4f8a"/></svg>`

func favicon(c *fiber.Ctx, _ *request) error {
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	c.Set(fiber.HeaderCacheControl, "public, max-age=604800")
	return c.SendString(faviconSVG)
}
