// Package fuzzy finds the word a user probably meant: meshc suggests the
// closest product id or schema field for a typo.
package fuzzy

// Closest returns the candidate nearest to word by edit distance, if it is
// nearer than max and not word itself; "" otherwise. Ties go to the earlier
// candidate, so sorted candidates give a stable answer.
func Closest(word string, candidates []string, max int) string {
	best, bestD := "", max
	for _, c := range candidates {
		if d := Distance(word, c); d > 0 && d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
