// Package charts draws the figures people look at as SVG: numbers in,
// markup out. It computes no statistic: every value, interval and count
// comes from the indicators package, already protected, and a value the
// indicators hid is drawn as words, never as a zero. The markup is inline
// SVG with a title and a text alternative; the pages put the same numbers
// in a table beside each chart.
package charts

import (
	"fmt"
	"html"
	"strings"
)

// Text is the words a chart shows, in the reader's language.
type Text struct {
	// ID makes the chart's title and description ids unique on a page.
	ID    string
	Title string
	// Desc is the text alternative: what the chart shows, in a sentence.
	Desc string
	// Hidden is written where a value is hidden, such as "too few
	// answers to show".
	Hidden string
	// Number writes a value as the reader writes numbers (a decimal comma
	// in Danish); nil writes one decimal with a point.
	Number func(float64) string
	// Count writes the number of answers under a row, such as "n = 48";
	// nil writes "n = 48".
	Count func(int) string
	// Decorative marks a picture whose words stand right beside it, such
	// as a heading that says the same: screen readers skip it rather than
	// read the same sentence twice.
	Decorative bool
}

func (t Text) number(v float64) string {
	if t.Number != nil {
		return t.Number(v)
	}
	return fmt.Sprintf("%.1f", v)
}

func (t Text) count(n int) string {
	if t.Count != nil {
		return t.Count(n)
	}
	return fmt.Sprintf("n = %d", n)
}

// Scale is the axis a chart draws values on.
type Scale struct {
	Min, Max float64
	// Ticks are the values marked on the axis.
	Ticks []float64
	// Bands are ranges shaded behind the values, such as the concern,
	// borderline and strength bands of partnership health.
	Bands []Band
}

// Band is a shaded range of a scale.
type Band struct {
	From, To float64
	Label    string
	// Tone picks the shade, 0 to 2, from concern to strength.
	Tone int
}

// x maps a value to the horizontal position within [left, left+width].
func (s Scale) x(v, left, width float64) float64 {
	if s.Max == s.Min {
		return left
	}
	v = min(max(v, s.Min), s.Max)
	return left + (v-s.Min)/(s.Max-s.Min)*width
}

// Colours that survive colour blindness (Okabe and Ito), darkened where
// they carry text or thin lines so they keep 3:1 against white.
var (
	ink      = "#1a1a1a"
	muted    = "#4a4f55"
	accent   = "#0b4f8a"
	bandFill = []string{"#fbe3d3", "#fdf3cc", "#dcefe6"}
	// Palette fills the parts of a stacked bar, from the low end of a
	// scale to the high end.
	Palette = []string{"#b8491a", "#e69f00", "#c9c9c9", "#56b4e9", "#0072b2", "#009e73", "#cc79a7"}
)

// svg is the start of a chart with its accessible name and description.
func svg(b *strings.Builder, t Text, width, height float64) {
	if t.Decorative {
		fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="100%%" aria-hidden="true" focusable="false" class="chart">`, width, height)
		return
	}
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="100%%" role="img" aria-labelledby="%s-t %s-d" class="chart">`,
		width, height, esc(t.ID), esc(t.ID))
	fmt.Fprintf(b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(t.ID), esc(t.Title), esc(t.ID), esc(t.Desc))
}

func esc(s string) string { return html.EscapeString(s) }
