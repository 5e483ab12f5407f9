package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/access"
	"samspil/forms"
	"samspil/partnership"
)

// PartnershipStore keeps partnerships and what belongs to them.
type PartnershipStore interface {
	CreatePartnership(ctx context.Context, p partnership.Partnership) error
	Partnership(ctx context.Context, id string) (partnership.Partnership, error)
	Partnerships(ctx context.Context) ([]partnership.Partnership, error)
	UpdatePartnership(ctx context.Context, p partnership.Partnership) error
	CreatePartner(ctx context.Context, p partnership.Partner) error
	CreatePartners(ctx context.Context, ps []partnership.Partner) error
	Partner(ctx context.Context, partnershipID, id string) (partnership.Partner, error)
	Partners(ctx context.Context, partnershipID string) ([]partnership.Partner, error)
	UpdatePartner(ctx context.Context, p partnership.Partner) error
	CreateActivity(ctx context.Context, a partnership.Activity) error
	Activity(ctx context.Context, partnershipID, id string) (partnership.Activity, error)
	Activities(ctx context.Context, partnershipID string) ([]partnership.Activity, error)
	UpdateActivity(ctx context.Context, a partnership.Activity) error
	CreateWave(ctx context.Context, w partnership.Wave) error
	Wave(ctx context.Context, partnershipID, id string) (partnership.Wave, error)
	Waves(ctx context.Context, partnershipID string) ([]partnership.Wave, error)
	CreateInvitation(ctx context.Context, inv partnership.Invitation) (bool, error)
	Invitation(ctx context.Context, hash string) (partnership.Invitation, error)
	Invitations(ctx context.Context, waveID string) ([]partnership.Invitation, error)
	PartnerResponses(ctx context.Context, waveID string, partners []string) ([]forms.Response, error)
	ReplaceResponse(ctx context.Context, r forms.Response, counts []forms.Count) (bool, error)
	Response(ctx context.Context, id string) (forms.Response, bool, error)
	Audit(ctx context.Context, e partnership.AuditEntry) error
	AuditLog(ctx context.Context, limit int) ([]partnership.AuditEntry, error)
}

// storeError maps a store's answer to the API's: a missing thing is a 404
// with the given message, anything else an outage.
func storeError(err error, notFoundMsg string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, partnership.ErrNotFound):
		return errNotFound(notFoundMsg)
	default:
		return errUnavailable(err)
	}
}

// domainProblems turns a domain check's problems into a 422.
func domainProblems(ps []partnership.Problem) error {
	if len(ps) == 0 {
		return nil
	}
	fields := make([]fieldError, 0, len(ps))
	for _, p := range ps {
		msgID := p.Code
		if p.Code == "required" {
			msgID = "missing_field"
		}
		fields = append(fields, fieldError{field: p.Field, code: p.Code, msgID: msgID, data: p.Params})
	}
	return errInvalid(fields)
}

// decodeBody reads a JSON body into v and checks its validate tags.
func decodeBody(c *fiber.Ctx, v any) error {
	if err := requireJSON(c); err != nil {
		return err
	}
	if err := decodeJSON(c.Body(), v); err != nil {
		return err
	}
	if problems := checkFields(v); len(problems) > 0 {
		return errInvalid(problems)
	}
	return nil
}

// actor names who made a change, for the audit log: a key's id or a
// partner's invitation, never a secret.
func actor(c *fiber.Ctx) string {
	if k, ok := c.Locals(keyLocal).(access.Key); ok {
		return k.ID
	}
	return "anonymous"
}

// audit records a change. A failed audit write fails the request: a change
// nobody can account for is worse than one that has to be retried.
func (s *server) audit(c *fiber.Ctx, store PartnershipStore, who, action, partnershipID, target string) error {
	e := partnership.AuditEntry{ID: partnership.NewID("au"), At: s.Now().UTC(), Actor: who, Action: action,
		Partnership: partnershipID, Target: target}
	if err := store.Audit(c.UserContext(), e); err != nil {
		return errUnavailable(err)
	}
	return nil
}

// partnershipInput is the body of POST and PATCH /partnerships.
type partnershipInput struct {
	Name        *string  `json:"name"`
	Area        *string  `json:"area"`
	Description *string  `json:"description"`
	Languages   []string `json:"languages"`
	MinGroup    *int     `json:"min_group"`
}

func (in partnershipInput) apply(p *partnership.Partnership) {
	set(&p.Name, in.Name)
	set(&p.Area, in.Area)
	set(&p.Description, in.Description)
	set(&p.MinGroup, in.MinGroup)
	if in.Languages != nil {
		p.Languages = in.Languages
	}
}

// set copies an optional field of a PATCH body.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (s *server) createPartnership(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in partnershipInput
		if err := decodeBody(c, &in); err != nil {
			return err
		}
		p := partnership.Partnership{ID: partnership.NewID("pa"), CreatedAt: s.Now().UTC()}
		in.apply(&p)
		if err := domainProblems(p.Check()); err != nil {
			return err
		}
		if err := store.CreatePartnership(c.UserContext(), p); err != nil {
			return errUnavailable(err)
		}
		if err := s.audit(c, store, actor(c), "partnership.create", p.ID, p.ID); err != nil {
			return err
		}
		return c.Status(http.StatusCreated).JSON(p)
	}
}

