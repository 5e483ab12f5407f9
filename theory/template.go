package theory

// Template is a starting theory after the source report's three levels
// (chapter 6.1.1): the partnership and its network, the activities, and
// the citizens' path into communities. A partnership copies it and makes
// it its own. Its texts are Danish, or English for lang "en".
func Template(lang string) Theory {
	t := func(da, en string) string {
		if lang == "en" {
			return en
		}
		return da
	}
	index := func(key string) *Measure { return &Measure{Kind: Index, Form: "citizen_short", Key: key} }
	els := []Element{
		{ID: "partners", Column: Resources, Level: LevelPartnership,
			Text: t("Partnere fra kommune, foreninger, virksomheder og borgergrupper", "Partners from the municipality, associations, businesses and citizen groups")},
		{ID: "backbone", Column: Resources, Level: LevelPartnership,
			Text: t("En tovholder med tid til at samle partnerskabet", "A backbone with time to bring the partnership together")},
		{ID: "meetings", Column: Activities, Level: LevelPartnership,
			Text: t("Faste møder om fælles mål, opgaver og evaluering", "Regular meetings on shared goals, tasks and evaluation")},
		{ID: "activities", Column: Activities, Level: LevelActivities,
			Text: t("Aktiviteter hvor borgere mødes og gør noget sammen", "Activities where citizens meet and do things together")},
		{ID: "health", Column: Outputs, Level: LevelPartnership,
			Text:      t("Partnerne stoler på hinanden og taler godt sammen", "Partners trust each other and communicate well"),
			Questions: []string{t("Hvad får partnerne ud af at være med?", "What do partners gain from taking part?")},
			Measure:   &Measure{Kind: Health, Key: "relations_trust"}},
		{ID: "network", Column: Outputs, Level: LevelPartnership,
			Text:    t("Bånd på tværs af sektorer", "Ties across sectors"),
			Measure: &Measure{Kind: Network, Key: "cross_sector"}},
		{ID: "reach", Column: Outputs, Level: LevelActivities,
			Text:      t("Borgere deltager, også dem der ellers står udenfor", "Citizens take part, also those who usually stay outside"),
			Questions: []string{t("Hvem kommer, og hvem mangler vi?", "Who comes, and whom do we miss?")},
			Measure:   &Measure{Kind: Responses, Form: "citizen_short"}},
		{ID: "belonging", Column: ShortTerm, Level: LevelCitizens,
			Text:    t("Borgere føler, at de hører til", "Citizens feel they belong"),
			Measure: index("belonging")},
		{ID: "trust", Column: ShortTerm, Level: LevelCitizens,
			Text:    t("Borgere har tillid til de andre deltagere", "Citizens trust the other participants"),
			Measure: index("trust")},
		{ID: "influence", Column: LongTerm, Level: LevelCitizens,
			Text:    t("Borgere får indflydelse på fællesskabet", "Citizens gain influence on the community"),
			Measure: index("influence")},
		{ID: "communities", Column: LongTerm, Level: LevelCitizens,
			Text:      t("Flere borgere er en del af fællesskaber, der holder", "More citizens are part of lasting communities"),
			Questions: []string{t("Bliver borgerne ved med at komme?", "Do citizens keep coming?")}},
	}
	arrows := []Arrow{
		{From: "partners", To: "meetings", Assumption: t("fordi partnerne vil noget sammen", "because the partners want something together")},
		{From: "backbone", To: "meetings", Assumption: t("fordi nogen skal holde sammen på det", "because someone has to hold it together")},
		{From: "meetings", To: "health", Assumption: t("fordi tillid vokser af at arbejde sammen", "because trust grows from working together")},
		{From: "meetings", To: "network", Assumption: t("fordi partnerne lærer hinanden at kende", "because partners get to know each other")},
		{From: "partners", To: "activities", Assumption: t("fordi hver partner bidrager med det, den kan", "because each partner brings what it can")},
		{From: "activities", To: "reach", Assumption: t("fordi aktiviteterne er åbne og tæt på borgerne", "because the activities are open and close to citizens")},
		{From: "network", To: "reach", Assumption: t("fordi partnerne sender borgere videre til hinanden", "because partners refer citizens to each other")},
		{From: "reach", To: "belonging", Assumption: t("fordi borgere, der føler sig velkomne, kommer igen", "because citizens who feel welcome come back")},
		{From: "reach", To: "trust", Assumption: t("fordi man får tillid til dem, man ser igen", "because people come to trust those they meet again")},
		{From: "belonging", To: "influence", Assumption: t("fordi den, der hører til, tør sige sin mening", "because those who belong dare to speak up")},
		{From: "trust", To: "communities", Assumption: t("fordi tillid holder fællesskaber sammen", "because trust holds communities together")},
		{From: "influence", To: "communities", Assumption: t("fordi borgere bliver ved, når de er med til at bestemme", "because citizens stay when they have a say")},
	}
	return Theory{Elements: els, Arrows: arrows}
}
