package indicators

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"gonum.org/v1/gonum/stat"

	"samspil/analytics"
	"samspil/forms"
	"samspil/partnership"
)

// Network is a partner wave's collaboration network from the partner
// survey's roster: who works with whom is the map itself and shown as it
// is answered; how a partner was rated by others is released when the
// wave closes, and only as averages over enough raters.
type Network struct {
	Wave     string             `json:"wave"`
	Released bool               `json:"released"`
	MinGroup int                `json:"min_group"`
	Nodes    []analytics.Node   `json:"nodes"`
	Edges    []analytics.Tie    `json:"edges"`
	Metrics  NetworkMetrics     `json:"metrics"`
	Brokers  []analytics.Broker `json:"brokers"`
	Received []Received         `json:"received"`
}

// NetworkMetrics are the whole network's figures, and the sectors missing
// from the table.
type NetworkMetrics struct {
	analytics.Metrics
	MissingSectors []MissingSector `json:"missing_sectors"`
}

// MissingSector is a sector with no partner, or only one, at the table.
type MissingSector struct {
	Sector   partnership.Sector `json:"sector"`
	Partners int                `json:"partners"`
}

// Received is what the partners that rated one partner said of it, on
// average; withheld when fewer than the minimum group rated it.
type Received struct {
	Partner      string   `json:"partner"`
	Suppressed   bool     `json:"suppressed,omitempty"`
	Raters       int      `json:"raters,omitempty"`
	Trust        *float64 `json:"trust,omitempty"`
	Contribution *float64 `json:"contribution,omitempty"`
}

// Network gives a partner wave's network (waveID, or the latest).
func (s *Service) Network(ctx context.Context, p partnership.Partnership, waveID string) (Network, error) {
	pw, err := s.partnerWave(ctx, p.ID, waveID)
	if err != nil {
		return Network{}, err
	}
	responses, err := s.partners.PartnerResponses(ctx, pw.Wave.ID, PartnerIDs(pw.Partners))
	if err != nil {
		return Network{}, fmt.Errorf("%w: answers to %s: %w", ErrUnavailable, pw.Wave.ID, err)
	}
	f := pw.Form
	roster := slices.IndexFunc(f.Items, func(it forms.Item) bool { return it.Type == forms.TypePartners })
	answered := map[string]bool{}
	ties := []analytics.Tie{}
	for _, r := range responses {
		answered[r.Partner] = true
		if roster < 0 {
			continue
		}
		entries, _ := r.Answers[f.Items[roster].ID].([]map[string]any)
		for _, e := range entries {
			to, _ := e["partner"].(string)
			freq, _ := e["frequency"].(string)
			ties = append(ties, analytics.Tie{From: r.Partner, To: to, Frequency: freq,
				Trust: intAnswer(e["trust"]), Contribution: intAnswer(e["contribution"])})
		}
	}
	var nodes []analytics.Node
	count := map[partnership.Sector]int{}
	for _, pt := range pw.Partners {
		if pt.Active || answered[pt.ID] {
			nodes = append(nodes, analytics.Node{ID: pt.ID, Name: pt.Name, Sector: string(pt.Sector), Responded: answered[pt.ID]})
		}
		if pt.Active {
			count[pt.Sector]++
		}
	}
	metrics, brokers := analytics.Analyze(nodes, ties)
	n := Network{Wave: pw.Wave.ID, Released: pw.Released, MinGroup: p.MinGroup, Nodes: nodes, Edges: ties,
		Metrics: NetworkMetrics{Metrics: metrics, MissingSectors: []MissingSector{}}, Brokers: brokers, Received: []Received{}}
	for _, sec := range partnership.Sectors {
		if count[sec] <= 1 {
			n.Metrics.MissingSectors = append(n.Metrics.MissingSectors, MissingSector{Sector: sec, Partners: count[sec]})
		}
	}
	if n.Brokers == nil {
		n.Brokers = []analytics.Broker{}
	}
	if pw.Released {
		n.Received = receivedRatings(nodes, ties, minGroup(p))
	}
	return n, nil
}

