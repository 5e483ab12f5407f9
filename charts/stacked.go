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
// under 8 % carry no label inside the bar: the table beside it has them.
func Stacked(bars []Bar, t Text) []byte {
	var b strings.Builder
	plotLeft, plotWidth := labelWidth, chartWidth-labelWidth-rightPad
	var legend []string
	for _, bar := range bars {
		if !bar.Hidden && len(bar.Parts) > len(legend) {
			legend = legend[:0]
			for _, p := range bar.Parts {
				legend = append(legend, p.Label)
			}
		}
	}
	legendHeight := 22.0 * float64((len(legend)+2)/3)
	height := topMargin + float64(len(bars))*rowHeight + legendHeight + 8
	svg(&b, t, chartWidth, height)
	for i, bar := range bars {
		y := topMargin + float64(i)*rowHeight
		fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="14" fill="%s">%s</text>`, y+rowHeight/2-2, ink, esc(bar.Label))
		if bar.Hidden {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="13" font-style="italic" fill="%s">%s</text>`, plotLeft+6, y+rowHeight/2+4, muted, esc(t.Hidden))
			continue
		}
		fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="12" fill="%s">%s</text>`, y+rowHeight/2+14, muted, esc(t.count(bar.N)))
		x := plotLeft
		for j, p := range bar.Parts {
			w := p.Share * plotWidth
			fill := Palette[j%len(Palette)]
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#fff"><title>%s: %s %%</title></rect>`,
				x, y+8, w, rowHeight-16, fill, esc(p.Label), esc(t.number(100*p.Share)))
			if p.Share >= 0.08 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" text-anchor="middle" fill="%s">%s</text>`,
					x+w/2, y+rowHeight/2+4, textOn(fill), esc(t.number(100*p.Share)))
			}
			x += w
		}
	}
	ly := topMargin + float64(len(bars))*rowHeight + 8
	for j, label := range legend {
		lx := float64(j%3) * (chartWidth / 3)
		row := float64(j / 3)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="14" height="14" fill="%s"/>`, lx, ly+row*22, Palette[j%len(Palette)])
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" fill="%s">%s</text>`, lx+20, ly+row*22+12, ink, esc(label))
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
