package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/partnership"
)

// partnersView is the partners page: the list, the form to add one, and
// an import's preview.
type partnersView struct {
	Partners []partnership.Partner
	Sectors  []partnership.Sector
	// New is the partner being added, kept when the form comes back.
	New      partnership.Partner
	Contacts bool
	// Preview is an uploaded file's rows, before anything is saved.
	Preview *importPreview
}

// importPreview shows what an uploaded partner file would create.
type importPreview struct {
	Rows     []previewRow
	Rejected int
	Creates  int
	// CSV is the file's text, posted again to confirm.
	CSV string
}

type previewRow struct {
	Row      int
	Partner  partnership.Partner
	Problems []string
}

func (s *server) partnersView(c *fiber.Ctx, r *request, p *page) (partnersView, error) {
	pa, err := s.partnershipOf(c, p, "partners")
	if err != nil {
		return partnersView{}, err
	}
	list, err := s.Store.Partners(c.UserContext(), pa.ID)
	if err != nil {
		return partnersView{}, err
	}
	slices.SortFunc(list, func(a, b partnership.Partner) int {
		return strings.Compare(partnership.NameKey(a.Name), partnership.NameKey(b.Name))
	})
	v := partnersView{Partners: list, Sectors: partnership.Sectors, New: partnership.Partner{Sector: partnership.Civil},
		Contacts: seesContacts(r.Principal)}
	if !v.Contacts {
		for i := range v.Partners {
			v.Partners[i].Email = ""
		}
	}
	return v, nil
}

func (s *server) partnersPage(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "partners_title")
	v, err := s.partnersView(c, r, p)
	if err != nil {
		return err
	}
	p.Data = v
	return s.render(c, http.StatusOK, "partners.html", p)
}

// partnerForm reads the partner fields of a posted form.
func partnerForm(c *fiber.Ctx, pt *partnership.Partner) {
	pt.Name, pt.Sector, pt.Email = c.FormValue("name"), partnership.Sector(c.FormValue("sector")), c.FormValue("email")
}

func (s *server) addPartner(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "partners_title")
	v, err := s.partnersView(c, r, p)
	if err != nil {
		return err
	}
	pt := partnership.Partner{ID: onceID(c, "pt", p.Partnership.ID), Partnership: p.Partnership.ID, Active: true,
		JoinedAt: s.Now().UTC().Truncate(time.Second)}
	if _, err := s.Store.Partner(c.UserContext(), pt.Partnership, pt.ID); err == nil {
		return back(c, "/console/partnerships/"+pt.Partnership+"/partners", "partner_added")
	}
	partnerForm(c, &pt)
	ps := pt.Check()
	if len(ps) == 0 {
		err := s.Store.CreatePartner(c.UserContext(), pt)
		if err != nil {
			// The same form, posted twice at once, made it already.
			if _, again := s.Store.Partner(c.UserContext(), pt.Partnership, pt.ID); again == nil {
				return back(c, "/console/partnerships/"+pt.Partnership+"/partners", "partner_added")
			}
		}
		if errors.Is(err, partnership.ErrDuplicateName) {
			ps = append(ps, partnership.Problem{Field: "name", Code: "duplicate_name"})
		} else if err != nil {
			return err
		}
	}
	if len(ps) > 0 {
		p.domainProblems(ps)
		v.New = pt
		p.Data = v
		return s.render(c, http.StatusUnprocessableEntity, "partners.html", p)
	}
	if err := s.audit(c, r, "partner.create", pt.Partnership, pt.ID); err != nil {
		return err
	}
	return back(c, "/console/partnerships/"+pt.Partnership+"/partners", "partner_added")
}

