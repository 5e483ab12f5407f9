package charts

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// TheoryBox is one element of a program theory as drawn.
type TheoryBox struct {
	ID     string
	Column int
	Text   string
	// Figure is the box's measure in words ("Belonging: 72 of 100", or
	// "too few answers"); Change and Target follow it, each a line.
	Figure, Change, Target string
	// Tone marks the figure: 0 none, 1 target met, 2 target not met, 3
	// withheld.
	Tone int
}

// TheoryArrow is an assumed effect, drawn from one box to another with
// its number in the list of assumptions beside the diagram.
type TheoryArrow struct {
	From, To string
	Number   int
}

// Sizes of the theory diagram.
const (
	theoryColWidth = 212.0
	theoryBoxWidth = 168.0
	theoryGap      = 14.0
	theoryTop      = 44.0
	theoryLine     = 15.0
	theoryWrap     = 24 // characters on a line of a box
	theoryWrapBold = 20 // and of its figure, in bold
)

// Theory draws a program theory left to right: a column per heading, the
// boxes stacked in each, each with its text and, in bold below, its
// figure, change and target; arrows from box to box carry the number of
// their assumption. Within a column, boxes are ordered by where the boxes
// that lead to them stand, so arrows cross as little as a simple rule
// manages; the layout depends only on the data, so the same theory is
// always drawn the same way.
func Theory(columns []string, boxes []TheoryBox, arrows []TheoryArrow, t Text) []byte {
	// The right margin holds arrows within the last column.
	width := theoryColWidth*float64(max(len(columns), 1)) + 30
	placed := layoutTheory(len(columns), boxes, arrows)
	height := theoryTop
	for _, p := range placed {
		height = max(height, p.y+p.h+theoryGap)
	}
	var b strings.Builder
	svg(&b, t, width, height)
	fmt.Fprintf(&b, `<defs><marker id="%s-a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="%s"/></marker></defs>`, esc(t.ID), muted)
	for i, c := range columns {
		x := float64(i)*theoryColWidth + (theoryColWidth-theoryBoxWidth)/2
		fmt.Fprintf(&b, `<text x="%g" y="20" font-size="13" font-weight="700" fill="%s">%s</text>`, x, ink, esc(c))
		fmt.Fprintf(&b, `<line x1="%g" y1="28" x2="%g" y2="28" stroke="%s" stroke-width="2"/>`, x, x+theoryBoxWidth, accent)
	}
	at := map[string]placedBox{}
	for _, p := range placed {
		at[p.box.ID] = p
	}
	for _, a := range arrows {
		from, okF := at[a.From]
		to, okT := at[a.To]
		if !okF || !okT {
			continue
		}
		x1, y1 := from.x+theoryBoxWidth, from.y+from.h/2
		x2, y2 := to.x, to.y+to.h/2
		var d string
		mx, my := (x1+x2)/2, (y1+y2)/2
		if to.box.Column <= from.box.Column {
			// Back or within a column: out of the right side and into the
			// target's right side, in the gap beside the column.
			x2 = to.x + theoryBoxWidth
			d = fmt.Sprintf("M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f", x1, y1, x1+34, y1, x2+34, y2, x2+2, y2)
			mx = max(x1, x2) + 25
		} else {
			bend := max(30, (x2-x1)/2)
			d = fmt.Sprintf("M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f", x1, y1, x1+bend, y1, x2-bend, y2, x2-2, y2)
		}
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="1.5" marker-end="url(#%s-a)"/>`, d, muted, esc(t.ID))
		if a.Number > 0 {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="9" fill="#fff" stroke="%s"/><text x="%.1f" y="%.1f" font-size="10" text-anchor="middle" fill="%s">%d</text>`,
				mx, my, muted, mx, my+3.5, ink, a.Number)
		}
	}
	for _, p := range placed {
		drawBox(&b, p)
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}

// placedBox is a box with its place and size.
type placedBox struct {
	box         TheoryBox
	x, y, h     float64
	text, lines []string
}

