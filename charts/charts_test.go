package charts

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// danish writes numbers with a decimal comma, as the Danish pages do.
func danish(v float64) string { return strings.Replace(fmt.Sprintf("%.1f", v), ".", ",", 1) }

var health = Scale{Min: 1, Max: 5, Ticks: []float64{1, 2, 3, 4, 5},
	Bands: []Band{{1, 3, "bekymring", 0}, {3, 3.5, "grænsetilfælde", 1}, {3.5, 5, "styrke", 2}}}

func TestChartsMatchTheirGoldenFiles(t *testing.T) {
	text := func(id, title string) Text {
		return Text{ID: id, Title: title, Desc: title + ", med 95 % sikkerhedsinterval.", Hidden: "For få svar til at vise",
			Number: danish, Count: func(n int) string { return fmt.Sprintf("%d svar", n) }}
	}
	tests := []struct {
		name string
		svg  []byte
	}{
		{"dots-belonging", Dots([]Row{
			{Label: "I alt", Value: 71.4, Low: 66.2, High: 76.6, N: 212},
			{Label: "Fællesspisning", Value: 78.0, Low: 70.1, High: 85.9, N: 64},
			{Label: "Lektiecafé", Hidden: true, N: 0},
		}, Scale{Min: 0, Max: 100, Ticks: []float64{0, 25, 50, 75, 100}}, text("belonging", "Tilhør (0-100)"))},
		{"dots-health", Dots([]Row{
			{Label: "Fælles dagsorden", Value: 3.8, Low: 3.4, High: 4.2, N: 21},
			{Label: "Kommunikation", Value: 2.7, Low: 2.2, High: 3.2, N: 21},
		}, health, text("health", "Partnerskabets sundhed (1-5)"))},
		{"stacked-trust", Stacked([]Bar{
			{Label: "Jeg stoler på deltagerne", N: 180, Parts: []Part{{"1", 0.05}, {"2", 0.10}, {"3", 0.20}, {"4", 0.40}, {"5", 0.25}}},
			{Label: "Jeg stoler på arrangørerne", Hidden: true},
		}, text("trust", "Svarfordeling"))},
		{"bars-barriers", Bars([]Row{{Label: "Transport", Value: 22.5}, {Label: "Pris", Value: 40}, {Label: "Sprog", Hidden: true}},
			Scale{Min: 0, Max: 100}, text("barriers", "Hvad holder folk væk"))},
		{"line-rates", Line([]Point{{"1.12", 0.1}, {"2.12", 0.3}, {"3.12", 0.35}, {"4.12", 0.6}},
			Scale{Min: 0, Max: 1, Ticks: []float64{0, 0.5, 1}}, text("rates", "Svarprocent dag for dag"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wellFormed(t, tt.svg)
			golden := "testdata/" + tt.name + ".svg"
			if os.Getenv("UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(golden, tt.svg, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(tt.svg, want) {
				t.Errorf("%s differs from %s (UPDATE_GOLDEN=1 rewrites it after review)", tt.name, golden)
			}
		})
	}
}

// wellFormed parses the markup as XML, as a browser does for inline SVG.
func wellFormed(t *testing.T, svg []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
	}
}

// A hidden value is words in the picture, never a number: whatever the
// row carries, nothing of it is drawn.
func TestHiddenValuesAreWordsNotNumbers(t *testing.T) {
	text := Text{ID: "x", Title: "t", Desc: "d", Hidden: "too few answers to show"}
	dots := string(Dots([]Row{{Label: "Café", Value: 77.7, Low: 66.6, High: 88.8, N: 3, Hidden: true}}, Scale{Min: 0, Max: 100}, text))
	bars := string(Stacked([]Bar{{Label: "Café", Hidden: true, Parts: []Part{{"ja", 0.777}}}}, text))
	shares := string(Bars([]Row{{Label: "Café", Value: 77.7, Hidden: true}}, Scale{Min: 0, Max: 100}, text))
	for _, out := range []string{dots, bars, shares} {
		if !strings.Contains(out, "too few answers to show") {
			t.Error("a hidden value is not said in words")
		}
		for _, secret := range []string{"77.7", "66.6", "88.8", "<circle", "<rect x"} {
			if strings.Contains(out, secret) {
				t.Errorf("a hidden value is drawn: %q in\n%s", secret, out)
			}
		}
	}
}

