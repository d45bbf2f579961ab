package check

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestCyclic(t *testing.T) {
	graph := map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}, "f": nil}
	// A chain of 100,000 products: no stack to exhaust.
	for i := range 100000 {
		graph[fmt.Sprintf("x%d", i)] = []string{fmt.Sprintf("x%d", i+1)}
	}
	var got []string
	for _, scc := range Cyclic(slices.Sorted(maps.Keys(graph)), func(id string) []string { return graph[id] }) {
		got = append(got, strings.Join(scc, ","))
	}
	if want := []string{"a,b,c", "d"}; !slices.Equal(got, want) {
		t.Errorf("Cyclic = %q, want %q", got, want)
	}
}