// layoutTheory places boxes column by column, each column ordered by the
// mean row of the boxes that lead to it (the barycentre rule), then by the
// order given.
func layoutTheory(columns int, boxes []TheoryBox, arrows []TheoryArrow) []placedBox {
	byCol := make([][]int, max(columns, 1))
	for i, bx := range boxes {
		c := min(max(bx.Column, 0), len(byCol)-1)
		byCol[c] = append(byCol[c], i)
	}
	row := map[string]float64{}
	var placed []placedBox
	for c, idx := range byCol {
		pos := map[int]float64{}
		for k, i := range idx {
			pos[i] = float64(k)
		}
		weight := func(i int) float64 {
			sum, n := 0.0, 0
			for _, a := range arrows {
				if r, ok := row[a.From]; ok && a.To == boxes[i].ID {
					sum, n = sum+r, n+1
				}
			}
			if n == 0 {
				return pos[i]
			}
			return sum / float64(n)
		}
		order := slices.Clone(idx)
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(weight(a), weight(b)) })
		y := theoryTop
		for r, i := range order {
			bx := boxes[i]
			p := placedBox{box: bx, x: float64(c)*theoryColWidth + (theoryColWidth-theoryBoxWidth)/2, y: y}
			p.text = wrap(bx.Text, theoryWrap)
			for _, s := range []string{bx.Figure, bx.Change, bx.Target} {
				if s != "" {
					p.lines = append(p.lines, wrap(s, theoryWrapBold)...)
				}
			}
			p.h = 12 + theoryLine*float64(len(p.text)+len(p.lines))
			if len(p.lines) > 0 {
				p.h += 6
			}
			y += p.h + theoryGap
			row[bx.ID] = float64(r)
			placed = append(placed, p)
		}
	}
	return placed
}

// toneColours are a figure's frame and text: none, met, not met,
// withheld.
var toneColours = []struct{ frame, text string }{
	{accent, ink}, {"#00734d", "#00603f"}, {"#b8491a", "#9a3b12"}, {muted, muted},
}

func drawBox(b *strings.Builder, p placedBox) {
	tone := toneColours[min(max(p.box.Tone, 0), len(toneColours)-1)]
	stroke := 1.5
	if p.box.Tone == 1 || p.box.Tone == 2 {
		stroke = 2.5
	}
	fmt.Fprintf(b, `<g><rect x="%g" y="%g" width="%g" height="%g" rx="6" fill="#fff" stroke="%s" stroke-width="%g"/>`,
		p.x, p.y, theoryBoxWidth, p.h, tone.frame, stroke)
	y := p.y + 18
	for _, line := range p.text {
		fmt.Fprintf(b, `<text x="%g" y="%g" font-size="12" fill="%s">%s</text>`, p.x+8, y, ink, esc(line))
		y += theoryLine
	}
	if len(p.lines) > 0 {
		y += 6
		fmt.Fprintf(b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#d0d4d8"/>`, p.x+8, y-theoryLine+2, p.x+theoryBoxWidth-8, y-theoryLine+2)
	}
	for _, line := range p.lines {
		fmt.Fprintf(b, `<text x="%g" y="%g" font-size="12" font-weight="700" fill="%s">%s</text>`, p.x+8, y, tone.text, esc(line))
		y += theoryLine
	}
	b.WriteString(`</g>`)
}

// wrap breaks text into lines of at most n characters, at spaces where
// it can.
func wrap(s string, n int) []string {
	var lines []string
	var line string
	for _, w := range strings.Fields(s) {
		for utf8.RuneCountInString(w) > n {
			r := []rune(w)
			if line != "" {
				lines, line = append(lines, line), ""
			}
			lines, w = append(lines, string(r[:n])), string(r[n:])
		}
		switch {
		case line == "":
			line = w
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) <= n:
			line += " " + w
		default:
			lines, line = append(lines, line), w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
