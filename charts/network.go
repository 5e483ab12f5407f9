package charts

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/path"
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
		// The frame's graph, over the partners with ties drawn and those
		// the frame links them to: the same frame gives every partner the
		// same place, whichever of its ties a round has.
		g := simple.NewUndirectedGraph()
		for _, i := range linked {
			g.AddNode(simple.Node(i))
		}
		for _, tie := range frame {
			a, okA := index[tie.A]
			b, okB := index[tie.B]
			if okA && okB && a != b {
				g.SetEdge(g.NewEdge(simple.Node(a), simple.Node(b)))
			}
		}
		laid := graph.NodesOf(g.Nodes())
		slices.SortFunc(laid, func(a, b graph.Node) int { return strings.Compare(nodes[a.ID()].ID, nodes[b.ID()].ID) })
		pos := stress(g, laid)
		// Scaled to all the nodes laid out, so that a frame gives the
		// same place whichever of them have ties drawn.
		minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, p := range pos {
			minX, maxX, minY, maxY = min(minX, p[0]), max(maxX, p[0]), min(minY, p[1]), max(maxY, p[1])
		}
		for k, n := range laid {
			i := int(n.ID())
			if degree[i] == 0 {
				continue // in the row along the bottom
			}
			xs[i] = pad + (pos[k][0]-minX)/max(maxX-minX, 1e-9)*(width-2*pad)
			ys[i] = pad + (pos[k][1]-minY)/max(maxY-minY, 1e-9)*(mapBottom-pad)
		}
	}
	var named []int
	for i, n := range nodes {
		if n.Labelled {
			named = append(named, i)
		}
	}
	legendHeight := 24.0*float64((len(groups)+1)/2) + 22*float64(len(named))
	var b strings.Builder
	svg(&b, t, width, height+legendHeight+8)
	for _, tie := range drawn {
		a, c := index[tie.A], index[tie.B]
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#8a9096" stroke-width="%d"/>`,
			xs[a], ys[a], xs[c], ys[c], max(1, min(tie.Weight, 3)))
	}
	// Each partner is one element named by its title; the named ones are
	// drawn last, on top, with a number the list under the map explains,
	// so names never overlap where the network is dense.
	number := map[int]int{}
	for k, i := range named {
		number[i] = k + 1
	}
	var order []int
	for i, n := range nodes {
		if !n.Labelled {
			order = append(order, i)
		}
	}
	for _, i := range append(order, named...) {
		n := nodes[i]
		r := 7 + 2*math.Sqrt(float64(degree[i]))
		fmt.Fprintf(&b, `<g><title>%s</title>%s`, esc(n.Name), shape(n.Group, xs[i], ys[i], r))
		if k := number[i]; k > 0 {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="9" fill="%s"/><text x="%.1f" y="%.1f" font-size="12" font-weight="700" text-anchor="middle" fill="#fff">%d</text>`,
				xs[i], ys[i], ink, xs[i], ys[i]+4, k)
		}
		b.WriteString(`</g>`)
	}
	for j, name := range groups {
		lx, ly := float64(j%2)*(width/2), height+8+float64(j/2)*24
		fmt.Fprintf(&b, `%s<text x="%.1f" y="%.1f" font-size="%g" fill="%s">%s</text>`, shape(j, lx+9, ly+8, 7), lx+22, ly+13, smallSize, ink, esc(name))
	}
	top := height + 8 + 24*float64((len(groups)+1)/2)
	for k, i := range named {
		y := top + 22*float64(k)
		fmt.Fprintf(&b, `<circle cx="9" cy="%.1f" r="9" fill="%s"/><text x="9" y="%.1f" font-size="12" font-weight="700" text-anchor="middle" fill="#fff">%d</text>`, y+8, ink, y+12, k+1)
		fmt.Fprintf(&b, `<text x="26" y="%.1f" font-size="%g" fill="%s">%s</text>`, y+13, smallSize, ink, esc(nodes[i].Name))
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

// stress places the nodes of g so that their distances on the plane
// match their distances in the graph, by stress majorization (Gansner,
// Koren and North, 2004): no randomness, so the same graph always lands
// the same way, and dense networks do not fling a hub off the map as
// force-directed layouts can. Partners in separate parts of the graph
// are kept one step further apart than the farthest connected pair. The
// nodes start on a circle in the order given.
func stress(g graph.Undirected, nodes []graph.Node) [][2]float64 {
	n := len(nodes)
	paths := path.DijkstraAllPaths(g)
	d := make([][]float64, n)
	far := 1.0
	for i := range nodes {
		d[i] = make([]float64, n)
		for j := range nodes {
			d[i][j] = paths.Weight(nodes[i].ID(), nodes[j].ID())
			if !math.IsInf(d[i][j], 1) {
				far = max(far, d[i][j])
			}
		}
	}
	pos := make([][2]float64, n)
	for i := range pos {
		a := 2 * math.Pi * float64(i) / float64(n)
		pos[i] = [2]float64{far * math.Cos(a), far * math.Sin(a)}
		for j := range d[i] {
			if math.IsInf(d[i][j], 1) {
				d[i][j] = far + 1
			}
		}
	}
	for range 300 {
		for i := range pos {
			var sx, sy, sw float64
			for j := range pos {
				if i == j || d[i][j] == 0 {
					continue
				}
				w := 1 / (d[i][j] * d[i][j])
				dx, dy := pos[i][0]-pos[j][0], pos[i][1]-pos[j][1]
				dist := math.Max(math.Hypot(dx, dy), 1e-9)
				sx += w * (pos[j][0] + d[i][j]*dx/dist)
				sy += w * (pos[j][1] + d[i][j]*dy/dist)
				sw += w
			}
			if sw > 0 {
				pos[i] = [2]float64{sx / sw, sy / sw}
			}
		}
	}
	return pos
}
