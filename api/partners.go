package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/partnership"
)

// partnerInput is the body of POST and PATCH .../partners.
type partnerInput struct {
	Name     *string             `json:"name"`
	Sector   *partnership.Sector `json:"sector"`
	Email    *string             `json:"email"`
	Active   *bool               `json:"active"`
	JoinedAt *time.Time          `json:"joined_at"`
}

func (s *server) createPartner(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in partnerInput
		if err := decodeBody(c, &in); err != nil {
			return err
		}
		pid := c.Params("pid")
		if _, err := store.Partnership(c.UserContext(), pid); err != nil {
			return storeError(err, "partnership_not_found")
		}
		p := partnership.Partner{ID: partnership.NewID("pt"), Partnership: pid, Active: true, JoinedAt: s.Now().UTC().Truncate(time.Second)}
		set(&p.Name, in.Name)
		set(&p.Sector, in.Sector)
		set(&p.Email, in.Email)
		set(&p.Active, in.Active)
		set(&p.JoinedAt, in.JoinedAt)
		if err := domainProblems(p.Check()); err != nil {
			return err
		}
		if err := s.audit(c, store, actor(c), "partner.create", pid, p.ID); err != nil {
			return err
		}
		if err := store.CreatePartner(c.UserContext(), p); err != nil {
			return partnerStoreError(err)
		}
		return c.Status(http.StatusCreated).JSON(p)
	}
}

func partnerStoreError(err error) error {
	if errors.Is(err, partnership.ErrDuplicateName) {
		return errInvalid([]fieldError{{field: "name", code: "duplicate_name", msgID: "duplicate_name"}})
	}
	return storeError(err, "partner_not_found")
}

func (s *server) listPartners(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pid := c.Params("pid")
		if _, err := store.Partnership(c.UserContext(), pid); err != nil {
			return storeError(err, "partnership_not_found")
		}
		ps, err := store.Partners(c.UserContext(), pid)
		if err != nil {
			return errUnavailable(err)
		}
		// Evaluators read aggregates and need nobody's address.
		if k, _ := c.Locals(keyLocal).(access.Key); k.Role == access.RoleEvaluator {
			for i := range ps {
				ps[i].Email = ""
			}
		}
		return c.JSON(fiber.Map{"partners": ps})
	}
}

func (s *server) updatePartner(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in partnerInput
		if err := decodeBody(c, &in); err != nil {
			return err
		}
		p, err := store.Partner(c.UserContext(), c.Params("pid"), c.Params("id"))
		if err != nil {
			return storeError(err, "partner_not_found")
		}
		wasActive := p.Active
		set(&p.Name, in.Name)
		set(&p.Sector, in.Sector)
		set(&p.Email, in.Email)
		set(&p.Active, in.Active)
		set(&p.JoinedAt, in.JoinedAt)
		if wasActive && !p.Active {
			left := s.Now().UTC().Truncate(time.Second)
			p.LeftAt = &left
		} else if p.Active {
			p.LeftAt = nil
		}
		if err := domainProblems(p.Check()); err != nil {
			return err
		}
		if err := store.UpdatePartner(c.UserContext(), p); err != nil {
			return partnerStoreError(err)
		}
		if err := s.audit(c, store, actor(c), "partner.update", p.Partnership, p.ID); err != nil {
			return err
		}
		return c.JSON(p)
	}
}

// importRow reports what became of one row of a partner import.
type importRow struct {
	Row     int          `json:"row"`
	Name    string       `json:"name"`
	Status  string       `json:"status"` // "created", "would_create" or "rejected"
	Partner string       `json:"partner,omitempty"`
	Errors  []fieldIssue `json:"errors,omitempty"`
}

// importPartners creates partners from a CSV file (name,sector,email), all
// or none: a single bad row rejects the file, and the report says why for
// every row.
func (s *server) importPartners(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pid := c.Params("pid")
		if _, err := store.Partnership(c.UserContext(), pid); err != nil {
			return storeError(err, "partnership_not_found")
		}
		rows, err := partnership.ParsePartnerCSV(c.Body())
		if err != nil {
			return errInvalid([]fieldError{{field: "file", code: "import_header", msgID: "import_header"}})
		}
		existing, err := store.Partners(c.UserContext(), pid)
		if err != nil {
			return errUnavailable(err)
		}
		partners, rejected := partnership.PlanImport(rows, existing, pid, s.Now())
		lang := s.language(c)
		report := make([]importRow, 0, len(rows))
		for _, r := range rows {
			row := importRow{Row: r.Row, Name: r.Partner.Name, Status: "would_create", Partner: r.Partner.ID}
			for _, p := range r.Problems {
				msgID := p.Code
				if msgID == "required" {
					msgID = "missing_field"
				}
				row.Errors = append(row.Errors, fieldIssue{Field: p.Field, Code: p.Code, Message: s.Messages.Text(lang, msgID, p.Params)})
			}
			if len(r.Problems) > 0 {
				row.Status = "rejected"
			}
			report = append(report, row)
		}
		if rejected > 0 || len(partners) == 0 {
			for i := range report {
				report[i].Partner = ""
			}
			e := errInvalid(nil)
			e.msgID, e.code = "import_rejected", "import_rejected"
			e.data = map[string]any{"Rejected": rejected}
			e.rows = report
			return e
		}
		if err := store.CreatePartners(c.UserContext(), partners); err != nil {
			return partnerStoreError(err)
		}
		for i := range report {
			report[i].Status = "created"
		}
		if err := s.audit(c, store, actor(c), "partner.import", pid, ""); err != nil {
			return err
		}
		return c.Status(http.StatusCreated).JSON(fiber.Map{"created": len(partners), "rows": report})
	}
}
