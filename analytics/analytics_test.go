package analytics

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"testing"
)

// Hand-computed: values 2, 4, 4, 4, 5, 5, 7, 9 have mean 5, sample
// variance 32/7, sd 2.138090; t(0.975, 7) = 2.364624, so the half-width is
// 2.364624 × 2.138090 / √8 = 1.787489.
func TestEstimate95(t *testing.T) {
	got, ok := Estimate95([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	want := Estimate{N: 8, Mean: 5, SD: 2.13809, CI: [2]float64{3.212511, 6.787489}}
	if !ok || !near(got, want) {
		t.Errorf("Estimate95 = %+v, want %+v", got, want)
	}
	if _, ok := Estimate95([]float64{3}); ok {
		t.Error("one value gave an estimate")
	}
}

// Hand-computed: from n=10 mean 3.0 sd 1.0 to n=12 mean 3.6 sd 1.2.
// Pooled sd √((9×1 + 11×1.44)/20) = √1.242 = 1.114451; d = 0.538380;
// J = 1 - 3/(4×22-9) = 0.962025; g = 0.517937. Welch: se = √(0.1+0.12) =
// 0.469042, df = 0.0484/(0.001111+0.001309) = 19.999, t = 2.085963,
// half-width 0.978415.
func TestCompare(t *testing.T) {
	got := Compare(Estimate{N: 10, Mean: 3, SD: 1}, Estimate{N: 12, Mean: 3.6, SD: 1.2})
	if math.Abs(got.Difference-0.6) > 1e-6 || math.Abs(got.HedgesG-0.517937) > 2e-6 ||
		math.Abs(got.CI[0]-(0.6-0.978415)) > 1e-4 || math.Abs(got.CI[1]-(0.6+0.978415)) > 1e-4 {
		t.Errorf("Compare = %+v, want difference 0.6, g 0.517937, CI 0.6 ± 0.978415", got)
	}
}

// Compare works on exact means and the change is rounded once, when
// encoded. Hand-computed: from 10.0000006 ± 1 to 10.6410264 ± 1, n 2 each:
// the difference is 0.6410258, which rounds to 0.641026, while the rounded
// means 10.641026 - 10.000001 would give 0.641025. Both sd √2, so se² = 2,
// Welch df = 4/(1+1) = 2, t(0.975, 2) = 0.95/√(2×0.975×0.025) = 4.302653,
// half-width 4.302653 × √2 = 6.084870, CI -5.443844 to 6.725896; pooled sd
// √2, J = 1 - 3/7, g = 0.6410258/√2 × 4/7 = 0.259014.
func TestCompareRoundsOnce(t *testing.T) {
	estimate := func(e Estimate, ok bool) Estimate {
		if !ok {
			t.Fatal("no estimate")
		}
		return e
	}
	sq := func(x float64) float64 { return x * x }
	const want = `{"difference":0.641026,"ci":[-5.443844,6.725896],"hedges_g":0.259014}`
	tests := []struct {
		name     string
		from, to Estimate
	}{
		{"from values", estimate(Estimate95([]float64{9.0000006, 11.0000006})), estimate(Estimate95([]float64{9.6410264, 11.6410264}))},
		{"from sums", estimate(FromSums(2, 20.0000012, sq(9.0000006)+sq(11.0000006))), estimate(FromSums(2, 21.2820528, sq(9.6410264)+sq(11.6410264)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if math.Abs(tt.from.Mean-10.0000006) > 1e-12 || math.Abs(tt.to.Mean-10.6410264) > 1e-12 {
				t.Errorf("means %v and %v, want 10.0000006 and 10.6410264 unrounded", tt.from.Mean, tt.to.Mean)
			}
			ch := Compare(tt.from, tt.to)
			if math.Abs(ch.Difference-0.6410258) > 1e-12 {
				t.Errorf("difference %v, want 0.6410258 unrounded", ch.Difference)
			}
			if got, err := json.Marshal(ch); err != nil || string(got) != want {
				t.Errorf("encoded %s (%v), want %s", got, err, want)
			}
		})
	}
}

// Round6 rounds halves away from zero on both sides of it. The halves
// chosen are exact halves once multiplied by 1e6 in float64.
func TestRound6(t *testing.T) {
	tests := []struct{ x, want float64 }{
		{1.2345675, 1.234568},
		{-1.2345675, -1.234568},
		{-1.23456749, -1.234567},
		{-1.23456751, -1.234568},
		{0.0000005, 0.000001},
		{-0.0000005, -0.000001},
		{-0.0000025, -0.000003},
		{-0.0000004, 0},
		{0.6410258, 0.641026},
		{math.NaN(), 0},
		{math.Inf(1), 0},
		{math.Inf(-1), 0},
	}
	for _, tt := range tests {
		if got := Round6(tt.x); got != tt.want || math.Signbit(got) != math.Signbit(tt.want) {
			t.Errorf("Round6(%v) = %v, want %v", tt.x, got, tt.want)
		}
	}
}

// Estimates and changes encode every figure, zeros included, rounded to 6
// decimals, with the field names clients read.
func TestEncodedFigures(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"zero mean and sd", Estimate{N: 5, Mean: 0, SD: 0, CI: [2]float64{0, 0}},
			`{"n":5,"mean":0,"sd":0,"ci":[0,0]}`},
		{"rounded", Estimate{N: 8, Mean: 5, SD: 2.1380899352993947, CI: [2]float64{3.2125106, -1.2345675}},
			`{"n":8,"mean":5,"sd":2.13809,"ci":[3.212511,-1.234568]}`},
		{"through a pointer", &Estimate{N: 2, Mean: 1.0000004, SD: 0.0000005, CI: [2]float64{-0.0000004, math.NaN()}},
			`{"n":2,"mean":1,"sd":0.000001,"ci":[0,0]}`},
		{"zero change", Change{}, `{"difference":0,"ci":[0,0],"hedges_g":0}`},
		{"rounded change", &Change{Difference: -0.6410258, CI: [2]float64{-1.2345675, 0.0000004}, HedgesG: -0.2590135},
			`{"difference":-0.641026,"ci":[-1.234568,0],"hedges_g":-0.259014}`},
	}
	for _, tt := range tests {
		if got, err := json.Marshal(tt.v); err != nil || string(got) != tt.want {
			t.Errorf("%s: encoded %s (%v), want %s", tt.name, got, err, tt.want)
		}
	}
}

func TestSuppress(t *testing.T) {
	tests := []struct {
		sizes []int
		want  []bool
	}{
		{[]int{12, 9, 7}, []bool{false, false, false}},
		// One small group: the next smallest goes too, or total minus the
		// others would give it away.
		{[]int{12, 3, 7}, []bool{false, true, true}},
		{[]int{12, 3, 2, 7}, []bool{false, true, true, false}},
		// Two small groups of 3 together: total minus the others gives
		// the pair, so more goes until the hidden add up to min.
		{[]int{12, 1, 2, 7}, []bool{false, true, true, true}},
		{[]int{12, 0, 7}, []bool{false, false, false}},
		{[]int{4, 20}, []bool{true, true}},
	}
	for _, tt := range tests {
		if got := Suppress(tt.sizes, 5); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Suppress(%v) = %v, want %v", tt.sizes, got, tt.want)
		}
	}
}

