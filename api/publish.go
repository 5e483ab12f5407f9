package api

import (
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"samspil/forms"
)

// publishForm publishes a new form, or a new version of one, from its JSON
// definition. Every problem with the definition is reported at once, each
// at its path. Publishing the same version again with the same content is
// a harmless repeat; with other content it is refused, as answers may
// already refer to the published version.
func (s *server) publishForm(store FormStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := requireJSON(c); err != nil {
			return err
		}
		if !utf8.Valid(c.Body()) {
			return newError(http.StatusBadRequest, "invalid_utf8")
		}
		f, err := forms.Decode(c.Body())
		if err != nil {
			var de *forms.DefinitionError
			if errors.As(err, &de) && de.Problems[0].Code == forms.DefMalformed {
				return newError(http.StatusBadRequest, "malformed_json")
			}
			return definitionProblems(err)
		}
		if problems := f.Lint(); len(problems) > 0 {
			return definitionProblems(&forms.DefinitionError{Form: f.ID, Problems: problems})
		}
		switch err := s.Forms.CanPublish(f); {
		case errors.Is(err, forms.ErrVersionExists):
			return newError(http.StatusConflict, "version_exists")
		case errors.Is(err, forms.ErrVersionTooLow):
			latest, _ := s.Forms.Form(f.ID, 0)
			return errInvalid([]fieldError{{field: "version", code: "invalid_value", msgID: "version_too_low",
				data: map[string]any{"Latest": latest.Version}}})
		}
		stored, created, err := store.SaveForm(c.UserContext(), f, s.Now())
		if err != nil {
			return errUnavailable(err)
		}
		if !created && !forms.Same(stored, f) {
			return newError(http.StatusConflict, "version_exists")
		}
		if _, err := s.Forms.Add(f); err != nil {
			return newError(http.StatusConflict, "version_exists")
		}
		if created {
			c.Status(http.StatusCreated)
		}
		return c.JSON(s.listing(c, f))
	}
}

// definitionProblems reports a definition's problems as a 422, one field
// error per problem, at the problem's path in the definition.
func definitionProblems(err error) error {
	var de *forms.DefinitionError
	if !errors.As(err, &de) {
		return err
	}
	fields := make([]fieldError, 0, len(de.Problems))
	for _, p := range de.Problems {
		fields = append(fields, fieldError{field: p.Path, code: p.Code, msgID: "def_" + p.Code, data: p.Params})
	}
	return errInvalid(fields)
}