// importPartners shows an uploaded file's rows with their problems, and
// saves them when the preview is confirmed and every row is good.
func (s *server) importPartners(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "partners_title")
	v, err := s.partnersView(c, r, p)
	if err != nil {
		return err
	}
	data := []byte(c.FormValue("csv"))
	confirm := c.FormValue("confirm") == "1"
	if fh, err := c.FormFile("file"); err == nil {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		data, err = io.ReadAll(io.LimitReader(f, 1<<20))
		f.Close()
		if err != nil {
			return err
		}
		confirm = false
	}
	rows, err := partnership.ParsePartnerCSV(data)
	if err != nil || len(rows) == 0 {
		switch {
		case len(bytes.TrimSpace(data)) == 0:
			p.problem("file", "field_file", "import_empty")
		case errors.Is(err, partnership.ErrImportHeader):
			p.problem("file", "field_file", "import_header")
		case err != nil:
			p.problem("file", "field_file", "import_unreadable")
		default:
			p.problem("file", "field_file", "import_empty")
		}
		p.Data = v
		return s.render(c, http.StatusUnprocessableEntity, "partners.html", p)
	}
	partners, rejected := partnership.PlanImport(rows, v.Partners, p.Partnership.ID, s.Now())
	if confirm && allKnown(rows, v.Partners) {
		// The same confirmation, posted twice: the first one saved them.
		return back(c, "/console/partnerships/"+p.Partnership.ID+"/partners", "partners_imported")
	}
	if confirm && rejected == 0 {
		err := s.Store.CreatePartners(c.UserContext(), partners)
		if err != nil && !errors.Is(err, partnership.ErrDuplicateName) {
			return err
		}
		if err == nil {
			if err := s.audit(c, r, "partner.import", p.Partnership.ID, ""); err != nil {
				return err
			}
			return back(c, "/console/partnerships/"+p.Partnership.ID+"/partners", "partners_imported")
		}
		// Someone added one of these names meanwhile: show the preview
		// again with the row marked.
		v.Partners, _ = s.Store.Partners(c.UserContext(), p.Partnership.ID)
		rows, _ = partnership.ParsePartnerCSV(data)
		partners, rejected = partnership.PlanImport(rows, v.Partners, p.Partnership.ID, s.Now())
	}
	// The preview posts the file back as text, in the page's UTF-8,
	// whatever encoding the spreadsheet wrote.
	text, _ := partnership.DecodeText(data)
	prev := &importPreview{Rejected: rejected, Creates: len(partners), CSV: text}
	for _, row := range rows {
		pr := previewRow{Row: row.Row, Partner: row.Partner}
		for _, problem := range row.Problems {
			pr.Problems = append(pr.Problems, p.T("field_"+problem.Field)+": "+p.domainMessage(problem))
		}
		prev.Rows = append(prev.Rows, pr)
	}
	if rejected > 0 {
		p.problem("file", "field_file", "import_rows_rejected", "Rejected", rejected)
	}
	v.Preview = prev
	p.Data = v
	status := http.StatusOK
	if rejected > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(c, status, "partners.html", p)
}

// allKnown reports whether every row names a partner the partnership
// has: a confirmation posted again after the first one saved them.
func allKnown(rows []partnership.ImportRow, partners []partnership.Partner) bool {
	known := map[string]bool{}
	for _, pt := range partners {
		known[partnership.NameKey(pt.Name)] = true
	}
	for _, r := range rows {
		if !known[partnership.NameKey(r.Partner.Name)] {
			return false
		}
	}
	return len(rows) > 0
}

// partnersTemplate is a partner file to fill in, with the columns the
// import reads and one example row.
func (s *server) partnersTemplate(c *fiber.Ctx, r *request) error {
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="partnere.csv"`)
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	return c.SendString("name,sector,email\r\nBydelens Frivilligcenter,backbone,kontakt@example.dk\r\n")
}

type partnerView struct {
	Partner partnership.Partner
	Sectors []partnership.Sector
}

// partnerOf starts a partner's page: the partner as stored, its name as
// the heading.
func (s *server) partnerOf(c *fiber.Ctx, r *request) (*page, partnership.Partner, error) {
	p := s.page(c, r, "partner_title")
	pa, err := s.partnershipOf(c, p, "partners")
	if err != nil {
		return nil, partnership.Partner{}, err
	}
	pt, err := s.Store.Partner(c.UserContext(), pa.ID, c.Params("id"))
	if err != nil {
		return nil, pt, err
	}
	p.Title = pt.Name
	return p, pt, nil
}

func (s *server) partnerPage(c *fiber.Ctx, r *request) error {
	p, pt, err := s.partnerOf(c, r)
	if err != nil {
		return err
	}
	p.Data = partnerView{Partner: pt, Sectors: partnership.Sectors}
	return s.render(c, http.StatusOK, "partner.html", p)
}

// savePartner changes a partner; unticking "active" deactivates it, which
// keeps its past answers meaningful where deleting would not.
func (s *server) savePartner(c *fiber.Ctx, r *request) error {
	p, pt, err := s.partnerOf(c, r)
	if err != nil {
		return err
	}
	partnerForm(c, &pt)
	wasActive := pt.Active
	pt.Active = c.FormValue("active") == "on"
	if wasActive && !pt.Active {
		left := s.Now().UTC().Truncate(time.Second)
		pt.LeftAt = &left
	} else if pt.Active {
		pt.LeftAt = nil
	}
	ps := pt.Check()
	if len(ps) == 0 {
		err := s.Store.UpdatePartner(c.UserContext(), pt)
		if errors.Is(err, partnership.ErrDuplicateName) {
			ps = append(ps, partnership.Problem{Field: "name", Code: "duplicate_name"})
		} else if err != nil {
			return err
		}
	}
	if len(ps) > 0 {
		p.domainProblems(ps)
		p.Data = partnerView{Partner: pt, Sectors: partnership.Sectors}
		return s.render(c, http.StatusUnprocessableEntity, "partner.html", p)
	}
	if err := s.audit(c, r, "partner.update", pt.Partnership, pt.ID); err != nil {
		return err
	}
	return back(c, "/console/partnerships/"+pt.Partnership+"/partners", "saved")
}
