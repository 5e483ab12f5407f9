package i18n

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name      string
		available []string
		choice    string
		accept    string
		want      string
	}{
		{"nothing asked: Danish", []string{"da", "en"}, "", "", "da"},
		{"explicit choice", []string{"da", "en"}, "en", "da", "en"},
		{"choice with region", []string{"da", "en"}, "en-GB", "", "en"},
		{"browser header", []string{"da", "en"}, "", "en-US,en;q=0.9", "en"},
		{"header order matters", []string{"da", "en"}, "", "fr;q=1, da;q=0.8, en;q=0.5", "da"},
		{"unknown choice falls to the header", []string{"da", "en"}, "xx", "en", "en"},
		{"unsupported language: Danish", []string{"da", "en"}, "", "zh-CN", "da"},
		{"malformed header: Danish", []string{"da", "en"}, "", ";;;q=,", "da"},
		{"no Danish: first available", []string{"en", "ar"}, "", "fi", "en"},
		{"Arabic form", []string{"da", "ar"}, "ar-EG", "", "ar"},
		{"nothing available", nil, "en", "", "da"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Negotiate(tt.available, tt.choice, tt.accept); got != tt.want {
				t.Errorf("Negotiate(%v, %q, %q) = %q, want %q", tt.available, tt.choice, tt.accept, got, tt.want)
			}
		})
	}
}

func TestDir(t *testing.T) {
	for lang, want := range map[string]string{"ar": "rtl", "ar-EG": "rtl", "da": "ltr", "en": "ltr", "uk": "ltr", "tr": "ltr"} {
		if got := Dir(lang); got != want {
			t.Errorf("Dir(%q) = %q, want %q", lang, got, want)
		}
	}
}

func TestText(t *testing.T) {
	m, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ lang, id, want string }{
		{"da", "out_of_range", "Vælg et tal fra 1 til 5."},
		{"en", "out_of_range", "Choose a number from 1 to 5."},
		{"fr", "out_of_range", "Vælg et tal fra 1 til 5."},
		{"en", "no_such_message", "no_such_message"},
	}
	for _, tt := range tests {
		if got := m.Text(tt.lang, tt.id, map[string]any{"Min": 1, "Max": 5}); got != tt.want {
			t.Errorf("Text(%q, %q) = %q, want %q", tt.lang, tt.id, got, tt.want)
		}
	}
}

// Every catalog must hold every message, so no one meets a sudden
// fallback to another language.
func TestCatalogsAreComplete(t *testing.T) {
	files, err := filepath.Glob("locales/*.json")
	if err != nil || len(files) < 2 {
		t.Fatalf("catalogs: %v, %v", files, err)
	}
	ids := make(map[string][]string)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var msgs map[string]string
		if err := json.Unmarshal(data, &msgs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		ids[f] = slices.Sorted(maps.Keys(msgs))
	}
	// Each set of catalogs (active.*, console.*) holds the same messages
	// in each of its languages.
	first := map[string]string{}
	for _, f := range files {
		set, _, _ := strings.Cut(filepath.Base(f), ".")
		if _, ok := first[set]; !ok {
			first[set] = f
		}
		if want := ids[first[set]]; !slices.Equal(ids[f], want) {
			t.Errorf("%s has messages %v, %s has %v", f, ids[f], first[set], want)
		}
	}
	if len(first) < 2 {
		t.Errorf("catalog sets = %v, want active and console", first)
	}
}
