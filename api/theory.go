package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"samspil/partnership"
	"samspil/theory"
)

// TheoryStore keeps partnerships' program theories, version by version.
type TheoryStore interface {
	Partnership(ctx context.Context, id string) (partnership.Partnership, error)
	Theory(ctx context.Context, pid string) (theory.Theory, bool, error)
	TheoryVersion(ctx context.Context, pid string, v int) (theory.Theory, bool, error)
	TheoryVersions(ctx context.Context, pid string) ([]theory.Theory, error)
	SaveTheory(ctx context.Context, t theory.Theory) (bool, error)
	Activities(ctx context.Context, partnershipID string) ([]partnership.Activity, error)
	Audit(ctx context.Context, e partnership.AuditEntry) error
}

// theoryInput is what a client sends to save a new version. The fields
// GET adds (partnership, version, author, saved_at) may come back with a
// theory as read; they are set by the server, not taken.
type theoryInput struct {
	Elements    []theory.Element `json:"elements"`
	Arrows      []theory.Arrow   `json:"arrows"`
	Note        string           `json:"note"`
	Partnership string           `json:"partnership,omitempty"`
	Version     int              `json:"version,omitempty"`
	Author      string           `json:"author,omitempty"`
	SavedAt     string           `json:"saved_at,omitempty"`
}

// etag names a version in ETag and If-Match.
func etag(v int) string { return `"` + strconv.Itoa(v) + `"` }

// getTheory answers the latest version, its number in ETag.
func (s *server) getTheory(store TheoryStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pid := c.Params("pid")
		if _, err := store.Partnership(c.UserContext(), pid); err != nil {
			return storeError(err, "partnership_not_found")
		}
		t, ok, err := store.Theory(c.UserContext(), pid)
		switch {
		case err != nil:
			return errUnavailable(err)
		case !ok:
			return errNotFound("theory_not_found")
		}
		c.Set(fiber.HeaderETag, etag(t.Version))
		return c.JSON(t)
	}
}

// putTheory saves a new version. Once a theory exists, If-Match must name
// the version the change was made to: a save over a newer one is refused
// with 412, so nobody's change is lost.
func (s *server) putTheory(store TheoryStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in theoryInput
		if err := decodeBody(c, &in); err != nil {
			return err
		}
		pid := c.Params("pid")
		if _, err := store.Partnership(c.UserContext(), pid); err != nil {
			return storeError(err, "partnership_not_found")
		}
		current, exists, err := store.Theory(c.UserContext(), pid)
		if err != nil {
			return errUnavailable(err)
		}
		match := strings.TrimPrefix(c.Get(fiber.HeaderIfMatch), "W/")
		switch {
		case exists && match == "":
			return newError(http.StatusPreconditionRequired, "if_match_required")
		case exists && match != etag(current.Version), !exists && match != "" && match != etag(0):
			return changed(current.Version)
		}
		t := theory.Theory{Partnership: pid, Version: current.Version + 1, Elements: in.Elements, Arrows: in.Arrows,
			Note: in.Note, Author: actor(c), SavedAt: s.Now().UTC()}.Clean()
		if t.Elements == nil {
			t.Elements = []theory.Element{}
		}
		if t.Arrows == nil {
			t.Arrows = []theory.Arrow{}
		}
		acts, err := store.Activities(c.UserContext(), pid)
		if err != nil {
			return errUnavailable(err)
		}
		ids := make([]string, len(acts))
		for i, a := range acts {
			ids[i] = a.ID
		}
		if err := domainProblems(t.Validate(ids...)); err != nil {
			return err
		}
		saved, err := store.SaveTheory(c.UserContext(), t)
		switch {
		case err != nil:
			return errUnavailable(err)
		case !saved:
			return changed(t.Version)
		}
		if err := s.audit(c, store, actor(c), "theory.save", pid, strconv.Itoa(t.Version)); err != nil {
			return err
		}
		c.Set(fiber.HeaderETag, etag(t.Version))
		status := http.StatusOK
		if !exists {
			status = http.StatusCreated
		}
		return c.Status(status).JSON(t)
	}
}

// changed refuses a save made to an older version than current.
func changed(current int) error {
	e := newError(http.StatusPreconditionFailed, "theory_changed")
	e.data = map[string]any{"Current": current}
	return e
}

// theoryVersion is a version as the list shows it.
type theoryVersion struct {
	Version  int    `json:"version"`
	SavedAt  string `json:"saved_at"`
	Author   string `json:"author,omitempty"`
	Note     string `json:"note,omitempty"`
	Elements int    `json:"elements"`
}

// theoryVersions lists every version, newest first.
func (s *server) theoryVersions(store TheoryStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pid := c.Params("pid")
		if _, err := store.Partnership(c.UserContext(), pid); err != nil {
			return storeError(err, "partnership_not_found")
		}
		all, err := store.TheoryVersions(c.UserContext(), pid)
		if err != nil {
			return errUnavailable(err)
		}
		out := make([]theoryVersion, 0, len(all))
		for _, t := range all {
			out = append(out, theoryVersion{Version: t.Version, SavedAt: t.SavedAt.Format(time.RFC3339),
				Author: t.Author, Note: t.Note, Elements: len(t.Elements)})
		}
		return c.JSON(fiber.Map{"versions": out})
	}
}

// getTheoryVersion answers one version.
func (s *server) getTheoryVersion(store TheoryStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		t, err := s.theoryAt(c, store, c.Params("n"))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderETag, etag(t.Version))
		return c.JSON(t)
	}
}

// compareTheory lists what changed from one version to another.
func (s *server) compareTheory(store TheoryStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		from, err := s.theoryAt(c, store, c.Query("from"))
		if err != nil {
			return err
		}
		to, err := s.theoryAt(c, store, c.Query("to"))
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"from": from.Version, "to": to.Version, "changes": theory.Compare(from, to)})
	}
}

// theoryAt loads the version a parameter names.
func (s *server) theoryAt(c *fiber.Ctx, store TheoryStore, n string) (theory.Theory, error) {
	pid := c.Params("pid")
	if _, err := store.Partnership(c.UserContext(), pid); err != nil {
		return theory.Theory{}, storeError(err, "partnership_not_found")
	}
	v, err := strconv.Atoi(n)
	if err != nil || v < 1 {
		return theory.Theory{}, errNotFound("theory_version_not_found")
	}
	t, ok, err := store.TheoryVersion(c.UserContext(), pid, v)
	switch {
	case err != nil:
		return theory.Theory{}, errUnavailable(err)
	case !ok:
		return theory.Theory{}, errNotFound("theory_version_not_found")
	}
	return t, nil
}

// theoryTemplate answers the starting theory, in Danish or (lang=en)
// English, for a partnership to copy and adapt.
func theoryTemplate(c *fiber.Ctx) error {
	return c.JSON(theory.Template(c.Query("lang", "da")))
}