// receivedRatings averages the trust and contribution each partner was
// given, only where at least min partners rated it: ratings of a named
// partner are sensitive.
func receivedRatings(nodes []analytics.Node, ties []analytics.Tie, min int) []Received {
	out := make([]Received, 0, len(nodes))
	for _, n := range nodes {
		var trust, contribution []float64
		raters := map[string]bool{}
		for _, t := range ties {
			if t.To != n.ID || t.From == n.ID {
				continue
			}
			raters[t.From] = true
			if t.Trust != nil {
				trust = append(trust, float64(*t.Trust))
			}
			if t.Contribution != nil {
				contribution = append(contribution, float64(*t.Contribution))
			}
		}
		if len(raters) < min {
			out = append(out, Received{Partner: n.ID, Suppressed: true})
			continue
		}
		// Each average needs min ratings of its own: five raters of whom
		// four preferred not to rate trust would show one rater's trust.
		out = append(out, Received{Partner: n.ID, Raters: len(raters), Trust: meanOf(trust, min), Contribution: meanOf(contribution, min)})
	}
	slices.SortFunc(out, func(a, b Received) int { return cmp.Compare(a.Partner, b.Partner) })
	return out
}

// meanOf is the mean of at least min values, or nil.
func meanOf(xs []float64, min int) *float64 {
	if len(xs) == 0 || len(xs) < min {
		return nil
	}
	m := analytics.Round6(stat.Mean(xs, nil))
	return &m
}

func intAnswer(v any) *int {
	if n, ok := v.(int); ok {
		return &n
	}
	return nil
}

// The kinds of tie a network map draws.
const (
	AnyTie     = "any"     // any collaboration named
	MonthlyTie = "monthly" // working together at least monthly
	// TrustedTie is a tie both partners named, each trusting the other 4
	// or 5 of 5: a tie one partner named, or one of two rated lower,
	// would show one partner's rating of another.
	TrustedTie = "trusted"
)

// TieKinds lists the kinds of tie in the order a page offers them.
var TieKinds = []string{AnyTie, MonthlyTie, TrustedTie}

// Pair is an undirected tie between two partners, A before B; Both says
// each named the other, and Often how often they work together, by the
// more frequent of their answers: 1 once or twice, 2 monthly, 3 weekly,
// 0 not said.
type Pair struct {
	A, B  string
	Both  bool
	Often int
}

// often ranks the partner survey's frequency answers.
var often = map[string]int{"once_or_twice": 1, "monthly": 2, "weekly": 3}

// Pairs lists the network's ties of one kind as undirected pairs, sorted;
// an unknown kind is any collaboration.
func (n Network) Pairs(kind string) []Pair {
	seen, most, distrust := map[[2]string]int{}, map[[2]string]int{}, map[[2]string]bool{}
	for _, t := range n.Edges {
		switch {
		case t.From == t.To:
			continue
		case kind == MonthlyTie && t.Frequency != "monthly" && t.Frequency != "weekly":
			continue
		}
		key := [2]string{min(t.From, t.To), max(t.From, t.To)}
		if seen[key] < 2 {
			seen[key]++
		}
		most[key] = max(most[key], often[t.Frequency])
		if t.Trust == nil || *t.Trust < 4 {
			distrust[key] = true
		}
	}
	pairs := make([]Pair, 0, len(seen))
	for key, times := range seen {
		if kind == TrustedTie && (times < 2 || distrust[key]) {
			continue
		}
		pairs = append(pairs, Pair{A: key[0], B: key[1], Both: times == 2, Often: most[key]})
	}
	slices.SortFunc(pairs, func(a, b Pair) int { return cmp.Or(cmp.Compare(a.A, b.A), cmp.Compare(a.B, b.B)) })
	return pairs
}

// KeyBrokers are the partners that hold the network together, in words
// and on a map: at least 5% of the shortest paths between others run
// through each, and at most the eight with the most.
func (n Network) KeyBrokers() []analytics.Broker {
	var out []analytics.Broker
	for _, b := range n.Brokers { // highest betweenness first
		if b.Betweenness >= 0.05 && len(out) < 8 {
			out = append(out, b)
		}
	}
	return out
}
