package charts

import (
	"fmt"
	"strings"
)

// Bars draws shares as bars from the scale's start, one row each with its
// label above, and the value at the bar's end. A hidden row is words.
func Bars(rows []Row, sc Scale, t Text) []byte {
	var b strings.Builder
	const barRow = 46.0
	plotWidth := chartWidth - 76
	height := topMargin + float64(len(rows))*barRow + 4
	svg(&b, t, chartWidth, height)
	for i, r := range rows {
		top := topMargin + float64(i)*barRow
		fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="%g" fill="%s">%s</text>`, top+16, smallSize+1, ink, esc(r.Label))
		if r.Hidden {
			fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="%g" font-style="italic" fill="%s">%s</text>`, top+38, smallSize, muted, esc(t.Hidden))
			continue
		}
		w := sc.x(r.Value, 0, plotWidth)
		fmt.Fprintf(&b, `<rect x="0" y="%.1f" width="%.1f" height="18" fill="%s"><title>%s: %s</title></rect>`,
			top+22, w, accent, esc(r.Label), esc(t.number(r.Value)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="%g" fill="%s">%s</text>`, w+6, top+36, smallSize, ink, esc(t.number(r.Value)))
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}