// Every chart has an accessible name and a description, and text from
// the data is escaped.
func TestChartsAreNamedAndEscaped(t *testing.T) {
	text := Text{ID: "c1", Title: "Tillid & tryghed", Desc: "<script>"}
	out := string(Dots([]Row{{Label: `"<b>"`, Value: 1, N: 9}}, Scale{Min: 0, Max: 2}, text))
	for _, want := range []string{`role="img"`, `aria-labelledby="c1-t c1-d"`, "<title id=\"c1-t\">Tillid &amp; tryghed</title>", "&lt;script&gt;", "&#34;&lt;b&gt;&#34;"} {
		if !strings.Contains(out, want) {
			t.Errorf("chart lacks %s:\n%s", want, out)
		}
	}
	wellFormed(t, []byte(out))
}

// Values outside the scale stay inside the plot.
func TestValuesAreClampedToTheScale(t *testing.T) {
	if x := (Scale{Min: 0, Max: 10}).x(15, 100, 200); x != 300 {
		t.Errorf("x(15) = %v, want the right edge", x)
	}
	if x := (Scale{Min: 0, Max: 10}).x(-1, 100, 200); x != 100 {
		t.Errorf("x(-1) = %v, want the left edge", x)
	}
}

// A hidden row is words on white: no band is shaded behind them.
func TestHiddenRowsHaveNoBands(t *testing.T) {
	out := string(Dots([]Row{{Label: "a", Hidden: true}}, health, Text{ID: "h", Hidden: "too few"}))
	if strings.Contains(out, "<rect") {
		t.Errorf("bands are shaded behind a hidden row:\n%s", out)
	}
}

func TestNetworkMap(t *testing.T) {
	nodes := []NetNode{{ID: "a", Name: "Bibliotek", Group: 0, Labelled: true}, {ID: "b", Name: "FC Vest", Group: 1},
		{ID: "c", Name: "Brugsen", Group: 2}, {ID: "d", Name: "Ensom", Group: 3}}
	ties := []NetTie{{"a", "b", 2}, {"a", "c", 1}, {"b", "a", 1}, {"a", "zz", 1}}
	text := Text{ID: "net", Title: "Netværk", Desc: "Hvem arbejder med hvem"}
	out := Network(nodes, ties, nil, []string{"offentlig", "civilsamfund", "privat", "borgergruppe"}, text)
	wellFormed(t, out)
	s := string(out)
	if n := strings.Count(s, "<line"); n != 2 {
		t.Errorf("%d ties drawn, want 2 (a repeated tie and one to an unknown partner left out)", n)
	}
	for _, name := range []string{"<title>Bibliotek</title>", "<title>Ensom</title>", ">Bibliotek</text>", "<polygon", "<rect"} {
		if !strings.Contains(s, name) {
			t.Errorf("the map lacks %s", name)
		}
	}
	if strings.Contains(s, ">FC Vest</text>") {
		t.Error("a partner that is not labelled is named on the map")
	}
	if again := Network(nodes, ties, nil, []string{"offentlig", "civilsamfund", "privat", "borgergruppe"}, text); !bytes.Equal(again, out) {
		t.Error("the same network lands differently twice")
	}
}

