package fuzzy

import "testing"

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"kitten", "sitting", 3},
		{"outputPort", "outputPorts", 1}, {"pth", "path", 1}, {"same", "same", 0},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestClosest(t *testing.T) {
	ids := []string{"customers.customer_profiles", "orders.order_events", "orders.orders"}
	for _, tc := range []struct {
		word string
		max  int
		want string
	}{
		{"customers.customer_profile", 4, "customers.customer_profiles"},
		{"orders.order", 4, "orders.orders"},
		{"finance.ledger", 4, ""},
		{"orders.orders", 4, ""}, // itself is no suggestion
	} {
		if got := Closest(tc.word, ids, tc.max); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}
