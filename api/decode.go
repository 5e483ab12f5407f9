package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"github.com/gofiber/fiber/v2"
)

// bodyLimit caps every request body; a questionnaire's answers fit many
// times over.
const bodyLimit = 64 << 10

// pageBodyLimit caps the bodies the server reads at all: pages upload
// partner files of up to a mebibyte. API routes keep to bodyLimit.
const pageBodyLimit = 1 << 20

// submission is the body a phone posts with a citizen's answers.
type submission struct {
	SubmissionID string         `json:"submission_id" validate:"required,uuid"`
	Lang         string         `json:"lang"`
	Version      int            `json:"version" validate:"gte=0"`
	Partnership  string         `json:"partnership"`
	Activity     string         `json:"activity"`
	Answers      map[string]any `json:"answers"`
	// FollowUp is "new" for a new follow-up code, or a code given before.
	FollowUp string `json:"follow_up" validate:"max=40"`
}

// keyRequest asks for a new API key.
type keyRequest struct {
	Role        string `json:"role" validate:"required,oneof=admin backbone evaluator"`
	Partnership string `json:"partnership" validate:"required_if=Role backbone,excluded_unless=Role backbone"`
}

// requireJSON refuses bodies that do not say they are JSON, or say they
// are JSON in a charset other than UTF-8: JSON is UTF-8 (RFC 8259), and
// reading Latin-1 bytes as UTF-8 would store other letters than typed.
func requireJSON(c *fiber.Ctx) error {
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEApplicationJSON {
		return newError(http.StatusUnsupportedMediaType, "unsupported_media_type")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return newError(http.StatusUnsupportedMediaType, "unsupported_charset")
	}
	return nil
}

// decodeJSON reads exactly one JSON value into v, refusing unknown fields,
// so a misspelt field is reported instead of silently dropped. Numbers stay
// json.Number, so that 3.0000000000000001 is not mistaken for 3.
func decodeJSON(body []byte, v any) error {
	if !utf8.Valid(body) {
		return newError(http.StatusBadRequest, "invalid_utf8")
	}
	if key, dup := duplicateKey(body); dup {
		e := newError(http.StatusBadRequest, "duplicate_key")
		e.data = map[string]any{"Key": key}
		return e
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON value")
	}
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return errInvalid([]fieldError{{field: typeErr.Field, code: "wrong_type", msgID: "wrong_type_field"}})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errInvalid([]fieldError{{field: field, code: "unknown_field", msgID: "unknown_field"}})
	default:
		return newError(http.StatusBadRequest, "malformed_json")
	}
}

var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Report fields by the names clients send.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		return name
	})
	return v
}

// validationCodes maps validator tags to the codes and messages clients see.
var validationCodes = map[string]struct{ code, msgID string }{
	"required":        {"required", "missing_field"},
	"uuid":            {"invalid_uuid", "invalid_submission_id"},
	"oneof":           {"invalid_value", "invalid_role"},
	"required_if":     {"required", "missing_field"},
	"excluded_unless": {"invalid_value", "partnership_only_for_backbone"},
}

// checkFields checks v's validate tags and lists every failure.
func checkFields(v any) []fieldError {
	var errs validator.ValidationErrors
	if !errors.As(validate.Struct(v), &errs) {
		return nil
	}
	fields := make([]fieldError, 0, len(errs))
	for _, fe := range errs {
		m, ok := validationCodes[fe.Tag()]
		if !ok {
			m = struct{ code, msgID string }{"invalid_value", "invalid_value"}
		}
		fields = append(fields, fieldError{field: fe.Field(), code: m.code, msgID: m.msgID})
	}
	return fields
}

// decodeSubmission reads a citizen's submission. It is the parser that
// faces the open internet, and is fuzzed.
func decodeSubmission(body []byte) (submission, error) {
	var sub submission
	err := decodeJSON(body, &sub)
	return sub, err
}

// duplicateKey finds a key given twice in one JSON object, at any depth:
// encoding/json keeps the last silently, so {"answers": …, "answers": …}
// would store other answers than a reader of the body sees first. A body
// that is not JSON is left for the decoder to refuse.
func duplicateKey(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type object struct {
		keys      map[string]bool
		expectKey bool
	}
	var stack []*object
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		var top *object
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				if top != nil {
					top.expectKey = true // the object is the value
				}
				stack = append(stack, &object{keys: map[string]bool{}, expectKey: true})
			case '[':
				stack = append(stack, nil)
			case '}', ']':
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1] != nil {
					stack[len(stack)-1].expectKey = true
				}
			}
			continue
		case string:
			if top != nil && top.expectKey {
				if top.keys[t] {
					return t, true
				}
				top.keys[t] = true
				top.expectKey = false
				continue
			}
		}
		if top != nil {
			top.expectKey = true // a value ended
		}
	}
}
