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
	UpdateWave(ctx context.Context, w partnership.Wave) error
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

// auditor keeps the audit log.
type auditor interface {
	Audit(ctx context.Context, e partnership.AuditEntry) error
}

// audit records a change. A failed audit write fails the request: a change
// nobody can account for is worse than one that has to be retried.
func (s *server) audit(c *fiber.Ctx, store auditor, who, action, partnershipID, target string) error {
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
	// HidePartnerMap keeps the network map off the partners' results.
	HidePartnerMap *bool `json:"hide_partner_map"`
	// Contact is whom partners write to with questions.
	Contact *string `json:"contact"`
	// Controller is the data controller the privacy notice names.
	Controller *string `json:"controller"`
	// EndedAt is when the partnership ended (RFC 3339).
	EndedAt *time.Time `json:"ended_at"`
	// Retention overrides how long personal data is kept.
	Retention *partnership.Retention `json:"retention"`
}

func (in partnershipInput) apply(p *partnership.Partnership) {
	set(&p.Name, in.Name)
	set(&p.Area, in.Area)
	set(&p.Description, in.Description)
	set(&p.MinGroup, in.MinGroup)
	set(&p.HidePartnerMap, in.HidePartnerMap)
	set(&p.Contact, in.Contact)
	set(&p.Controller, in.Controller)
	if in.EndedAt != nil {
		ended := in.EndedAt.UTC()
		p.EndedAt = &ended
	}
	if in.Retention != nil {
		p.Retention = in.Retention
	}
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
		// The audit entry first: a change that cannot be accounted for is
		// never made, and a retry after a failed audit makes no duplicate.
		if err := s.audit(c, store, actor(c), "partnership.create", p.ID, p.ID); err != nil {
			return err
		}
		if err := store.CreatePartnership(c.UserContext(), p); err != nil {
			return errUnavailable(err)
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

func (s *server) auditLog(store PartnershipStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		entries, err := store.AuditLog(c.UserContext(), 500)
		if err != nil {
			return errUnavailable(err)
		}
		return c.JSON(fiber.Map{"entries": entries})
	}
}
