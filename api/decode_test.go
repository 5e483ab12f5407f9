package api

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func FuzzDecodeSubmission(f *testing.F) {
	for _, seed := range []string{
		`{"submission_id":"7d0e6a1c-3c1e-4d7e-9b5e-0a1b2c3d4e5f","lang":"da","answers":{"belonging_place":4,"role":"helper"}}`,
		`{"submission_id":"x","answers":{"a":null,"b":3.5,"c":[1,2],"d":{"e":true}}}`,
		`{"submission_id":1}`,
		`{"answers":[]}`,
		`{"extra":1}`,
		`{} {}`,
		`{"submission_id":"\ud800"}`,
		"{\"lang\":\"\xff\"}",
		`[`,
		``,
		`null`,
		`{"answers":{"n":1e400}}`,
		`{"answers":{"a":1},"answers":{"a":2}}`,
		`{"answers":{"a":1,"a":2}}`,
		`{"answers":{"c":[{"p":1,"p":2}]}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sub, err := decodeSubmission(body)
		if err != nil {
			var e *apiError
			if !errors.As(err, &e) || (e.status != 400 && e.status != 422) {
				t.Fatalf("decodeSubmission(%q) = %v, want a 400 or 422 apiError", body, err)
			}
			return
		}
		// What was accepted survives a round trip unchanged, so nothing the
		// client sent was silently altered or dropped on the way in.
		again, err := json.Marshal(sub)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", sub, err)
		}
		back, err := decodeSubmission(again)
		if err != nil {
			t.Fatalf("decode re-encoded %s: %v", again, err)
		}
		if !reflect.DeepEqual(sub, back) {
			t.Fatalf("round trip changed %+v into %+v", sub, back)
		}
	})
}

// A key given twice in one object is refused, at any depth: the decoder
// would keep the last silently. The same key in sibling objects is fine.
func TestDuplicateKeysAreRefused(t *testing.T) {
	const id = `"submission_id":"7d0e6a1c-3c1e-4d7e-9b5e-0a1b2c3d4e5f"`
	tests := []struct {
		body string
		dup  string
	}{
		{`{` + id + `,"answers":{"a":1},"answers":{"a":2}}`, "answers"},
		{`{` + id + `,"answers":{"belonging_place":1,"belonging_place":5}}`, "belonging_place"},
		{`{` + id + `,"answers":{"c":[{"partner":"x","partner":"y"}]}}`, "partner"},
		{`{` + id + `,"lang":"da","lang":"en"}`, "lang"},
		{`{` + id + `,"answers":{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]}}`, ""},
	}
	for _, tt := range tests {
		_, err := decodeSubmission([]byte(tt.body))
		var e *apiError
		switch {
		case tt.dup == "" && err != nil:
			t.Errorf("%s: %v, want accepted", tt.body, err)
		case tt.dup != "" && (!errors.As(err, &e) || e.status != 400 || e.code != "duplicate_key" || e.data["Key"] != tt.dup):
			t.Errorf("%s: %v, want 400 duplicate_key naming %q", tt.body, err, tt.dup)
		}
	}
}
