package web

import (
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

// networkView is the partnership's network map with its metrics in words.
type networkView struct {
	Map   template.HTML
	Ties  string
	Wave  string
	Waves []waveRow
	// Sentences say what the map shows, in plain words.
	Sentences []string
	Rows      []networkRow
	None      bool
}

type networkRow struct {
	Name, Sector string
	Ties         int
}

// network draws who works with whom, from a partner round's answers: any
// collaboration, or at least monthly.
func (s *server) network(c *fiber.Ctx, r *request) error {
	ctx := c.UserContext()
	p := s.page(c, r, "network_title")
	pa, err := s.partnershipOf(c, p, "network")
	if err != nil {
		return err
	}
	v := networkView{Ties: c.Query("ties", "any"), Wave: c.Query("wave")}
	ws, err := s.Store.Waves(ctx, pa.ID)
	if err != nil {
		return err
	}
	for _, w := range ws {
		if w.Respondents == "partners" && w.Status(s.Now()) != partnership.Scheduled {
			v.Waves = append(v.Waves, waveRow{Wave: w, Last: lastDay(w)})
		}
	}
	n, err := s.Indicators.Network(ctx, pa, v.Wave)
	if errors.Is(err, indicators.ErrNoPartnerWave) {
		v.None = true
		p.Data = v
		return s.render(c, http.StatusOK, "network.html", p)
	} else if err != nil {
		return err
	}
	sectorIndex := map[string]int{}
	var groups []string
	for i, sec := range partnership.Sectors {
		sectorIndex[string(sec)] = i
		groups = append(groups, p.T("sector_"+string(sec)))
	}
	brokers := map[string]bool{}
	for _, br := range n.Brokers {
		brokers[br.Partner] = true
	}
	names := map[string]string{}
	var nodes []charts.NetNode
	for _, node := range n.Nodes {
		names[node.ID] = node.Name
		nodes = append(nodes, charts.NetNode{ID: node.ID, Name: node.Name + " (" + p.T("sector_"+node.Sector) + ")",
			Group: sectorIndex[node.Sector], Labelled: brokers[node.ID]})
	}
	weight := map[[2]string]int{}
	for _, e := range n.Edges {
		if v.Ties == "monthly" && e.Frequency != "monthly" && e.Frequency != "weekly" {
			continue
		}
		key := [2]string{min(e.From, e.To), max(e.From, e.To)}
		weight[key]++
	}
	var ties []charts.NetTie
	degree := map[string]int{}
	for key, w := range weight {
		ties = append(ties, charts.NetTie{A: key[0], B: key[1], Weight: w})
		degree[key[0]]++
		degree[key[1]]++
	}
	slices.SortFunc(ties, func(a, b charts.NetTie) int { return strings.Compare(a.A+a.B, b.A+b.B) })
	v.Map = template.HTML(charts.Network(nodes, ties, groups, charts.Text{ID: "network", Title: p.T("network_title"),
		Desc: p.T("network_desc", "Partners", len(nodes), "Ties", len(ties))})) // drawn by package charts, which escapes every text
	v.Sentences = append(v.Sentences, p.T("network_ties", "Partners", len(nodes), "Ties", len(ties)))
	var isolated []string
	for _, node := range n.Nodes {
		if degree[node.ID] == 0 {
			isolated = append(isolated, node.Name)
		}
		v.Rows = append(v.Rows, networkRow{Name: node.Name, Sector: p.T("sector_" + node.Sector), Ties: degree[node.ID]})
	}
	if len(isolated) > 0 {
		v.Sentences = append(v.Sentences, p.T("network_isolated", "Count", len(isolated), "Names", strings.Join(isolated, ", ")))
	}
	if len(n.Brokers) > 0 {
		var bs []string
		for _, br := range n.Brokers {
			bs = append(bs, names[br.Partner])
		}
		v.Sentences = append(v.Sentences, p.T("network_brokers", "Count", len(bs), "Partners", len(nodes), "Names", strings.Join(bs, ", ")))
	}
	for _, m := range n.Metrics.MissingSectors {
		msg := "network_missing"
		if m.Partners == 0 {
			msg = "network_missing_none"
		}
		v.Sentences = append(v.Sentences, p.T(msg, "Sector", p.T("sector_"+string(m.Sector)), "Count", m.Partners))
	}
	slices.SortFunc(v.Rows, func(a, b networkRow) int { return strings.Compare(a.Name, b.Name) })
	p.Data = v
	return s.render(c, http.StatusOK, "network.html", p)
}
