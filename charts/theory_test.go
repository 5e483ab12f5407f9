package charts

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"testing"
)

var theoryColumns = []string{"Ressourcer", "Aktiviteter", "Output", "Kort sigt", "Lang sigt"}

// A program theory drawn from a fixed theory matches its golden file:
// figures, changes and targets in bold, a withheld figure in words.
func TestTheoryMatchesItsGoldenFile(t *testing.T) {
	boxes := []TheoryBox{
		{ID: "partners", Column: 0, Text: "Partnere fra kommune, foreninger, virksomheder og borgergrupper"},
		{ID: "backbone", Column: 0, Text: "En tovholder med tid til at samle partnerskabet"},
		{ID: "meetings", Column: 1, Text: "Faste møder om fælles mål"},
		{ID: "activities", Column: 1, Text: "Aktiviteter hvor borgere mødes"},
		{ID: "health", Column: 2, Text: "Partnerne stoler på hinanden", Figure: "Tillid: 3,8 af 5", Change: "+0,3 siden forrige runde"},
		{ID: "reach", Column: 2, Text: "Borgere deltager", Figure: "For få svar til at vise", Tone: 3},
		{ID: "belonging", Column: 3, Text: "Borgere føler, at de hører til", Figure: "Tilhør: 72 af 100", Target: "Mål: mindst 70 ✓", Tone: 1},
		{ID: "influence", Column: 4, Text: "Borgere får indflydelse <&>", Figure: "Indflydelse: 41 af 100", Target: "Mål: mindst 50 ✗", Tone: 2},
	}
	arrows := []TheoryArrow{{"partners", "meetings", 1}, {"backbone", "meetings", 2}, {"meetings", "health", 3},
		{"partners", "activities", 4}, {"activities", "reach", 5}, {"reach", "belonging", 6}, {"belonging", "influence", 7},
		{"reach", "health", 8}}
	svg := Theory(theoryColumns, boxes, arrows, Text{ID: "theory", Title: "Forandringsteori", Desc: "Partnerskabets forandringsteori."})
	wellFormed(t, svg)
	golden := "testdata/theory.svg"
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, svg, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(svg, want) {
		t.Errorf("the theory differs from %s (UPDATE_GOLDEN=1 rewrites it after review)", golden)
	}
	if !bytes.Contains(svg, []byte("&lt;&amp;&gt;")) {
		t.Error("a box's text is not escaped")
	}
}

// With 25 elements the diagram stays readable: no two boxes overlap, every
// box lies within the picture, and no line of text is longer than a box
// holds.
func TestTheoryStaysReadableWithManyElements(t *testing.T) {
	var boxes []TheoryBox
	var arrows []TheoryArrow
	for i := range 25 {
		boxes = append(boxes, TheoryBox{ID: fmt.Sprint("e", i), Column: i % 5,
			Text:   fmt.Sprintf("Element nummer %d med en lang tekst om hvad der sker og hvorfor det betyder noget", i),
			Figure: "Tilhør: 72 af 100", Change: "+4 siden oktober"})
		if i >= 5 {
			arrows = append(arrows, TheoryArrow{From: fmt.Sprint("e", i-5), To: fmt.Sprint("e", i), Number: i - 4})
		}
	}
	svg := Theory(theoryColumns, boxes, arrows, Text{ID: "many", Title: "T", Desc: "D"})
	wellFormed(t, svg)
	view := regexp.MustCompile(`viewBox="0 0 ([0-9.]+) ([0-9.]+)"`).FindSubmatch(svg)
	w, _ := strconv.ParseFloat(string(view[1]), 64)
	h, _ := strconv.ParseFloat(string(view[2]), 64)
	type rect struct{ x, y, w, h float64 }
	var rects []rect
	for _, m := range regexp.MustCompile(`<rect x="([0-9.]+)" y="([0-9.]+)" width="([0-9.]+)" height="([0-9.]+)"`).FindAllSubmatch(svg, -1) {
		var r rect
		for i, p := range []*float64{&r.x, &r.y, &r.w, &r.h} {
			*p, _ = strconv.ParseFloat(string(m[i+1]), 64)
		}
		rects = append(rects, r)
	}
	if len(rects) != 25 {
		t.Fatalf("%d boxes drawn, want 25", len(rects))
	}
	for i, a := range rects {
		if a.x < 0 || a.y < 0 || a.x+a.w > w || a.y+a.h > h {
			t.Errorf("box %d %+v lies outside the picture %gx%g", i, a, w, h)
		}
		for j, b := range rects[i+1:] {
			if a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h {
				t.Errorf("boxes %d and %d overlap", i, i+1+j)
			}
		}
	}
	for _, m := range regexp.MustCompile(`font-size="12"[^>]*>([^<]*)<`).FindAllSubmatch(svg, -1) {
		if n := len([]rune(string(m[1]))); n > theoryWrap {
			t.Errorf("a line of %d characters: %q", n, m[1])
		}
	}
}
