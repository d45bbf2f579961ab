package odcs

import "testing"

func TestNames(t *testing.T) {
	for in, want := range map[string]string{
		"orders": "orders", "AnObject": "an_object", "my quantum": "my_quantum", "Air_Quality": "air_quality",
		"2024 sales": "n_2024_sales", "--x--": "x", "": "n", "orders.v1": "orders_v1", "Ünïcode": "n_code",
	} {
		if got := toName(in); got != want || !namePattern.MatchString(got) {
			t.Errorf("toName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"UniqueID": "UniqueID", "Payout-ID": "Payout_ID", "1st": "_1st", "#def": "_def", "a b": "a_b",
	} {
		if got := toFieldName(in); got != want || !fieldNamePattern.MatchString(got) {
			t.Errorf("toFieldName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"master-data": "master-data", "Finance": "finance", "a  b": "a-b", "!!": ""} {
		if got := toTag(in); got != want || (got != "" && !tagPattern.MatchString(got)) {
			t.Errorf("toTag(%q) = %q, want %q", in, got, want)
		}
	}
}
