package charts

import (
	"fmt"
	"strings"
)

// Bar is one answer distribution: the share of each answer, in the
// order of the scale, and the answers behind it.
type Bar struct {
	Label  string
	Parts  []Part
	N      int
	Hidden bool
}

// Part is one answer's share of a bar, from 0 to 1.
type Part struct {
	Label string
	Share float64
}

// Stacked draws answer distributions as bars from 0 to 100 %, one row
// each, with a legend naming the answers in the order they stack. Shares
// under 10 % carry no label inside the bar: the table beside it has them.
func Stacked(bars []Bar, t Text) []byte {
	var b strings.Builder
	plotLeft, plotWidth := 0.0, chartWidth
	var legend []string
	for _, bar := range bars {
		if !bar.Hidden && len(bar.Parts) > len(legend) {
			legend = legend[:0]
			for _, p := range bar.Parts {
				legend = append(legend, p.Label)
			}
		}
	}
	legendHeight := 24.0 * float64((len(legend)+2)/3)
	height := topMargin + float64(len(bars))*rowHeight + legendHeight + 8
	svg(&b, t, chartWidth, height)
	for i, bar := range bars {
		top := topMargin + float64(i)*rowHeight
		if bar.Hidden {
			fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="%g" fill="%s">%s</text>`, top+18, labelSize, ink, esc(bar.Label))
			fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="%g" font-style="italic" fill="%s">%s</text>`, top+46, smallSize, muted, esc(t.Hidden))
			continue
		}
		fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="%g" fill="%s">%s <tspan font-size="%g" fill="%s">· %s</tspan></text>`,
			top+18, labelSize, ink, esc(bar.Label), smallSize, muted, esc(t.count(bar.N)))
		x := plotLeft
		for j, p := range bar.Parts {
			w := p.Share * plotWidth
			fill := Palette[j%len(Palette)]
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="28" fill="%s" stroke="#fff"><title>%s: %s %%</title></rect>`,
				x, top+26, w, fill, esc(p.Label), esc(t.number(100*p.Share)))
			if p.Share >= 0.1 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%g" text-anchor="middle" fill="%s">%s</text>`,
					x+w/2, top+45, smallSize, textOn(fill), esc(t.number(100*p.Share)))
			}
			x += w
		}
	}
	ly := topMargin + float64(len(bars))*rowHeight + 8
	for j, label := range legend {
		lx := float64(j%3) * (chartWidth / 3)
		row := float64(j / 3)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="16" height="16" fill="%s"/>`, lx, ly+row*24, Palette[j%len(Palette)])
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%g" fill="%s">%s</text>`, lx+22, ly+row*24+13, smallSize, ink, esc(label))
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}

// textOn picks the text colour that reads on a fill.
func textOn(fill string) string {
	switch fill {
	case "#b8491a", "#0072b2", "#009e73":
		return "#fff"
	}
	return ink
}
