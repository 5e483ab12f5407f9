package theory

import (
	"slices"
	"strings"
	"unicode/utf8"

	"samspil/partnership"
)

// Kind is what sort of figure a measure reads.
type Kind string

// The kinds of measure: a citizen index of a form (belonging, trust,
// influence, loneliness, well-being), the share of citizens giving one
// answer (a barrier, a role), an element of partnership health, a network
// metric, and how many citizens answered.
const (
	Index     Kind = "index"
	Share     Kind = "share"
	Health    Kind = "health"
	Network   Kind = "network"
	Responses Kind = "responses"
)

// Kinds lists the kinds of measure.
var Kinds = []Kind{Index, Share, Health, Network, Responses}

// NetworkMetrics lists the network metrics a measure can read.
var NetworkMetrics = []string{"density", "cross_sector", "isolates", "partners"}

// Measure is the figure that tests an element, always read through the
// partnership's protected results: a box never shows what they hide.
type Measure struct {
	Kind Kind `json:"kind"`
	// Form is the citizen form of an index, share or response count.
	Form string `json:"form,omitempty"`
	// Key names the figure: an index ("belonging"), a share as
	// "item=value" ("barriers=cost"), a health element ("trust"), a
	// network metric ("density"); empty for a response count.
	Key    string  `json:"key,omitempty"`
	Target *Target `json:"target,omitempty"`
}

// Target is what the partnership wants a measure to reach, on the
// measure's scale: an index from 0 to 100, a share in per cent, a health
// mean from 1 to 5, a count, or the network metric.
type Target struct {
	// AtLeast, or else at most, Value.
	AtLeast bool    `json:"at_least"`
	Value   float64 `json:"value"`
	// By says when, in the partnership's words ("the third wave").
	By string `json:"by,omitempty"`
}

// Met reports whether a value meets the target.
func (t Target) Met(v float64) bool {
	if t.AtLeast {
		return v >= t.Value
	}
	return v <= t.Value
}

// ShareOf splits a share's key into its item and value.
func (m Measure) ShareOf() (item, value string) {
	item, value, _ = strings.Cut(m.Key, "=")
	return item, value
}

func (m Measure) validate() []partnership.Problem {
	var ps []partnership.Problem
	add := func(field, code string) { ps = append(ps, partnership.Problem{Field: field, Code: code}) }
	if !slices.Contains(Kinds, m.Kind) {
		add("kind", "invalid_choice")
		return ps
	}
	if (m.Kind == Index || m.Kind == Share || m.Kind == Responses) && m.Form == "" {
		add("form", "required")
	}
	switch {
	case m.Kind == Responses:
	case m.Key == "":
		add("key", "required")
	case utf8.RuneCountInString(m.Key) > 80:
		ps = append(ps, partnership.Problem{Field: "key", Code: "too_long", Params: map[string]any{"Max": 80}})
	case m.Kind == Share && !strings.Contains(m.Key, "="):
		add("key", "invalid_share")
	case m.Kind == Network && !slices.Contains(NetworkMetrics, m.Key):
		add("key", "invalid_choice")
	}
	if m.Target != nil && utf8.RuneCountInString(m.Target.By) > 80 {
		ps = append(ps, partnership.Problem{Field: "target.by", Code: "too_long", Params: map[string]any{"Max": 80}})
	}
	return ps
}
