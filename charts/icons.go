package charts

import (
	"fmt"
	"strings"
)

// Icons draws an icon array: of people, how many out of total, such as 8
// of 10 who answered, filled in and the rest drawn as outlines, so the
// count reads without colour. Right to left, the filled people stand on
// the right, where such a reader starts.
func Icons(filled, total int, rtl bool, t Text) []byte {
	const size, gap = 28.0, 6.0
	total = max(total, 1)
	filled = min(max(filled, 0), total)
	var b strings.Builder
	width := float64(total)*(size+gap) - gap
	svg(&b, t, width, size*1.5)
	for i := range total {
		slot := i
		if rtl {
			slot = total - 1 - i
		}
		x := float64(slot) * (size + gap)
		fill, stroke := accent, accent
		if i >= filled {
			fill = "#fff"
		}
		// A head and shoulders.
		fmt.Fprintf(&b, `<g fill="%s" stroke="%s" stroke-width="2"><circle cx="%.1f" cy="%.1f" r="%.1f"/><path d="M%.1f %.1fq0-%.1f %.1f-%.1fh%.1fq%.1f 0 %.1f %.1fz"/></g>`,
			fill, stroke, x+size/2, size*0.35, size*0.22,
			x+2, size*1.4, size*0.6, size*0.3, size*0.6, size-2-2*size*0.3, size*0.3, size*0.3, size*0.6)
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}
