package demo

import (
	"context"
	"fmt"
	"time"

	"samspil/theory"
)

// theory gives the demo partnership a program theory in two versions: the
// template it started from, and the one it revised after the first
// partner round, with targets and what it learned.
func (s *seeder) theory(ctx context.Context) error {
	first := theory.Template("da")
	first.Partnership, first.Version, first.Author = PartnershipID, 1, "demo"
	first.SavedAt, first.Note = s.daysAgo(170).Add(11*time.Hour).UTC(), "Startet fra skabelonen"
	second := first
	second.Version, second.SavedAt = 2, s.daysAgo(60).Add(14*time.Hour).UTC()
	second.Note = "Efter første runde: borgerne kommer igen, når de kender nogen. Vi sætter mål og tilføjer frivillige som tovholdere."
	second.Elements = nil
	for _, e := range first.Elements {
		switch e.ID {
		case "partners":
			e.Text = "Kommune, foreninger, butikker og beboere i Aarhus Nordvest"
		case "health":
			m := *e.Measure
			m.Target = &theory.Target{AtLeast: true, Value: 3.5, By: "tredje runde"}
			e.Measure = &m
		case "belonging", "trust":
			m := *e.Measure
			m.Target = &theory.Target{AtLeast: true, Value: 70, By: "udgangen af året"}
			e.Measure = &m
		}
		second.Elements = append(second.Elements, e)
	}
	second.Elements = append(second.Elements, theory.Element{ID: "volunteers", Column: theory.LongTerm, Level: theory.LevelCitizens,
		Text: "Borgere bliver selv frivillige og tovholdere", Questions: []string{"Hvem tager over, når projektet slutter?"},
		Measure: &theory.Measure{Kind: theory.Share, Form: citizenForm, Key: "role=co_creator"}})
	second.Arrows = append(append([]theory.Arrow{}, first.Arrows...),
		theory.Arrow{From: "influence", To: "volunteers", Assumption: "fordi den, der er med til at bestemme, vil give noget igen"})
	for _, t := range []theory.Theory{first, second} {
		if ps := t.Validate(); len(ps) > 0 {
			return fmt.Errorf("demo program theory %d: %s", t.Version, describe(ps))
		}
		if _, err := s.store.SaveTheory(ctx, t); err != nil {
			return fmt.Errorf("save demo program theory %d: %w", t.Version, err)
		}
	}
	return nil
}
