package forms

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Definitions come from administrators over the API and answers from
// anyone; no input, however broken, may crash parsing, linting, validation
// or scoring, and nothing validated may answer a hidden item.
func FuzzParseAndValidate(f *testing.F) {
	var files []string
	for _, pattern := range []string{"testdata/*.json", "testdata/broken/*.json", "builtin/*.json"} {
		matches, _ := filepath.Glob(pattern)
		files = append(files, matches...)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, []byte(`{"mood":"prefer_not","pets":["cat","dog"],"walks":true,"belonging_place":3}`))
	}
	f.Fuzz(func(t *testing.T, definition, answers []byte) {
		form, err := Parse(definition)
		if err != nil {
			return
		}
		form.Lint()
		var raw map[string]any
		dec := json.NewDecoder(bytes.NewReader(answers))
		dec.UseNumber()
		if dec.Decode(&raw) != nil {
			return
		}
		valid, _ := form.Validate(raw, nil)
		for _, it := range form.Items {
			if _, answered := valid[it.ID]; answered && !it.ShowIf.Holds(valid) {
				t.Fatalf("validated answers hold %s, which they hide", it.ID)
			}
		}
		form.Score(valid)
		form.Counts(valid)
	})
}
