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

// Geometry of a row chart, in SVG units. Each row has its label and
// count on a line of their own above the plot, so the chart reads on a
// phone as well as on a laptop: 480 units wide, drawn 330 to 512 pixels.
const (
	chartWidth = 480.0
	rowHeight  = 60.0
	topMargin  = 4.0
	axisHeight = 26.0
	sidePad    = 12.0
	labelSize  = 16.0
	smallSize  = 14.0
)

// Dots draws estimates as dots with their 95% interval as a bar, one row
// each, over a scale with its bands shaded.
func Dots(rows []Row, sc Scale, t Text) []byte {
	var b strings.Builder
	plotLeft, plotWidth := sidePad, chartWidth-2*sidePad
	height := topMargin + float64(len(rows))*rowHeight + axisHeight
	svg(&b, t, chartWidth, height)
	bottom := topMargin + float64(len(rows))*rowHeight
	for _, band := range sc.Bands {
		x0, x1 := sc.x(band.From, plotLeft, plotWidth), sc.x(band.To, plotLeft, plotWidth)
		for i, r := range rows {
			if r.Hidden {
				continue // words stand there, on white
			}
			y := topMargin + float64(i)*rowHeight + 24
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
				x0, y, x1-x0, rowHeight-28, bandFill[min(max(band.Tone, 0), 2)], esc(band.Label))
		}
	}
	for _, tick := range sc.Ticks {
		x := sc.x(tick, plotLeft, plotWidth)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#c8ccd0"/>`, x, topMargin+24, x, bottom)
		anchor := "middle"
		switch tick {
		case sc.Min:
			anchor = "start"
		case sc.Max:
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%g" text-anchor="%s" fill="%s">%s</text>`, x, bottom+20, smallSize, anchor, muted, esc(t.number(tick)))
	}
	for i, r := range rows {
		top := topMargin + float64(i)*rowHeight
		y := top + 24 + (rowHeight-28)/2
		if r.Hidden {
			// How many answered is hidden too: it is part of the figure.
			fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="%g" fill="%s">%s</text>`, top+18, labelSize, ink, esc(r.Label))
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%g" font-style="italic" fill="%s">%s</text>`, plotLeft, y+5, smallSize, muted, esc(t.Hidden))
			continue
		}
		fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="%g" fill="%s">%s <tspan font-size="%g" fill="%s">· %s</tspan></text>`,
			top+18, labelSize, ink, esc(r.Label), smallSize, muted, esc(t.count(r.N)))
		lo, hi, x := sc.x(r.Low, plotLeft, plotWidth), sc.x(r.High, plotLeft, plotWidth), sc.x(r.Value, plotLeft, plotWidth)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="3" stroke-linecap="round"/>`, lo, y, hi, y, accent)
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="7" fill="%s" stroke="#fff" stroke-width="2"><title>%s: %s (%s–%s)</title></circle>`,
			x, y, accent, esc(r.Label), esc(t.number(r.Value)), esc(t.number(r.Low)), esc(t.number(r.High)))
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}
