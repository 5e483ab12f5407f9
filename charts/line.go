package charts

import (
	"fmt"
	"strings"
)

// Point is one value in a series, such as the share of partners who had
// answered by the end of a day.
type Point struct {
	Label string
	Value float64
}

// Line draws a series as a line with a dot per point, over a scale on
// the vertical axis; labels run along the bottom, thinned to fit.
func Line(points []Point, sc Scale, t Text) []byte {
	var b strings.Builder
	const height, left, bottomPad, top = 220.0, 52.0, 34.0, 12.0
	plotHeight, plotWidth := height-top-bottomPad, chartWidth-left-sidePad
	svg(&b, t, chartWidth, height)
	y := func(v float64) float64 { return top + plotHeight - (sc.x(v, 0, plotHeight)) }
	for _, tick := range sc.Ticks {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#c8ccd0"/>`, left, y(tick), left+plotWidth, y(tick))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%g" text-anchor="end" fill="%s">%s</text>`, left-6, y(tick)+5, smallSize, muted, esc(t.number(tick)))
	}
	if len(points) == 0 {
		b.WriteString(`</svg>`)
		return []byte(b.String())
	}
	step := plotWidth
	if len(points) > 1 {
		step = plotWidth / float64(len(points)-1)
	}
	every := max(1, len(points)/5)
	var path strings.Builder
	for i, p := range points {
		x := left + float64(i)*step
		if len(points) == 1 {
			x = left + plotWidth/2
		}
		if i == 0 {
			fmt.Fprintf(&path, "M%.1f %.1f", x, y(p.Value))
		} else {
			fmt.Fprintf(&path, "L%.1f %.1f", x, y(p.Value))
		}
		if i%every == 0 || i == len(points)-1 {
			anchor := "middle"
			switch {
			case len(points) == 1:
			case i == 0:
				anchor = "start"
			case i == len(points)-1:
				anchor = "end"
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%g" text-anchor="%s" fill="%s">%s</text>`, x, height-12, smallSize, anchor, muted, esc(p.Label))
		}
	}
	fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="3" stroke-linejoin="round"/>`, path.String(), accent)
	for i, p := range points {
		x := left + float64(i)*step
		if len(points) == 1 {
			x = left + plotWidth/2
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s: %s</title></circle>`, x, y(p.Value), accent, esc(p.Label), esc(t.number(p.Value)))
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}
