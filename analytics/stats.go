// Package analytics turns scored responses into indicators: means with
// confidence intervals, change between waves, and the partnership network.
// It works on plain values and knows nothing about HTTP or storage, so its
// maths is tested against exact, hand-computed figures.
package analytics

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Estimate describes a sample of scores.
type Estimate struct {
	N    int        `json:"n"`
	Mean float64    `json:"mean"`
	SD   float64    `json:"sd"`
	CI   [2]float64 `json:"ci"`
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
	return Estimate{N: n, Mean: round(mean), SD: round(sd), CI: [2]float64{round(mean - half), round(mean + half)}}, true
}

func tQuantile(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// Change compares a later sample with an earlier one.
type Change struct {
	Difference float64    `json:"difference"`
	CI         [2]float64 `json:"ci"`
	HedgesG    float64    `json:"hedges_g"`
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
	return Change{Difference: round(diff), CI: [2]float64{round(diff - half), round(diff + half)}, HedgesG: round(g)}
}

// round keeps figures readable and stable: 6 decimals.
func round(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return math.Round(x*1e6) / 1e6
}

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
	return Estimate{N: n, Mean: round(mean), SD: round(sd), CI: [2]float64{round(mean - half), round(mean + half)}}, true
}
