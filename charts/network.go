package charts

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/layout"
	"gonum.org/v1/gonum/graph/simple"
)

// NetNode is a partner in a network map.
type NetNode struct {
	ID, Name string
	// Group picks the colour and shape, such as the partner's sector; its
	// name is Groups[Group] in the legend.
	Group int
	// Labelled nodes carry their name on the map, such as brokers.
	Labelled bool
}

// NetTie is an undirected tie between two partners; Weight 2 draws it
// heavier, such as a tie both partners reported.
type NetTie struct {
	A, B   string
	Weight int
}

// shapes tell groups apart without colour: circle, square, triangle,
// diamond, hexagon.
var shapes = []string{"circle", "square", "triangle", "diamond", "hexagon"}

// Network draws a network map: nodes coloured and shaped by group, sized
// by their number of ties, ties as lines, labelled nodes named, and a
// legend of the groups. The layout is force-directed (Eades, from
// gonum), seeded, so the same network always lands the same way. Laid
// out on layout, such as the ties of every round, when it is not nil, a
// partner stays where it was from one round's map to the next.
func Network(nodes []NetNode, ties, frame []NetTie, groups []string, t Text) []byte {
	const width, height, pad = 480.0, 400.0, 28.0
	index := map[string]int{}
	for i, n := range nodes {
		index[n.ID] = i
	}
	g := simple.NewUndirectedGraph()
	for i := range nodes {
		g.AddNode(simple.Node(i))
	}
	degree := make([]int, len(nodes))
	var drawn []NetTie
	for _, tie := range ties {
		a, okA := index[tie.A]
		b, okB := index[tie.B]
		if !okA || !okB || a == b || g.HasEdgeBetween(int64(a), int64(b)) {
			continue
		}
		g.SetEdge(g.NewEdge(simple.Node(a), simple.Node(b)))
		degree[a]++
		degree[b]++
		drawn = append(drawn, tie)
	}
	// Partners with ties are laid out by force; those without wait in a
	// row along the bottom, where they are easy to count.
	xs, ys := make([]float64, len(nodes)), make([]float64, len(nodes))
	var linked, alone []int
	for i := range nodes {
		if degree[i] > 0 {
			linked = append(linked, i)
		} else {
			alone = append(alone, i)
		}
	}
	mapBottom := height - pad
	if len(alone) > 0 || frame != nil {
		mapBottom -= 48
	}
	for k, i := range alone {
		xs[i], ys[i] = pad+(float64(k)+0.5)*(width-2*pad)/float64(len(alone)), height-pad
	}
	if frame == nil {
		frame = drawn
	}
	if len(linked) > 1 {
		// Nodes are numbered by a hash of their id, not their place in
		// the list, so a partner added or gone moves the others little.
		sub := simple.NewUndirectedGraph()
		key := func(i int) simple.Node {
			h := fnv.New64a()
			h.Write([]byte(nodes[i].ID))
			return simple.Node(h.Sum64() >> 1)
		}
		for _, i := range linked {
			sub.AddNode(key(i))
		}
		for _, tie := range frame {
			a, okA := index[tie.A]
			b, okB := index[tie.B]
			if okA && okB && a != b && key(a) != key(b) {
				sub.SetEdge(sub.NewEdge(key(a), key(b)))
			}
		}
		eades := layout.EadesR2{Repulsion: 1, Rate: 0.05, Updates: 80, Theta: 0.2, Src: rand.NewPCG(1, 2)}
		opt := layout.NewOptimizerR2(ordered{sub}, eades.Update)
		for opt.Update() {
		}
		// Scaled to all the nodes laid out, so that a frame gives the
		// same place whichever of them have ties drawn.
		minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, n := range graph.NodesOf(sub.Nodes()) {
			p := opt.Coord2(n.ID())
			minX, maxX, minY, maxY = min(minX, p.X), max(maxX, p.X), min(minY, p.Y), max(maxY, p.Y)
		}
		for _, i := range linked {
			p := opt.Coord2(key(i).ID())
			xs[i], ys[i] = p.X, p.Y
		}
		for _, i := range linked {
			xs[i] = pad + (xs[i]-minX)/max(maxX-minX, 1e-9)*(width-2*pad)
			ys[i] = pad + (ys[i]-minY)/max(maxY-minY, 1e-9)*(mapBottom-pad)
		}
	}
	legendHeight := 24.0 * float64((len(groups)+1)/2)
	var b strings.Builder
	svg(&b, t, width, height+legendHeight+8)
	for _, tie := range drawn {
		a, c := index[tie.A], index[tie.B]
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#8a9096" stroke-width="%d"/>`,
			xs[a], ys[a], xs[c], ys[c], max(1, min(tie.Weight, 3)))
	}
	for i, n := range nodes {
		r := 7 + 2*math.Sqrt(float64(degree[i]))
		fmt.Fprintf(&b, `<g><title>%s</title>%s</g>`, esc(n.Name), shape(n.Group, xs[i], ys[i], r))
		if n.Labelled {
			// A name on the right half reads leftwards, so it stays on the map.
			x, anchor := xs[i]+r+3, "start"
			if xs[i] > width/2 {
				x, anchor = xs[i]-r-3, "end"
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%g" text-anchor="%s" fill="%s" stroke="#fff" stroke-width="3" paint-order="stroke">%s</text>`,
				x, ys[i]+5, smallSize, anchor, ink, esc(n.Name))
		}
	}
	for j, name := range groups {
		lx, ly := float64(j%2)*(width/2), height+8+float64(j/2)*24
		fmt.Fprintf(&b, `%s<text x="%.1f" y="%.1f" font-size="%g" fill="%s">%s</text>`, shape(j, lx+9, ly+8, 7), lx+22, ly+13, smallSize, ink, esc(name))
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}

