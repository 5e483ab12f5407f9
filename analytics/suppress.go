package analytics

// Suppress decides which groups of a published total to hide: every group
// of fewer than min people (but more than none), and then the smallest of
// the others until what is hidden is more than one group and at least min
// people together, so that nobody can subtract the published groups from
// the total to recover a hidden one, or the hidden ones together.
func Suppress(sizes []int, min int) []bool {
	hidden := make([]bool, len(sizes))
	count, sum := 0, 0
	for i, n := range sizes {
		if n > 0 && n < min {
			hidden[i] = true
			count++
			sum += n
		}
	}
	for count > 0 && (count == 1 || sum < min) {
		next := -1
		for i, n := range sizes {
			if !hidden[i] && n > 0 && (next < 0 || n < sizes[next]) {
				next = i
			}
		}
		if next < 0 {
			break
		}
		hidden[next] = true
		count++
		sum += sizes[next]
	}
	return hidden
}

// Band names where a 1-5 partnership-health score stands: strength at 4
// or more, borderline from 3 to below 4, concern below 3.
func Band(mean float64) string {
	switch {
	case mean >= 4:
		return "strength"
	case mean >= 3:
		return "borderline"
	default:
		return "concern"
	}
}
