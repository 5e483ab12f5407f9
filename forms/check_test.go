package forms

import (
	"reflect"
	"testing"
)

// Figures are grouped by quasi-identifiers, so each must be a choice or
// yes/no question outside every index, named once.
func TestCheckQuasiIdentifiers(t *testing.T) {
	tests := []struct {
		name string
		qi   []string
		want []DefinitionProblem
	}{
		{"the built-in ones", []string{"age_band", "role", "duration"}, nil},
		{"unknown item", []string{"shoe_size"},
			[]DefinitionProblem{{Path: "quasi_identifiers[0]", Code: DefUnknownReference, Params: map[string]any{"Value": `"shoe_size"`}}}},
		{"named twice", []string{"role", "role"},
			[]DefinitionProblem{{Path: "quasi_identifiers[1]", Code: DefDuplicateID, Params: map[string]any{"Value": `"role"`}}}},
		{"an index item", []string{"belonging_place"},
			[]DefinitionProblem{{Path: "quasi_identifiers[0]", Code: DefNotForType, Params: map[string]any{"Field": "quasi_identifiers", "Type": "scale"}}}},
		{"named like a place", []string{"activity"},
			[]DefinitionProblem{{Path: "quasi_identifiers[0]", Code: DefInvalidValue, Params: map[string]any{"Value": `"activity"`}}}},
		{"a multiple choice", []string{"barriers"},
			[]DefinitionProblem{{Path: "quasi_identifiers[0]", Code: DefNotForType, Params: map[string]any{"Field": "quasi_identifiers", "Type": "multi"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := *builtinForm(t, "citizen_short", 2)
			f.QuasiIdentifiers = tt.qi
			if got := f.Check(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Check = %v, want %v", got, tt.want)
			}
		})
	}
}
