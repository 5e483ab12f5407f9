package i18n

import (
	"slices"

	"golang.org/x/text/language"
)

// Negotiate picks the language to answer in from those available: the
// explicit choice (a ?lang= parameter) first, then the browser's
// Accept-Language header, then Danish, then the first available language.
// Malformed input is ignored, never an error: a person always gets a page.
func Negotiate(available []string, choice, acceptLanguage string) string {
	if len(available) == 0 {
		return Default
	}
	supported := make([]language.Tag, 0, len(available)+1)
	fallback := available[0]
	if slices.Contains(available, Default) {
		fallback = Default
	}
	// The matcher answers with its first tag when nothing fits.
	supported = append(supported, language.Make(fallback))
	for _, a := range available {
		supported = append(supported, language.Make(a))
	}
	var wanted []language.Tag
	if t, err := language.Parse(choice); err == nil && choice != "" {
		wanted = append(wanted, t)
	}
	if tags, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil {
		wanted = append(wanted, tags...)
	}
	_, i, confidence := language.NewMatcher(supported).Match(wanted...)
	if confidence == language.No || i == 0 {
		return fallback
	}
	return available[i-1]
}

// rightToLeft lists the scripts written from right to left that Samspil's
// languages may use.
var rightToLeft = []language.Script{
	language.MustParseScript("Arab"),
	language.MustParseScript("Hebr"),
	language.MustParseScript("Syrc"),
	language.MustParseScript("Thaa"),
}

// Dir returns "rtl" for languages written from right to left, else "ltr".
func Dir(lang string) string {
	script, _ := language.Make(lang).Script()
	if slices.Contains(rightToLeft, script) {
		return "rtl"
	}
	return "ltr"
}
