package charts

import (
	"fmt"
	"strings"
)

// Row is one estimate: a point, its 95% interval and the answers behind
// it. A hidden row has no numbers to draw.
type Row struct {
	Label            string
	Value, Low, High float64
	N                int
	Hidden           bool
}

// Geometry of a row chart, in SVG units: labels on the left, the scale
// on the right, a row per estimate with its count under the label.
const (
	chartWidth = 640.0
	labelWidth = 200.0
	rowHeight  = 44.0
	topMargin  = 12.0
	axisHeight = 28.0
	rightPad   = 24.0
)

// Dots draws estimates as dots with their 95% interval as a bar, one row
// each, over a scale with its bands shaded.
func Dots(rows []Row, sc Scale, t Text) []byte {
	var b strings.Builder
	plotLeft, plotWidth := labelWidth, chartWidth-labelWidth-rightPad
	height := topMargin + float64(len(rows))*rowHeight + axisHeight
	svg(&b, t, chartWidth, height)
	bottom := topMargin + float64(len(rows))*rowHeight
	for _, band := range sc.Bands {
		x0, x1 := sc.x(band.From, plotLeft, plotWidth), sc.x(band.To, plotLeft, plotWidth)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
			x0, topMargin, x1-x0, bottom-topMargin, bandFill[min(max(band.Tone, 0), 2)], esc(band.Label))
	}
	for _, tick := range sc.Ticks {
		x := sc.x(tick, plotLeft, plotWidth)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#c8ccd0"/>`, x, topMargin, x, bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" text-anchor="middle" fill="%s">%s</text>`, x, bottom+18, muted, esc(t.number(tick)))
	}
	for i, r := range rows {
		y := topMargin + float64(i)*rowHeight + rowHeight/2
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="14" fill="%s">%s</text>`, 0.0, y-2, ink, esc(r.Label))
		if r.Hidden {
			// How many answered is hidden too: it is part of the figure.
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="13" font-style="italic" fill="%s">%s</text>`, plotLeft+6, y+4, muted, esc(t.Hidden))
			continue
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" fill="%s">%s</text>`, 0.0, y+14, muted, esc(t.count(r.N)))
		lo, hi, x := sc.x(r.Low, plotLeft, plotWidth), sc.x(r.High, plotLeft, plotWidth), sc.x(r.Value, plotLeft, plotWidth)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="3" stroke-linecap="round"/>`, lo, y, hi, y, accent)
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="7" fill="%s" stroke="#fff" stroke-width="2"><title>%s: %s (%s–%s)</title></circle>`,
			x, y, accent, esc(r.Label), esc(t.number(r.Value)), esc(t.number(r.Low)), esc(t.number(r.High)))
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}
