package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"samspil/forms"
	"samspil/theory"
)

// What the program theory's editor offers: the measures a box can show,
// the columns, the partnership's activities, the ends of an arrow.

// citizenForms are the questionnaires whose figures a box can show.
var citizenForms = []string{"citizen_short", "loneliness3", "who5", "activity_checkin"}

// measureKey is a measure's value in the editor's select.
func measureKey(m theory.Measure) string { return string(m.Kind) + "|" + m.Form + "|" + m.Key }

// optionGroup is options under a heading, as a select's optgroup.
type optionGroup struct {
	Label   string
	Options []option
}

// measureGroups lists what a box can measure, named in the page's
// language and grouped so each option says where it comes from: each
// citizen form's indices, the answers to each of its questions, counts of
// answers, the elements of partnership health and the network metrics.
func (s *server) measureGroups(p *page) []optionGroup {
	var groups []optionGroup
	counts := optionGroup{Label: p.T("theory_group_counts")}
	for _, id := range citizenForms {
		f, ok := s.Forms.Form(id, 0)
		if !ok {
			continue
		}
		title, of := f.Title.In(p.Lang, "da"), ""
		if id != citizenForm {
			of = " (" + title + ")"
		}
		indices := optionGroup{Label: p.T("theory_group_indices") + of}
		for _, sc := range f.Scales {
			indices.Options = append(indices.Options, option{measureKey(theory.Measure{Kind: theory.Index, Form: id, Key: sc.ID}), sc.Label.In(p.Lang, "da") + of})
		}
		if len(indices.Options) > 0 {
			groups = append(groups, indices)
		}
		for _, it := range f.Items {
			if it.Type != forms.TypeChoice && it.Type != forms.TypeMulti {
				continue
			}
			g := optionGroup{Label: p.T("theory_group_question", "Question", it.Text.In(p.Lang, "da")) + of}
			for _, o := range it.Options {
				g.Options = append(g.Options, option{measureKey(theory.Measure{Kind: theory.Share, Form: id, Key: it.ID + "=" + o.Value}),
					p.T("theory_share_of", "Answer", o.Label.In(p.Lang, "da")) + of})
			}
			groups = append(groups, g)
		}
		answers := p.T("theory_responses")
		if id != citizenForm {
			answers = p.T("theory_responses_to", "Form", title)
		}
		counts.Options = append(counts.Options, option{measureKey(theory.Measure{Kind: theory.Responses, Form: id}), answers})
	}
	groups = append(groups, counts)
	if f, ok := s.Forms.Form("partner_survey", 0); ok {
		health := optionGroup{Label: p.T("theory_group_health")}
		for _, sc := range f.Scales {
			health.Options = append(health.Options, option{measureKey(theory.Measure{Kind: theory.Health, Key: sc.ID}), p.T("theory_health_of", "Element", sc.Label.In(p.Lang, "da"))})
		}
		groups = append(groups, health)
	}
	network := optionGroup{Label: p.T("theory_group_network")}
	for _, k := range theory.NetworkMetrics {
		network.Options = append(network.Options, option{measureKey(theory.Measure{Kind: theory.Network, Key: k}), p.T("theory_network_" + k)})
	}
	return append(groups, network)
}

// measureOptions lists every measure, for naming one.
func (s *server) measureOptions(p *page) []option {
	var out []option
	for _, g := range s.measureGroups(p) {
		out = append(out, g.Options...)
	}
	return out
}

// activityOptions offers the partnership's activities.
func (s *server) activityOptions(c *fiber.Ctx, pid string) ([]option, error) {
	acts, err := s.Store.Activities(c.UserContext(), pid)
	if err != nil {
		return nil, err
	}
	out := make([]option, 0, len(acts))
	for _, a := range acts {
		out = append(out, option{a.ID, a.Name})
	}
	return out, nil
}

func (s *server) columnOptions(p *page) []option {
	out := make([]option, len(theory.Columns))
	for i, c := range theory.Columns {
		out[i] = option{string(c), p.T("theory_column_" + string(c))}
	}
	return out
}

// targetField is a target as the editor shows it.
type targetField struct{ Op, Value, By string }

func targetOf(m *theory.Measure) targetField {
	if m == nil || m.Target == nil {
		return targetField{}
	}
	op := "at_most"
	if m.Target.AtLeast {
		op = "at_least"
	}
	return targetField{Op: op, Value: strconv.FormatFloat(m.Target.Value, 'f', -1, 64), By: m.Target.By}
}

// newElement is the value that names, as the end of the new arrow, the
// element added in the same save.
const newElement = "@new"

// newArrowEnds offers the ends of the new arrow: the elements, and the one
// being added.
func newArrowEnds(t theory.Theory, label string) []option {
	return append(elementOptions(t), option{newElement, label})
}

// elementOptions offers a theory's elements as the ends of an arrow.
func elementOptions(t theory.Theory) []option {
	out := make([]option, len(t.Elements))
	for i, e := range t.Elements {
		out[i] = option{e.ID, e.Text}
	}
	return out
}

// elementText is the text of a theory's element, for the editor's lists.
func elementText(t theory.Theory, id string) string {
	if e, ok := t.Element(id); ok {
		return e.Text
	}
	return id
}

func optionValues(os []option) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.Value
	}
	return out
}