// The map of a fixed network matches its golden file: it lands the same
// way in every run, not only twice in one.
func TestNetworkMapMatchesItsGoldenFile(t *testing.T) {
	var nodes []NetNode
	var ties []NetTie
	for i := range 12 {
		nodes = append(nodes, NetNode{ID: fmt.Sprintf("p%02d", i), Name: fmt.Sprintf("Partner %d", i), Group: i % 5, Labelled: i == 0})
		if i > 0 && i < 10 {
			ties = append(ties, NetTie{A: "p00", B: fmt.Sprintf("p%02d", i), Weight: 1 + i%2}, NetTie{A: fmt.Sprintf("p%02d", i), B: fmt.Sprintf("p%02d", (i%9)+1), Weight: 1})
		}
	}
	out := Network(nodes, ties, nil, []string{"offentlig", "civilsamfund", "privat", "borgergruppe", "sekretariat"}, Text{ID: "net", Title: "Netværk", Desc: "Hvem arbejder med hvem"})
	wellFormed(t, out)
	golden := "testdata/network.svg"
	if os.Getenv("UPDATE_GOLDEN") != "" {
		os.WriteFile(golden, out, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("the map differs from %s (UPDATE_GOLDEN=1 rewrites it after review)", golden)
	}
}

// Laid out on every round's ties, a partner stands in the same place on
// each round's map, whichever of its ties that round had.
func TestNetworkMapKeepsPartnersInPlace(t *testing.T) {
	var nodes []NetNode
	var all, some []NetTie
	for i := range 10 {
		nodes = append(nodes, NetNode{ID: fmt.Sprintf("p%02d", i), Name: fmt.Sprintf("Partner %d", i)})
		if i > 0 {
			all = append(all, NetTie{A: "p00", B: fmt.Sprintf("p%02d", i), Weight: 1})
			if i%2 == 0 {
				some = append(some, all[len(all)-1])
			}
		}
	}
	groups := []string{"offentlig"}
	place := func(svg []byte, name string) string {
		s := string(svg)
		i := strings.Index(s, "<title>"+name+"</title>")
		if i < 0 {
			t.Fatalf("%s is not on the map", name)
		}
		g := s[i : i+strings.Index(s[i:], "</g>")]
		return regexp.MustCompile(`(cx|cy|points)="[^"]*"`).FindString(g) + regexp.MustCompile(` (cy|y)="[^"]*"`).FindString(g)
	}
	first := Network(nodes, all, all, groups, Text{ID: "a"})
	second := Network(nodes, some, all, groups, Text{ID: "a"})
	for _, name := range []string{"Partner 0", "Partner 2", "Partner 4"} {
		if a, b := place(first, name), place(second, name); a != b {
			t.Errorf("%s moved between rounds: %s, then %s", name, a, b)
		}
	}
	if alone := place(second, "Partner 1"); alone == place(first, "Partner 1") {
		t.Error("a partner without ties this round is not in the row along the bottom")
	}
}

// An icon array of 8 of 10 fills eight people, from the left, or from the
// right for a right-to-left reader, and matches its golden file.
func TestIcons(t *testing.T) {
	for _, tt := range []struct {
		name string
		rtl  bool
	}{{"icons-ltr", false}, {"icons-rtl", true}} {
		out := Icons(8, 10, tt.rtl, Text{ID: "belong", Title: "8 ud af 10", Desc: "8 ud af 10, der svarede, føler, at de hører til"})
		wellFormed(t, out)
		s := string(out)
		if n := strings.Count(s, `fill="#0b4f8a"`); n != 8 {
			t.Errorf("%s: %d people filled, want 8", tt.name, n)
		}
		first := strings.Index(s, "<g ")
		if filledFirst := strings.HasPrefix(s[first:], `<g fill="#0b4f8a"`); !strings.Contains(s[first:first+120], `cx="14.0"`) || !filledFirst {
			// The first drawn is person 1; it stands left (cx 14) in
			// either direction only when it is drawn there.
			if !tt.rtl {
				t.Errorf("%s: the first person is not filled and on the left", tt.name)
			}
		}
		if tt.rtl && strings.Contains(s[first:first+120], `cx="14.0"`) {
			t.Errorf("%s: right to left, the first filled person stands on the left", tt.name)
		}
		golden := "testdata/" + tt.name + ".svg"
		if os.Getenv("UPDATE_GOLDEN") != "" {
			os.WriteFile(golden, out, 0o644)
		}
		if want, err := os.ReadFile(golden); err != nil || !bytes.Equal(out, want) {
			t.Errorf("%s differs from %s (%v; UPDATE_GOLDEN=1 rewrites it after review)", tt.name, golden, err)
		}
	}
}

// A decorative picture is hidden from screen readers, which read the
// words beside it instead, and carries no title of its own.
func TestDecorativePicturesAreHidden(t *testing.T) {
	out := string(Icons(3, 10, false, Text{ID: "x", Title: "3 of 10", Decorative: true}))
	if !strings.Contains(out, `aria-hidden="true"`) || strings.Contains(out, "<title") || strings.Contains(out, `role="img"`) {
		t.Errorf("decorative icons are not hidden: %.200s", out)
	}
}
