package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"samspil/intake"
)

// metrics are the API's Prometheus series.
type metrics struct {
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	stored      prometheus.CounterFunc
	storeErrors prometheus.Counter
}

// newMetrics registers the API's series; responses stored are counted by
// intake, whichever adapter they came through.
func newMetrics(reg prometheus.Registerer, in *intake.Service) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "samspil_http_requests_total",
			Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "samspil_http_request_duration_seconds",
			Help:    "HTTP request latency by route template and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
		stored: prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "samspil_responses_stored_total",
			Help: "Questionnaire responses stored (retries not counted).",
		}, func() float64 { return float64(in.Stored()) }),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "samspil_store_errors_total",
			Help: "Requests that failed because the store did not answer.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.stored, m.storeErrors)
	return m
}

// observe renders the request's error, then logs and measures the request.
// The log line holds no key, token, body or answer.
func (s *server) observe(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if herr := s.handleError(c, err); herr != nil {
			s.Logger.Error("render error", "request_id", requestID(c), "err", herr)
		}
	}
	elapsed := time.Since(start)
	status := c.Response().StatusCode()
	route := routeLabel(c)
	s.metrics.requests.WithLabelValues(route, c.Method(), strconv.Itoa(status)).Inc()
	s.metrics.duration.WithLabelValues(route, c.Method()).Observe(elapsed.Seconds())
	if status == fiber.StatusServiceUnavailable {
		s.metrics.storeErrors.Inc()
	}
	s.Logger.Info("request",
		"request_id", requestID(c),
		"method", c.Method(),
		"route", route,
		"status", status,
		"duration_ms", float64(elapsed.Microseconds())/1000,
		"bytes", len(c.Response().Body()),
	)
	return nil
}

// routeLabel names the route template a request matched, or "unmatched".
func routeLabel(c *fiber.Ctx) string {
	if p, ok := c.Locals(routeKey).(string); ok {
		return p
	}
	return "unmatched"
}

// routeKey holds the template of the route a request matched; authorize,
// the first handler of every route, sets it.
const routeKey = "route"
