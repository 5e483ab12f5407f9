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
