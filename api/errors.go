package api

import (
	"errors"
	"html"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// apiError is the one kind of error a handler returns on purpose. It is
// rendered one way, with its message in the request's language.
type apiError struct {
	status int
	code   string // stable, for programs
	msgID  string // message catalog id, for people
	data   map[string]any
	fields []fieldError
	// retryAfter, in seconds, tells a client when to try again.
	retryAfter int
	// cause is logged, never shown.
	cause error
	// rows is a rejected import's report, row by row.
	rows []importRow
}

// fieldError is one problem with one field of a request body.
type fieldError struct {
	field string
	code  string
	msgID string
	data  map[string]any
}

func (e *apiError) Error() string {
	if e.cause != nil {
		return e.code + ": " + e.cause.Error()
	}
	return e.code
}

func (e *apiError) Unwrap() error { return e.cause }

func newError(status int, code string) *apiError {
	return &apiError{status: status, code: code, msgID: code}
}

func errNotFound(msgID string) *apiError {
	return &apiError{status: http.StatusNotFound, code: "not_found", msgID: msgID}
}

// errUnavailable reports a store that does not answer. Clients retry; the
// cause goes to the log, never to the client.
func errUnavailable(cause error) *apiError {
	return &apiError{status: http.StatusServiceUnavailable, code: "store_unavailable",
		msgID: "store_unavailable", retryAfter: 10, cause: cause}
}

// errRateLimited refuses a request over an abuse limit, saying when to
// come back.
func errRateLimited(wait time.Duration) *apiError {
	minutes := int(math.Ceil(wait.Minutes()))
	return &apiError{status: http.StatusTooManyRequests, code: "rate_limited", msgID: "rate_limited",
		data: map[string]any{"Minutes": minutes}, retryAfter: int(math.Ceil(wait.Seconds()))}
}

// errInvalid lists the values of a request that need correcting.
func errInvalid(fields []fieldError) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, code: "validation_failed",
		msgID: "invalid_request", fields: fields}
}

// errInvalidAnswers lists the answers a citizen or partner needs to
// correct, in words meant for them.
func errInvalidAnswers(fields []fieldError) *apiError {
	e := errInvalid(fields)
	e.msgID = "validation_failed"
	return e
}

// errorBody is the JSON every error comes as.
type errorBody struct {
	Error  errorDetail  `json:"error"`
	Errors []fieldIssue `json:"errors,omitempty"`
	Rows   []importRow  `json:"rows,omitempty"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type fieldIssue struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// handleError renders any error a request ends with. Errors that are not
// an apiError are bugs or framework errors: bugs become a logged 500.
func (s *server) handleError(c *fiber.Ctx, err error) error {
	var e *apiError
	var fe *fiber.Error
	switch {
	case errors.As(err, &e):
	case errors.As(err, &fe):
		e = fromFiber(fe)
	default:
		e = &apiError{status: http.StatusInternalServerError, code: "internal", msgID: "internal", cause: err}
	}
	if e.cause != nil {
		s.Logger.Error("request failed", "request_id", requestID(c), "route", routeLabel(c), "status", e.status, "err", e.cause)
	}
	lang := s.language(c)
	if e.retryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(e.retryAfter))
	}
	if e.code == "body_too_large" && !strings.HasPrefix(c.Path(), "/api/") {
		e.data = map[string]any{"Max": pageBodyLimit >> 10}
	}
	if !strings.HasPrefix(c.Path(), "/api/") && strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
		// A browser's request the pages could not take (a file over the
		// server's limit, an unknown address): a page, not JSON.
		c.Set(fiber.HeaderContentLanguage, lang)
		c.Type("html", "utf-8")
		msg := html.EscapeString(s.Messages.Text(lang, e.msgID, e.data))
		return c.Status(e.status).SendString(`<!doctype html><html lang="` + lang + `"><meta charset="utf-8">` +
			`<meta name="viewport" content="width=device-width, initial-scale=1"><title>` + msg + `</title><main><h1>` + msg + `</h1></main></html>`)
	}
	body := errorBody{Error: errorDetail{Code: e.code, Message: s.Messages.Text(lang, e.msgID, e.data)}, Rows: e.rows}
	for _, f := range e.fields {
		body.Errors = append(body.Errors, fieldIssue{Field: f.field, Code: f.code, Message: s.Messages.Text(lang, f.msgID, f.data)})
	}
	if e.status == http.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="samspil"`)
	}
	c.Set(fiber.HeaderContentLanguage, lang)
	return c.Status(e.status).JSON(body)
}

// fromFiber maps the errors Fiber raises before a handler runs.
func fromFiber(fe *fiber.Error) *apiError {
	switch fe.Code {
	case http.StatusNotFound:
		return newError(fe.Code, "route_not_found")
	case http.StatusMethodNotAllowed:
		return newError(fe.Code, "method_not_allowed")
	case http.StatusRequestEntityTooLarge:
		e := newError(fe.Code, "body_too_large")
		e.data = map[string]any{"Max": bodyLimit >> 10}
		return e
	case http.StatusBadRequest:
		return newError(fe.Code, "malformed_request")
	default:
		return &apiError{status: fe.Code, code: "internal", msgID: "internal", cause: fe}
	}
}
