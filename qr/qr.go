// Package qr draws QR codes for citizen links and partner letters: a link
// in, SVG or PNG out.
package qr

import (
	"bytes"
	"fmt"
	"html"

	"github.com/skip2/go-qrcode"
)

// SVG draws a link's QR code as SVG squares, with the link printed under
// it for those who cannot scan.
func SVG(link string) ([]byte, error) { return draw(link, true) }

// Code draws a link's QR code alone, for pages that print the link
// themselves in a readable size.
func Code(link string) ([]byte, error) { return draw(link, false) }

func draw(link string, caption bool) ([]byte, error) {
	code, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("make QR code: %w", err)
	}
	bits := code.Bitmap()
	n := len(bits)
	h := n
	if caption {
		h += 4
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s">`, n, h, html.EscapeString(link))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, h)
	// Each run of dark modules in a row is one rectangle: a third of the
	// text of one square per module, which matters on a page of letters.
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run
		}
	}
	if !caption {
		b.WriteString(`"/></svg>`)
		return b.Bytes(), nil
	}
	// The link is squeezed to the code's width so a long one is not cut.
	fmt.Fprintf(&b, `"/><text x="1" y="%d" font-family="sans-serif" font-size="1.6" textLength="%d" lengthAdjust="spacingAndGlyphs">%s</text></svg>`,
		n+2, n-2, html.EscapeString(link))
	return b.Bytes(), nil
}

// PNG draws a link's QR code as a PNG image size pixels wide.
func PNG(link string, size int) ([]byte, error) {
	code, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("make QR code: %w", err)
	}
	png, err := code.PNG(size)
	if err != nil {
		return nil, fmt.Errorf("draw QR code: %w", err)
	}
	return png, nil
}