// shape draws a node of a group at (x, y) with radius r.
func shape(group int, x, y, r float64) string {
	fill := Palette[(group+3)%len(Palette)]
	attrs := fmt.Sprintf(`fill="%s" stroke="%s" stroke-width="1.5"`, fill, ink)
	switch shapes[group%len(shapes)] {
	case "square":
		return fmt.Sprintf(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" %s/>`, x-r*0.9, y-r*0.9, 1.8*r, 1.8*r, attrs)
	case "triangle":
		return fmt.Sprintf(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f" %s/>`, x, y-r*1.1, x+r, y+r*0.8, x-r, y+r*0.8, attrs)
	case "diamond":
		return fmt.Sprintf(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" %s/>`, x, y-r*1.2, x+r*1.2, y, x, y+r*1.2, x-r*1.2, y, attrs)
	case "hexagon":
		var pts []string
		for k := range 6 {
			a := math.Pi / 3 * float64(k)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x+r*math.Cos(a), y+r*math.Sin(a)))
		}
		return fmt.Sprintf(`<polygon points="%s" %s/>`, strings.Join(pts, " "), attrs)
	}
	return fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="%.1f" %s/>`, x, y, r, attrs)
}

// ordered hands a graph's nodes to the layout in id order: gonum's simple
// graphs keep them in maps, and a layout seeded the same way must also
// meet the nodes in the same order to land the same way.
type ordered struct{ *simple.UndirectedGraph }

func (g ordered) Nodes() graph.Nodes { return sortedNodes(g.UndirectedGraph.Nodes()) }

func (g ordered) From(id int64) graph.Nodes { return sortedNodes(g.UndirectedGraph.From(id)) }

func sortedNodes(it graph.Nodes) graph.Nodes {
	nodes := graph.NodesOf(it)
	slices.SortFunc(nodes, func(a, b graph.Node) int { return cmp.Compare(a.ID(), b.ID()) })
	return iterator.NewOrderedNodes(nodes)
}
