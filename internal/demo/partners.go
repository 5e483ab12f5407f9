package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"samspil/partnership"
)

// org is one demo partner, with what shapes its answers.
type org struct {
	// slug makes its id, pt_demo_<slug>: a partner's id is also the key
	// its roster answers name it by, so it has only [a-z0-9_].
	slug   string
	name   string
	sector partnership.Sector
	// pull is how readily others name it as a partner they work with: the
	// hubs high, the shops low, a few nobody names at all.
	pull float64
	// names is how many partners it names, at least and at most.
	names [2]int
	// answers says whether it answers the first and the second round.
	answers [2]bool
}

func (o org) id() string { return "pt_demo_" + o.slug }

// orgs are the 34 partners: 10 public, 12 civil, 5 private, 5 citizen
// groups and 2 backbone organisations. The names are made up in the
// style of a Danish city district; the addresses are @example.dk.
var orgs = []org{
	{"frivilligcenter", "Frivilligcenter Aarhus Nordvest", partnership.Backbone, 12, [2]int{6, 8}, [2]bool{true, true}},
	{"helhedsplan", "Boligsocial Helhedsplan Nordvest", partnership.Backbone, 6, [2]int{5, 8}, [2]bool{true, true}},

	{"socialforvaltningen", "Socialforvaltningen, Aarhus Kommune, Nordvest", partnership.Public, 9, [2]int{5, 8}, [2]bool{true, true}},
	{"bibliotek", "Bibliotek Nordvest", partnership.Public, 10, [2]int{5, 8}, [2]bool{true, true}},
	{"jobcenter", "Jobcenter Aarhus, Afdeling Nordvest", partnership.Public, 3, [2]int{3, 5}, [2]bool{false, true}},
	{"lokalcenter", "Lokalcenter Nordvest", partnership.Public, 2.5, [2]int{3, 6}, [2]bool{true, true}},
	{"ungdomsskolen", "Ungdomsskolen Nordvest", partnership.Public, 2, [2]int{3, 5}, [2]bool{true, true}},
	{"nordvestskolen", "Nordvestskolen", partnership.Public, 2.5, [2]int{3, 6}, [2]bool{true, true}},
	{"ssp", "SSP Aarhus Nordvest", partnership.Public, 2, [2]int{3, 5}, [2]bool{true, true}},
	{"socialpsykiatri", "Center for Socialpsykiatri Nordvest", partnership.Public, 1.5, [2]int{3, 5}, [2]bool{true, true}},
	{"sundhedsplejen", "Sundhedsplejen Nordvest", partnership.Public, 1.5, [2]int{3, 4}, [2]bool{false, false}},
	{"familiecenter", "Familiecenter Nordvest", partnership.Public, 2, [2]int{3, 5}, [2]bool{true, true}},

	{"roede_kors", "Røde Kors Aarhus Nordvest", partnership.Civil, 3, [2]int{4, 7}, [2]bool{true, true}},
	{"flygtningehjaelp", "Dansk Flygtningehjælp Frivillig, Aarhus", partnership.Civil, 2.5, [2]int{3, 6}, [2]bool{true, true}},
	{"red_barnet", "Red Barnet Aarhus", partnership.Civil, 2, [2]int{3, 5}, [2]bool{true, true}},
	{"kirkens_korshaer", "Kirkens Korshær Aarhus", partnership.Civil, 1.5, [2]int{3, 5}, [2]bool{true, true}},
	{"if_nordvest", "IF Nordvest", partnership.Civil, 2, [2]int{3, 5}, [2]bool{true, true}},
	{"aeldre_sagen", "Ældre Sagen Aarhus Nordvest", partnership.Civil, 2, [2]int{3, 6}, [2]bool{true, true}},
	{"moedrehjaelpen", "Mødrehjælpen Aarhus", partnership.Civil, 1.5, [2]int{3, 5}, [2]bool{true, true}},
	{"kvindenetvaerk", "Kvindernes Netværk Nordvest", partnership.Civil, 2, [2]int{3, 6}, [2]bool{true, true}},
	{"lektiehjaelpen", "Lektiehjælpen Nordvest", partnership.Civil, 3, [2]int{4, 7}, [2]bool{true, true}},
	{"fof", "FOF Aarhus Nordvest", partnership.Civil, 1, [2]int{3, 4}, [2]bool{true, true}},
	{"spejderne", "KFUM-Spejderne Nordvest", partnership.Civil, 1, [2]int{3, 4}, [2]bool{true, true}},
	{"natteravnene", "Natteravnene Nordvest", partnership.Civil, 0, [2]int{3, 4}, [2]bool{false, true}},

	{"brugsen", "Nordvest Brugs", partnership.Private, 1, [2]int{3, 3}, [2]bool{true, true}},
	{"bazar", "Nordvest Bazar", partnership.Private, 0.3, [2]int{3, 3}, [2]bool{false, true}},
	{"cafe_solsikken", "Café Solsikken", partnership.Private, 0.3, [2]int{3, 3}, [2]bool{false, false}},
	{"boligselskab", "Boligselskabet Nordvesthjem", partnership.Private, 0.5, [2]int{3, 3}, [2]bool{true, true}},
	{"cykelsmeden", "Cykelsmeden Nordvest", partnership.Private, 0, [2]int{3, 3}, [2]bool{false, false}},

	{"beboerraadet", "Beboerrådet Nordvest", partnership.CitizenGroup, 2, [2]int{3, 6}, [2]bool{true, true}},
	{"ukrainsk", "Ukrainsk Fællesskab Aarhus", partnership.CitizenGroup, 1.5, [2]int{3, 5}, [2]bool{true, true}},
	{"haveforeningen", "Haveforeningen Solbakken", partnership.CitizenGroup, 1, [2]int{3, 4}, [2]bool{true, true}},
	{"strikkeklubben", "Strikkeklubben Nordvest", partnership.CitizenGroup, 0, [2]int{3, 3}, [2]bool{false, false}},
	{"foraeldrenetvaerk", "Forældrenetværket Nordvest", partnership.CitizenGroup, 1, [2]int{3, 4}, [2]bool{false, true}},
}