func TestBand(t *testing.T) {
	for mean, want := range map[float64]string{4.5: "strength", 4: "strength", 3.99: "borderline", 3: "borderline", 2.99: "concern"} {
		if got := Band(mean); got != want {
			t.Errorf("Band(%v) = %s, want %s", mean, got, want)
		}
	}
}

// Krackhardt's kite (Krackhardt 1990, "Assessing the political landscape",
// Administrative Science Quarterly 35(2)), every tie reported both ways.
// Betweenness as NetworkX's betweenness_centrality publishes it for
// krackhardt_kite_graph; the rest hand-computed: 18 undirected ties of 45
// possible (density 0.4), degrees 4 4 3 6 3 5 5 3 2 1 so Freeman
// centralization 24/72, and with nodes 0-4 in one sector 6 of 18 ties cross
// sectors: E-I = (6-12)/18.
func TestKiteNetwork(t *testing.T) {
	adj := map[int][]int{0: {1, 2, 3, 5}, 1: {3, 4, 6}, 2: {3, 5}, 3: {4, 5, 6}, 4: {6}, 5: {6, 7}, 6: {7}, 7: {8}, 8: {9}}
	var nodes []Node
	for i := range 10 {
		sector := "public"
		if i >= 5 {
			sector = "civil"
		}
		nodes = append(nodes, Node{ID: fmt.Sprint(i), Sector: sector})
	}
	var ties []Tie
	for from, tos := range adj {
		for _, to := range tos {
			ties = append(ties, Tie{From: fmt.Sprint(from), To: fmt.Sprint(to)}, Tie{From: fmt.Sprint(to), To: fmt.Sprint(from)})
		}
	}
	m, brokers := Analyze(nodes, ties)
	want := Metrics{Nodes: 10, Ties: 36, Density: 0.4, Reciprocity: 1, DegreeCentralization: 0.333333,
		EIIndex: -0.333333, Isolates: []string{}, Components: 1}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("metrics = %+v\nwant      %+v", m, want)
	}
	wantBetweenness := map[string]float64{"7": 0.388889, "5": 0.231481, "6": 0.231481, "8": 0.222222, "3": 0.101852, "0": 0.023148, "1": 0.023148}
	got := map[string]float64{}
	for _, b := range brokers {
		got[b.Partner] = b.Betweenness
	}
	if !reflect.DeepEqual(got, wantBetweenness) {
		t.Errorf("betweenness = %v\nwant          %v", got, wantBetweenness)
	}
	if brokers[0].Partner != "7" {
		t.Errorf("top broker = %s, want 7 (Heather)", brokers[0].Partner)
	}
}

