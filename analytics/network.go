package analytics

import (
	"cmp"
	"slices"
	"strings"

	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
)

// Node is a partner in the network.
type Node struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Sector    string `json:"sector"`
	Responded bool   `json:"responded"`
}

// Tie is a collaboration one partner reported with another.
type Tie struct {
	From         string `json:"from"`
	To           string `json:"to"`
	Frequency    string `json:"frequency,omitempty"`
	Trust        *int   `json:"-"`
	Contribution *int   `json:"-"`
}

// Metrics describe a partnership's network as a whole.
type Metrics struct {
	Nodes       int     `json:"nodes"`
	Ties        int     `json:"ties"`
	Density     float64 `json:"density"`
	Reciprocity float64 `json:"reciprocity"`
	// DegreeCentralization is Freeman's, on the undirected network.
	DegreeCentralization float64  `json:"degree_centralization"`
	EIIndex              float64  `json:"ei_index"`
	Isolates             []string `json:"isolates"`
	Components           int      `json:"components"`
}

// Broker is a partner that sits on the shortest paths between others.
type Broker struct {
	Partner     string  `json:"partner"`
	Betweenness float64 `json:"betweenness"`
}

// Analyze computes the network metrics of the nodes and the directed ties
// among them. Ties to unknown nodes and to oneself are ignored; a tie
// reported twice counts once.
//
//   - density: ties / (n(n-1)), the share of possible directed ties;
//   - reciprocity: the share of ties whose reverse tie is also reported;
//   - degree centralization (Freeman): sum over nodes of (max degree -
//     degree) / ((n-1)(n-2)), on the undirected network;
//   - E-I index (Krackhardt & Stern): (external - internal) / (external +
//     internal) undirected ties, external meaning between sectors;
//   - betweenness: on the undirected network, normalized by (n-1)(n-2)/2
//     as NetworkX does, so that 1 means every shortest path runs through.
func Analyze(nodes []Node, ties []Tie) (Metrics, []Broker) {
	index := make(map[string]int64, len(nodes))
	for i, n := range nodes {
		index[n.ID] = int64(i)
	}
	directed := simple.NewDirectedGraph()
	undirected := simple.NewUndirectedGraph()
	for i := range nodes {
		directed.AddNode(simple.Node(i))
		undirected.AddNode(simple.Node(i))
	}
	for _, t := range ties {
		from, okFrom := index[t.From]
		to, okTo := index[t.To]
		if !okFrom || !okTo || from == to {
			continue
		}
		directed.SetEdge(simple.Edge{F: simple.Node(from), T: simple.Node(to)})
		undirected.SetEdge(simple.Edge{F: simple.Node(from), T: simple.Node(to)})
	}

	n := len(nodes)
	m := Metrics{Nodes: n, Isolates: []string{}}
	edges := directed.Edges()
	mutual := 0
	for edges.Next() {
		e := edges.Edge()
		m.Ties++
		if directed.HasEdgeFromTo(e.To().ID(), e.From().ID()) {
			mutual++
		}
	}
	if n > 1 {
		m.Density = round(float64(m.Ties) / float64(n*(n-1)))
	}
	if m.Ties > 0 {
		m.Reciprocity = round(float64(mutual) / float64(m.Ties))
	}

	maxDegree, degrees := 0, make([]int, n)
	for i := range nodes {
		degrees[i] = undirected.From(int64(i)).Len()
		maxDegree = max(maxDegree, degrees[i])
		if degrees[i] == 0 {
			m.Isolates = append(m.Isolates, nodes[i].ID)
		}
	}
	if n > 2 {
		sum := 0
		for _, d := range degrees {
			sum += maxDegree - d
		}
		m.DegreeCentralization = round(float64(sum) / float64((n-1)*(n-2)))
	}

	external, internal := 0, 0
	uedges := undirected.Edges()
	for uedges.Next() {
		e := uedges.Edge()
		if nodes[e.From().ID()].Sector == nodes[e.To().ID()].Sector {
			internal++
		} else {
			external++
		}
	}
	if external+internal > 0 {
		m.EIIndex = round(float64(external-internal) / float64(external+internal))
	}
	m.Components = len(topo.ConnectedComponents(undirected))

	var brokers []Broker
	if n > 2 {
		scale := float64((n - 1) * (n - 2))
		for id, b := range network.Betweenness(undirected) {
			brokers = append(brokers, Broker{Partner: nodes[id].ID, Betweenness: round(b / scale)})
		}
	}
	sortBrokers(brokers)
	return m, brokers
}

// sortBrokers orders brokers by betweenness, highest first, then by id.
func sortBrokers(bs []Broker) {
	slices.SortFunc(bs, func(a, b Broker) int {
		if c := cmp.Compare(b.Betweenness, a.Betweenness); c != 0 {
			return c
		}
		return strings.Compare(a.Partner, b.Partner)
	})
}
