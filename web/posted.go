package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"samspil/forms"
)

// rawAnswers turns posted form fields into answers as Validate takes them.
// Empty fields are unanswered; numbers keep their text so that a typo is
// reported rather than guessed at. A partners item posts the picked
// partners under its own name and their sub-answers under
// <name>__<partner>__<sub-item>.
func rawAnswers(items []forms.Item, posted url.Values, prefix string) map[string]any {
	raw := make(map[string]any)
	for _, it := range items {
		name := prefix + it.ID
		values := slices.DeleteFunc(slices.Clone(posted[name]), func(v string) bool { return strings.TrimSpace(v) == "" })
		if len(values) == 0 {
			continue
		}
		if slices.Contains(values, forms.PreferNot) && it.PreferNot && (len(values) == 1 || it.Type != forms.TypeMulti) {
			raw[it.ID] = forms.PreferNot
			continue
		}
		v := strings.TrimSpace(values[0])
		switch it.Type {
		case forms.TypeScale, forms.TypeRating, forms.TypeNumber:
			// Danish, Polish, Ukrainian and Turkish write decimals with a comma.
			n := strings.Replace(v, ",", ".", 1)
			if _, err := strconv.ParseFloat(n, 64); err == nil {
				raw[it.ID] = json.Number(n)
			} else {
				raw[it.ID] = v
			}
		case forms.TypeYesNo:
			switch v {
			case "yes":
				raw[it.ID] = true
			case "no":
				raw[it.ID] = false
			default:
				raw[it.ID] = v
			}
		case forms.TypeMulti:
			picks := make([]any, 0, len(values))
			for _, p := range values {
				picks = append(picks, p)
			}
			raw[it.ID] = picks
		case forms.TypeText:
			raw[it.ID] = values[0]
		case forms.TypePartners:
			entries := make([]any, 0, len(values))
			for _, partner := range values {
				entry := rawAnswers(it.Items, posted, name+"__"+partner+"__")
				entry["partner"] = partner
				entries = append(entries, entry)
			}
			raw[it.ID] = entries
		default:
			raw[it.ID] = v
		}
	}
	return raw
}

// postedValues turns stored answers back into form fields, so that a
// partner who comes back sees the answers given before.
func postedValues(items []forms.Item, answers forms.Answers, prefix string, into url.Values) url.Values {
	if into == nil {
		into = url.Values{}
	}
	for _, it := range items {
		name := prefix + it.ID
		switch v := answers[it.ID].(type) {
		case nil:
		case bool:
			into.Set(name, map[bool]string{true: "yes", false: "no"}[v])
		case []string:
			into[name] = v
		case []map[string]any:
			for _, entry := range v {
				partner, _ := entry["partner"].(string)
				into.Add(name, partner)
				postedValues(it.Items, entry, name+"__"+partner+"__", into)
			}
		case float64:
			into.Set(name, forms.FormatNumber(v))
		default:
			into.Set(name, fmt.Sprint(v))
		}
	}
	return into
}