// activities are the demo's indsatser and the partners (by slug) that run
// each.
var activities = []struct {
	id, name, description string
	partners              []string
}{
	{"ac-demo-madlavning", "Fælles madlavning",
		"Vi laver mad sammen i beboerhusets køkken og spiser bagefter. Tirsdag og torsdag kl. 17.",
		[]string{"frivilligcenter", "helhedsplan", "beboerraadet", "brugsen", "roede_kors", "kvindenetvaerk"}},
	{"ac-demo-lektiecafe", "Lektiecafé",
		"Hjælp til lektier og en snak for børn, unge og voksne på biblioteket. Mandag og onsdag kl. 15.",
		[]string{"bibliotek", "lektiehjaelpen", "red_barnet", "nordvestskolen", "ungdomsskolen", "flygtningehjaelp"}},
	{"ac-demo-gaaklub", "Gåklub",
		"En gåtur på en times tid i Hasle Bakker og en kop kaffe bagefter. Fredag kl. 10.",
		[]string{"lokalcenter", "aeldre_sagen", "socialpsykiatri", "frivilligcenter", "haveforeningen"}},
}

// createPartners stores the partners, all joined when the partnership
// was made or in its first weeks.
func (s *seeder) createPartners(ctx context.Context, created time.Time) ([]partnership.Partner, error) {
	ps := make([]partnership.Partner, 0, len(orgs))
	for i, o := range orgs {
		pt := partnership.Partner{ID: o.id(), Partnership: PartnershipID, Name: o.name, Sector: o.sector,
			Email: mailbox(o.slug) + "@example.dk", Active: true,
			JoinedAt: created.AddDate(0, 0, i%4*7).UTC()}
		if problems := pt.Check(); len(problems) > 0 {
			return nil, fmt.Errorf("partner %s: %s", pt.ID, describe(problems))
		}
		ps = append(ps, pt)
	}
	if err := s.store.CreatePartners(ctx, ps); err != nil {
		return nil, fmt.Errorf("create partners: %w", err)
	}
	return ps, nil
}

// mailbox turns a slug into the local part of an address, as people
// write them: with hyphens.
func mailbox(slug string) string { return strings.ReplaceAll(slug, "_", "-") }

// createActivities stores the activities with the partners that run them.
func (s *seeder) createActivities(ctx context.Context, partners []partnership.Partner) error {
	for _, a := range activities {
		act := partnership.Activity{ID: a.id, Partnership: PartnershipID, Name: a.name, Description: a.description, Active: true}
		for _, slug := range a.partners {
			act.Partners = append(act.Partners, org{slug: slug}.id())
		}
		if ps := act.Check(partners); len(ps) > 0 {
			return fmt.Errorf("activity %s: %s", act.ID, describe(ps))
		}
		if err := s.store.CreateActivity(ctx, act); err != nil {
			return fmt.Errorf("create activity %s: %w", act.ID, err)
		}
	}
	return nil
}
