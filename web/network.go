package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"samspil/charts"
	"samspil/indicators"
	"samspil/partnership"
)

// networkView is a partnership's network map with its metrics in words.
type networkView struct {
	Map   template.HTML
	Ties  string
	Kinds []string
	Wave  string
	Waves []waveRow
	// Sentences say what the map shows, in plain words.
	Sentences []string
	Rows      []networkRow
	None      bool
	// Thickness says what a line's width means, where it means anything.
	Thickness string
}

// networkRow is a partner on the map in words: whom it works with, for
// screen readers and for copying.
type networkRow struct {
	Name, Sector string
	Ties         int
	With         string
}

// network draws who works with whom, from a partner round's answers.
func (s *server) network(c *fiber.Ctx, r *request) error {
	p := s.page(c, r, "network_title")
	pa, err := s.partnershipOf(c, p, "network")
	if err != nil {
		return err
	}
	v, err := s.networkOf(c.UserContext(), p, pa, c.Query("wave"), c.Query("ties", indicators.AnyTie), "")
	if err != nil {
		return err
	}
	p.Data = v
	return s.render(c, http.StatusOK, "network.html", p)
}

// networkOf draws a partner round's map (wave, or the latest) of one kind
// of tie, laid out on every round's ties so that partners keep their
// places from round to round. For a partner (own is its id) the map is
// the one a partnership discusses at its meeting: who works with whom,
// each tie alike, and the partner itself named.
func (s *server) networkOf(ctx context.Context, p *page, pa partnership.Partnership, wave, kind, own string) (networkView, error) {
	if !slices.Contains(indicators.TieKinds, kind) {
		kind = indicators.AnyTie
	}
	v := networkView{Ties: kind, Kinds: indicators.TieKinds, Wave: wave}
	var err error
	if v.Waves, err = s.partnerRounds(ctx, pa); err != nil {
		return v, err
	}
	n, err := s.Indicators.Network(ctx, pa, wave)
	if errors.Is(err, indicators.ErrNoPartnerWave) {
		v.None = true
		return v, nil
	} else if err != nil {
		return v, err
	}
	v.Wave = n.Wave
	var frame []charts.NetTie
	for _, w := range v.Waves {
		round := n
		if w.Wave.ID != n.Wave {
			if round, err = s.Indicators.Network(ctx, pa, w.Wave.ID); err != nil {
				return v, err
			}
		}
		frame = append(frame, netTies(round.Pairs(indicators.AnyTie), false)...)
	}
	sectorIndex := map[string]int{}
	var groups []string
	for i, sec := range partnership.Sectors {
		sectorIndex[string(sec)] = i
		groups = append(groups, p.T("sector_"+string(sec)))
	}
	named := map[string]bool{}
	if own == "" {
		for _, br := range n.KeyBrokers() {
			named[br.Partner] = true
		}
	}
	named[own] = true
	names := map[string]string{}
	var nodes []charts.NetNode
	for _, node := range n.Nodes {
		names[node.ID] = node.Name
		nodes = append(nodes, charts.NetNode{ID: node.ID, Name: node.Name + " (" + p.T("sector_"+node.Sector) + ")",
			Group: sectorIndex[node.Sector], Labelled: named[node.ID]})
	}
	pairs := n.Pairs(kind)
	ties := netTies(pairs, own != "")
	degree, with := map[string]int{}, map[string][]string{}
	for _, t := range pairs {
		degree[t.A]++
		degree[t.B]++
		with[t.A] = append(with[t.A], names[t.B])
		with[t.B] = append(with[t.B], names[t.A])
	}
	desc := p.T("network_desc", "Partners", len(nodes), "Ties", len(ties))
	if own == "" {
		v.Thickness = p.T("network_thickness")
		desc += " " + v.Thickness
	}
	v.Map = template.HTML(charts.Network(nodes, ties, frame, groups, charts.Text{ID: "network", Title: p.T("network_title"),
		Desc: desc})) // drawn by package charts, which escapes every text
	v.Sentences = append(v.Sentences, p.T("network_ties", "Partners", len(nodes), "Ties", len(ties)))
	var isolated []string
	for _, node := range n.Nodes {
		if degree[node.ID] == 0 {
			isolated = append(isolated, node.Name)
		}
		slices.Sort(with[node.ID])
		v.Rows = append(v.Rows, networkRow{Name: node.Name, Sector: p.T("sector_" + node.Sector), Ties: degree[node.ID],
			With: strings.Join(with[node.ID], "; ")})
	}
	if len(isolated) > 0 && own != "" {
		// Partners see how many stand alone, not who: a partner without
		// ties is often one that did not answer.
		v.Sentences = append(v.Sentences, p.T("network_isolated_count", "Count", len(isolated)))
	} else if len(isolated) > 0 {
		v.Sentences = append(v.Sentences, p.T("network_isolated", "Count", len(isolated), "Names", strings.Join(isolated, "; ")))
	}
	if len(n.KeyBrokers()) > 0 && own == "" {
		var bs []string
		for _, br := range n.KeyBrokers() {
			bs = append(bs, names[br.Partner])
		}
		v.Sentences = append(v.Sentences, p.T("network_brokers", "Count", len(bs), "Partners", len(nodes), "Names", strings.Join(bs, "; ")))
	}
	for _, m := range n.Metrics.MissingSectors {
		msg := "network_missing"
		if m.Partners == 0 {
			msg = "network_missing_none"
		}
		v.Sentences = append(v.Sentences, p.T(msg, "Sector", p.T("sector_"+string(m.Sector)), "Count", m.Partners))
	}
	slices.SortFunc(v.Rows, func(a, b networkRow) int { return strings.Compare(a.Name, b.Name) })
	return v, nil
}

// netTies draws pairs as ties: heavier the more often the partners work
// together, unless alike asks for every tie drawn the same.
func netTies(pairs []indicators.Pair, alike bool) []charts.NetTie {
	ties := make([]charts.NetTie, 0, len(pairs))
	for _, t := range pairs {
		w := 1
		if !alike {
			w = max(1, t.Often)
		}
		ties = append(ties, charts.NetTie{A: t.A, B: t.B, Weight: w})
	}
	return ties
}

// partnerRounds lists a partnership's partner rounds that have opened,
// for a menu of rounds and for a map laid out on all of them.
func (s *server) partnerRounds(ctx context.Context, pa partnership.Partnership) ([]waveRow, error) {
	ws, err := s.Store.Waves(ctx, pa.ID)
	if err != nil {
		return nil, err
	}
	var rows []waveRow
	for _, w := range ws {
		if w.Respondents == "partners" && w.Status(s.Now()) != partnership.Scheduled {
			rows = append(rows, waveRow{Wave: w, Last: lastDay(w)})
		}
	}
	return rows, nil
}
