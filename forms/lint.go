package forms

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

// Readability limits for questions shown to citizens, in LIX, the index
// Danish plain-language work uses: below 25 is very easy, 25-34 easy.
const (
	MaxQuestionLIX = 40
	MaxMeanLIX     = 30
	MaxWords       = 20
)

// lixLanguages are the languages LIX was made for.
var lixLanguages = []string{"da", "sv", "nb", "nn", "no"}

// LIX computes the readability index of a text: words per sentence plus
// the percentage of words longer than six letters.
func LIX(text string) float64 {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' })
	words = slices.DeleteFunc(words, func(w string) bool { return strings.Trim(w, "-") == "" })
	if len(words) == 0 {
		return 0
	}
	sentences := strings.Count(text, ".") + strings.Count(text, "!") + strings.Count(text, "?") + strings.Count(text, ":")
	if sentences == 0 {
		sentences = 1
	}
	long := 0
	for _, w := range words {
		if len([]rune(w)) > 6 {
			long++
		}
	}
	n := float64(len(words))
	return math.Round((n/float64(sentences)+float64(long)*100/n)*10) / 10
}

// Lint checks a definition like Check and, for forms that citizens answer,
// the plain language of every question: LIX per question and on average in
// Danish (and the other Scandinavian languages), and length in any language.
func (f *Form) Lint() []DefinitionProblem {
	problems := f.Check()
	for _, lang := range f.Languages {
		for i, it := range f.Items {
			if words := len(strings.Fields(it.Text[lang])); words > MaxWords {
				problems = append(problems, DefinitionProblem{Path: fmt.Sprintf("items[%d].text.%s", i, lang),
					Code: DefTooManyWords, Params: map[string]any{"Words": words}})
			}
		}
		if f.Kind == KindPartner || !slices.Contains(lixLanguages, lang) || len(f.Items) == 0 {
			continue
		}
		var sum float64
		for i, it := range f.Items {
			lix := LIX(it.Text[lang])
			sum += lix
			if lix > MaxQuestionLIX {
				problems = append(problems, DefinitionProblem{Path: fmt.Sprintf("items[%d].text.%s", i, lang),
					Code: DefReadability, Params: map[string]any{"LIX": lix, "Max": MaxQuestionLIX}})
			}
		}
		if mean := math.Round(sum/float64(len(f.Items))*10) / 10; mean > MaxMeanLIX {
			problems = append(problems, DefinitionProblem{Path: "items.text." + lang,
				Code: DefReadability, Params: map[string]any{"LIX": mean, "Max": MaxMeanLIX}})
		}
	}
	return problems
}
