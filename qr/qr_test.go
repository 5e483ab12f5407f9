package qr

import (
	"strings"
	"testing"
)

func TestCodesCarryTheLink(t *testing.T) {
	link := "https://samspil.example.dk/f/citizen_short?p=pa1&a=ac2"
	with, err := SVG(link)
	if err != nil {
		t.Fatal(err)
	}
	alone, err := Code(link)
	if err != nil {
		t.Fatal(err)
	}
	escaped := "https://samspil.example.dk/f/citizen_short?p=pa1&amp;a=ac2"
	if !strings.Contains(string(with), "<text") || strings.Count(string(with), escaped) != 2 {
		t.Errorf("the captioned code does not print its link under it:\n%s", with)
	}
	if strings.Contains(string(alone), "<text") || !strings.Contains(string(alone), `aria-label="`+escaped+`"`) {
		t.Errorf("the code alone has a caption, or no accessible name:\n%.300s", alone)
	}
	if _, err := SVG(strings.Repeat("x", 5000)); err == nil {
		t.Error("a link too long for a QR code gave no error")
	}
}