func (s *server) listPartnerships(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		all, err := store.Partnerships(c.UserContext())
		if err != nil {
			return errUnavailable(err)
		}
		if k, _ := c.Locals(keyLocal).(access.Key); k.Role == access.RoleBackbone {
			all = slices.DeleteFunc(all, func(p partnership.Partnership) bool { return p.ID != k.Partnership })
		}
		return c.JSON(fiber.Map{"partnerships": all})
	}
}

func (s *server) getPartnership(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := store.Partnership(c.UserContext(), c.Params("pid"))
		if err != nil {
			return storeError(err, "partnership_not_found")
		}
		return c.JSON(p)
	}
}

func (s *server) updatePartnership(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in partnershipInput
		if err := decodeBody(c, &in); err != nil {
			return err
		}
		p, err := store.Partnership(c.UserContext(), c.Params("pid"))
		if err != nil {
			return storeError(err, "partnership_not_found")
		}
		// The minimum group protects citizens from everyone who reads the
		// figures, the partnership's own staff included: only an admin
		// changes it.
		if k, _ := c.Locals(keyLocal).(access.Key); in.MinGroup != nil && *in.MinGroup != p.MinGroup && k.Role != access.RoleAdmin {
			return errInvalid([]fieldError{{field: "min_group", code: "admin_only", msgID: "min_group_admin_only"}})
		}
		in.apply(&p)
		if err := domainProblems(p.Check()); err != nil {
			return err
		}
		if err := store.UpdatePartnership(c.UserContext(), p); err != nil {
			return storeError(err, "partnership_not_found")
		}
		if err := s.audit(c, store, actor(c), "partnership.update", p.ID, p.ID); err != nil {
			return err
		}
		return c.JSON(p)
	}
}

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
		if err := store.CreatePartner(c.UserContext(), p); err != nil {
			return partnerStoreError(err)
		}
		if err := s.audit(c, store, actor(c), "partner.create", pid, p.ID); err != nil {
			return err
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
		taken := map[string]bool{}
		for _, p := range existing {
			taken[partnership.NameKey(p.Name)] = true
		}
		lang := s.language(c)
		report := make([]importRow, 0, len(rows))
		var partners []partnership.Partner
		rejected := 0
		for _, r := range rows {
			if taken[partnership.NameKey(r.Partner.Name)] {
				r.Problems = append(r.Problems, partnership.Problem{Field: "name", Code: "duplicate_name"})
			}
			row := importRow{Row: r.Row, Name: r.Partner.Name, Status: "would_create"}
			for _, p := range r.Problems {
				msgID := p.Code
				if msgID == "required" {
					msgID = "missing_field"
				}
				row.Errors = append(row.Errors, fieldIssue{Field: p.Field, Code: p.Code, Message: s.Messages.Text(lang, msgID, p.Params)})
			}
			if len(r.Problems) > 0 {
				row.Status = "rejected"
				rejected++
			} else {
				p := r.Partner
				p.ID, p.Partnership, p.JoinedAt = partnership.NewID("pt"), pid, s.Now().UTC().Truncate(time.Second)
				partners = append(partners, p)
				row.Partner = p.ID
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

// activityInput is the body of POST and PATCH .../activities.
type activityInput struct {
	Name        *string  `json:"name"`
	Description *string  `json:"description"`
	Partners    []string `json:"partners"`
	Active      *bool    `json:"active"`
}

func (in activityInput) apply(a *partnership.Activity) {
	set(&a.Name, in.Name)
	set(&a.Description, in.Description)
	set(&a.Active, in.Active)
	if in.Partners != nil {
		a.Partners = in.Partners
	}
}

func (s *server) saveActivity(store PartnershipStore, create bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in activityInput
		if err := decodeBody(c, &in); err != nil {
			return err
		}
		pid := c.Params("pid")
		if _, err := store.Partnership(c.UserContext(), pid); err != nil {
			return storeError(err, "partnership_not_found")
		}
		a := partnership.Activity{ID: partnership.NewID("ac"), Partnership: pid, Active: true}
		if !create {
			var err error
			if a, err = store.Activity(c.UserContext(), pid, c.Params("id")); err != nil {
				return storeError(err, "activity_not_found")
			}
		}
		in.apply(&a)
		partners, err := store.Partners(c.UserContext(), pid)
		if err != nil {
			return errUnavailable(err)
		}
		if err := domainProblems(a.Check(partners)); err != nil {
			return err
		}
		action, status, save := "activity.update", http.StatusOK, store.UpdateActivity
		if create {
			action, status, save = "activity.create", http.StatusCreated, store.CreateActivity
		}
		if err := save(c.UserContext(), a); err != nil {
			return storeError(err, "activity_not_found")
		}
		if err := s.audit(c, store, actor(c), action, pid, a.ID); err != nil {
			return err
		}
		return c.Status(status).JSON(a)
	}
}

func (s *server) listActivities(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pid := c.Params("pid")
		if _, err := store.Partnership(c.UserContext(), pid); err != nil {
			return storeError(err, "partnership_not_found")
		}
		as, err := store.Activities(c.UserContext(), pid)
		if err != nil {
			return errUnavailable(err)
		}
		return c.JSON(fiber.Map{"activities": as})
	}
}

func (s *server) auditLog(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		entries, err := store.AuditLog(c.UserContext(), 500)
		if err != nil {
			return errUnavailable(err)
		}
		return c.JSON(fiber.Map{"entries": entries})
	}
}