func TestReciprocityIsolatesAndComponents(t *testing.T) {
	nodes := []Node{{ID: "a", Sector: "public"}, {ID: "b", Sector: "civil"}, {ID: "c", Sector: "civil"}, {ID: "d", Sector: "private"}}
	ties := []Tie{{From: "a", To: "b"}, {From: "b", To: "a"}, {From: "a", To: "c"}, {From: "a", To: "c"}, {From: "c", To: "c"}, {From: "a", To: "zz"}}
	m, _ := Analyze(nodes, ties)
	// 3 distinct ties of 12 possible; a→b and b→a are reciprocated, a→c not.
	if m.Ties != 3 || m.Density != 0.25 || m.Reciprocity != 0.666667 || m.Components != 2 || !reflect.DeepEqual(m.Isolates, []string{"d"}) {
		t.Errorf("metrics = %+v", m)
	}
}

func near(a, b Estimate) bool {
	return a.N == b.N && math.Abs(a.Mean-b.Mean) < 1e-6 && math.Abs(a.SD-b.SD) < 1e-5 &&
		math.Abs(a.CI[0]-b.CI[0]) < 1e-5 && math.Abs(a.CI[1]-b.CI[1]) < 1e-5
}

// The same sample as TestEstimate95, from its sums: n 8, sum 40, sum of
// squares 232.
func TestFromSumsAgreesWithTheValues(t *testing.T) {
	values := []float64{2, 4, 4, 4, 5, 5, 7, 9}
	want, _ := Estimate95(values)
	got, ok := FromSums(8, 40, 232)
	if !ok || !near(got, want) {
		t.Errorf("FromSums = %+v, want %+v", got, want)
	}
}

func TestMagnitude(t *testing.T) {
	for g, want := range map[float64]string{0: "negligible", -0.19: "negligible", 0.2: "small", -0.49: "small", 0.5: "medium", 0.79: "medium", -0.8: "large", 2: "large"} {
		if got := Magnitude(g); got != want {
			t.Errorf("Magnitude(%v) = %q, want %q", g, got, want)
		}
	}
}

// The paired change of five people, computed by hand: differences
// 1, 2, 0, 1, 1; mean 1; standard deviation sqrt(0.5); t(0.975, 4) =
// 2.776445; half-width 2.776445 × sqrt(0.5)/sqrt(5) = 2.776445 × 0.316228
// = 0.877989; d_z = 1/sqrt(0.5) = 1.414214.
func TestComparePaired(t *testing.T) {
	p, ok := ComparePaired([]float64{2, 3, 4, 5, 3}, []float64{3, 5, 4, 6, 4})
	if !ok {
		t.Fatal("no paired change for five pairs")
	}
	want := Paired{N: 5, Difference: 1, CI: [2]float64{0.122011, 1.877989}, DZ: 1.414214}
	got := Paired{N: p.N, Difference: Round6(p.Difference), CI: round6Pair(p.CI), DZ: Round6(p.DZ)}
	if got != want {
		t.Errorf("ComparePaired = %+v, want %+v", got, want)
	}
	if _, ok := ComparePaired([]float64{1}, []float64{2}); ok {
		t.Error("a paired change from one pair")
	}
	if _, ok := ComparePaired([]float64{1, 2}, []float64{2}); ok {
		t.Error("a paired change from lists of different lengths")
	}
	same, _ := ComparePaired([]float64{1, 2, 3}, []float64{2, 3, 4})
	if same.DZ != 0 || same.Difference != 1 || Round6(same.CI[0]) != 1 || Round6(same.CI[1]) != 1 {
		t.Errorf("everyone up by exactly 1: %+v, want difference 1, interval 1-1 and d_z 0", same)
	}
}
