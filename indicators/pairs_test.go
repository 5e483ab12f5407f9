package indicators

import (
	"fmt"
	"reflect"
	"testing"

	"samspil/analytics"
)

// A map draws each pair once, as often as the more frequent of its two
// answers says; at least monthly leaves out the rarer ties, and trusted
// keeps only pairs that named each other and both rated trust 4 or 5.
func TestPairs(t *testing.T) {
	four, two := 4, 2
	trusted := Network{Edges: []analytics.Tie{
		{From: "a", To: "b", Frequency: "weekly", Trust: &four},
		{From: "b", To: "a", Frequency: "monthly", Trust: &four},
		{From: "a", To: "c", Frequency: "weekly", Trust: &four},
	}}
	if got := trusted.Pairs(TrustedTie); !reflect.DeepEqual(got, []Pair{{"a", "b", true, 3}}) {
		t.Errorf("trusted = %v, want only the pair that trust each other (a tie one named would show its rating)", got)
	}
	n := Network{Edges: []analytics.Tie{
		{From: "b", To: "a", Frequency: "weekly", Trust: &four},
		{From: "a", To: "b", Frequency: "once_or_twice", Trust: &two},
		{From: "a", To: "c", Frequency: "monthly"},
		{From: "c", To: "c", Frequency: "weekly", Trust: &four},
	}}
	tests := []struct {
		kind string
		want []Pair
	}{
		{AnyTie, []Pair{{"a", "b", true, 3}, {"a", "c", false, 2}}},
		{MonthlyTie, []Pair{{"a", "b", false, 3}, {"a", "c", false, 2}}},
		{TrustedTie, []Pair{}},
		{"nonsense", []Pair{{"a", "b", true, 3}, {"a", "c", false, 2}}},
	}
	for _, tt := range tests {
		if got := n.Pairs(tt.kind); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Pairs(%q) = %v, want %v", tt.kind, got, tt.want)
		}
	}
}

// Only partners that many paths run through are said to hold the network
// together, and never more than eight.
func TestKeyBrokers(t *testing.T) {
	var n Network
	for i := range 12 {
		n.Brokers = append(n.Brokers, analytics.Broker{Partner: fmt.Sprint(i), Betweenness: 0.5 - 0.04*float64(i)})
	}
	got := n.KeyBrokers()
	if len(got) != 8 || got[0].Partner != "0" {
		t.Errorf("KeyBrokers = %v, want the 8 highest", got)
	}
	n.Brokers = []analytics.Broker{{Partner: "x", Betweenness: 0.2}, {Partner: "y", Betweenness: 0.01}}
	if got := n.KeyBrokers(); len(got) != 1 || got[0].Partner != "x" {
		t.Errorf("KeyBrokers = %v, want only x (y carries 1%% of the paths)", got)
	}
}
