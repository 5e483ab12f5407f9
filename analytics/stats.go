// Package analytics turns scored responses into indicators: means with
// confidence intervals, change between waves, and the partnership network.
// It works on plain values and knows nothing about HTTP or storage, so its
// maths is tested against exact, hand-computed figures.
package analytics

import (
	"encoding/json"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Estimate describes a sample of scores. Its figures are exact, so that
// what is computed from them, such as a change, is rounded only once: when
// encoded, to 6 decimals.
type Estimate struct {
	N    int        `json:"n"`
	Mean float64    `json:"mean"`
	SD   float64    `json:"sd"`
	CI   [2]float64 `json:"ci"`
}

// MarshalJSON encodes the estimate with its figures rounded by Round6.
func (e Estimate) MarshalJSON() ([]byte, error) {
	type plain Estimate // without this method
	return json.Marshal(plain{N: e.N, Mean: Round6(e.Mean), SD: Round6(e.SD), CI: round6Pair(e.CI)})
}

// Estimate95 gives the mean, the sample standard deviation and the 95%
// confidence interval of the mean (Student's t), for at least two values.
func Estimate95(values []float64) (Estimate, bool) {
	n := len(values)
	if n < 2 {
		return Estimate{}, false
	}
	mean, sd := stat.MeanStdDev(values, nil)
	half := tQuantile(n-1) * sd / math.Sqrt(float64(n))
	return Estimate{N: n, Mean: mean, SD: sd, CI: [2]float64{mean - half, mean + half}}, true
}

func tQuantile(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// Change compares a later sample with an earlier one. Like Estimate, it
// holds exact figures and rounds them when encoded.
type Change struct {
	Difference float64    `json:"difference"`
	CI         [2]float64 `json:"ci"`
	HedgesG    float64    `json:"hedges_g"`
}

// MarshalJSON encodes the change with its figures rounded by Round6.
func (c Change) MarshalJSON() ([]byte, error) {
	type plain Change // without this method
	return json.Marshal(plain{Difference: Round6(c.Difference), CI: round6Pair(c.CI), HedgesG: Round6(c.HedgesG)})
}

// Compare gives the difference of means (to minus from) with a Welch 95%
// confidence interval, and Hedges' g, the standardized difference with its
// small-sample correction J = 1 - 3/(4(n1+n2)-9).
func Compare(from, to Estimate) Change {
	n1, n2 := float64(from.N), float64(to.N)
	v1, v2 := from.SD*from.SD, to.SD*to.SD
	diff := to.Mean - from.Mean
	se2 := v1/n1 + v2/n2
	df := se2 * se2 / ((v1/n1)*(v1/n1)/(n1-1) + (v2/n2)*(v2/n2)/(n2-1))
	half := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.975) * math.Sqrt(se2)
	pooled := math.Sqrt(((n1-1)*v1 + (n2-1)*v2) / (n1 + n2 - 2))
	var g float64
	if pooled > 0 {
		g = diff / pooled * (1 - 3/(4*(n1+n2)-9))
	}
	return Change{Difference: diff, CI: [2]float64{diff - half, diff + half}, HedgesG: g}
}

// Round6 rounds a figure for publication: to 6 decimals, halves away from
// zero, with no -0; NaN and infinities, which no sample should give, become
// 0. Round only what is published, never what is computed further.
func Round6(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	r := math.Round(x*1e6) / 1e6
	if r == 0 {
		return 0 // not -0, which JSON would show
	}
	return r
}

func round6Pair(p [2]float64) [2]float64 { return [2]float64{Round6(p[0]), Round6(p[1])} }

// round is Round6 for the network metrics, which are published as computed.
func round(x float64) float64 { return Round6(x) }

// FromSums gives the same estimate as Estimate95 from running sums: the
// count, the sum and the sum of squares of the scores.
func FromSums(n int, sum, sumSq float64) (Estimate, bool) {
	if n < 2 {
		return Estimate{}, false
	}
	fn := float64(n)
	mean := sum / fn
	variance := math.Max(0, (sumSq-fn*mean*mean)/(fn-1))
	sd := math.Sqrt(variance)
	half := tQuantile(n-1) * sd / math.Sqrt(fn)
	return Estimate{N: n, Mean: mean, SD: sd, CI: [2]float64{mean - half, mean + half}}, true
}

// Magnitude names the size of a standardized change by Cohen's
// conventions: "negligible" under 0.2, "small" under 0.5, "medium" under
// 0.8, else "large", whichever its sign.
func Magnitude(g float64) string {
	switch g = math.Abs(g); {
	case g < 0.2:
		return "negligible"
	case g < 0.5:
		return "small"
	case g < 0.8:
		return "medium"
	}
	return "large"
}

// Paired is the change of the same people between two measurements: how
// many pairs, the mean of their differences (later minus earlier) with a
// paired 95% confidence interval, and d_z, the mean difference over the
// differences' standard deviation. Following the same people says more
// than comparing two groups, which may hold different people.
type Paired struct {
	N          int        `json:"n"`
	Difference float64    `json:"difference"`
	CI         [2]float64 `json:"ci"`
	DZ         float64    `json:"d_z"`
}

// MarshalJSON encodes the change with its figures rounded by Round6.
func (p Paired) MarshalJSON() ([]byte, error) {
	type plain Paired // without this method
	return json.Marshal(plain{N: p.N, Difference: Round6(p.Difference), CI: round6Pair(p.CI), DZ: Round6(p.DZ)})
}

// ComparePaired gives the paired change from each person's earlier and
// later score, in the same order, for at least two pairs.
func ComparePaired(before, after []float64) (Paired, bool) {
	if len(before) != len(after) {
		return Paired{}, false
	}
	var sum, sumSq float64
	for i := range before {
		d := after[i] - before[i]
		sum, sumSq = sum+d, sumSq+d*d
	}
	return PairedFromSums(len(before), sum, sumSq)
}

// PairedFromSums gives the paired change from running sums of the
// differences: how many, their sum and the sum of their squares. With no
// spread at all d_z is 0: it has no scale to be measured on.
func PairedFromSums(n int, sum, sumSq float64) (Paired, bool) {
	e, ok := FromSums(n, sum, sumSq)
	if !ok {
		return Paired{}, false
	}
	p := Paired{N: n, Difference: e.Mean, CI: e.CI}
	if e.SD > 0 {
		p.DZ = e.Mean / e.SD
	}
	return p, true
}
