package analytics

// Suppress decides which groups of a published total to hide: every group
// of fewer than min people (but more than none), and, when that hides just
// one group, the next smallest too, so that nobody can subtract the
// published groups from the total to recover the hidden one.
func Suppress(sizes []int, min int) []bool {
	hidden := make([]bool, len(sizes))
	count := 0
	for i, n := range sizes {
		if n > 0 && n < min {
			hidden[i] = true
			count++
		}
	}
	if count != 1 {
		return hidden
	}
	next := -1
	for i, n := range sizes {
		if !hidden[i] && n > 0 && (next < 0 || n < sizes[next]) {
			next = i
		}
	}
	if next >= 0 {
		hidden[next] = true
	}
	return hidden
}

// Band names where a 1-5 partnership-health score stands.
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
