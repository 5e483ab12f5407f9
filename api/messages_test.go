package api

import (
	"testing"

	"samspil/forms"
	"samspil/i18n"
)

// Every code the form engine can report must reach a person as a sentence
// in every interface language, never as a bare code.
func TestEveryProblemCodeHasAMessage(t *testing.T) {
	m, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, code := range []string{forms.CodeUnknownItem, forms.CodeHiddenItem, forms.CodeRequired, forms.CodeOutOfRange,
		forms.CodeTooPrecise, forms.CodeUnknownOption, forms.CodeDuplicate, forms.CodeTooMany, forms.CodeTooLong,
		forms.CodeInvalidUTF8, forms.CodeUnknownPartner} {
		ids = append(ids, answerProblem(forms.Problem{Code: code}).msgID)
	}
	for _, expected := range []string{"integer", "number", "yesno", "option", "options", "text", "partners", "partner"} {
		ids = append(ids, answerProblem(forms.Problem{Code: forms.CodeWrongType, Params: map[string]any{"Expected": expected}}).msgID)
	}
	for _, code := range []string{forms.DefMalformed, forms.DefUnknownField, forms.DefInvalidID, forms.DefDuplicateID,
		forms.DefInvalidValue, forms.DefMissingTranslation, forms.DefMissingField, forms.DefUnknownType, forms.DefInvalidRange,
		forms.DefNotForType, forms.DefUnknownReference, forms.DefForwardReference, forms.DefInvalidCondition,
		forms.DefNotScorable, forms.DefMixedRanges, forms.DefReadability, forms.DefTooManyWords} {
		ids = append(ids, "def_"+code)
	}
	for _, lang := range m.Languages() {
		for _, id := range ids {
			if got := m.Text(lang, id, nil); got == id {
				t.Errorf("%s: no message for %s", lang, id)
			}
		}
	}
	if len(m.Languages()) != 6 {
		t.Errorf("interface languages = %v, want six", m.Languages())
	}
}
