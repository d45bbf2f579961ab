package plan

import (
	"fmt"
	"strings"
)

// LogicalTypes are the Open Data Contract Standard's logical types a field
// may have, in the order the type table lists them.
var LogicalTypes = []string{"string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean"}

// TypeChange is the verdict of the rules of change on one change of a
// field's logical type, judged from the consumer's side: a reader was
// promised values of the type before and now receives values of the type
// after. The change is safe only when every value it may now receive is a
// value it was promised.
type TypeChange struct {
	From, To string
	Breaking bool
	// Why says what a reader of From meets, in a few words.
	Why string
}

// narrowings are the type changes that only narrow what a reader receives:
// every integer is a number.
var narrowings = map[[2]string]string{
	{"number", "integer"}: "every integer is a number: readers receive a subset of what they were promised",
}

// why explains the breaking type changes that deserve more than the
// general reason.
var why = map[[2]string]string{
	{"integer", "number"}:   "a reader promised integers may now receive fractions",
	{"date", "timestamp"}:   "a reader promised dates receives times of day too",
	{"timestamp", "date"}:   "a reader promised instants loses the time of day",
	{"time", "timestamp"}:   "a reader promised a time of day receives whole instants",
	{"timestamp", "time"}:   "a reader promised instants loses the date",
	{"string", "date"}:      "a reader promised text receives typed dates, which text functions and casts reject",
	{"string", "timestamp"}: "a reader promised text receives typed timestamps, which text functions and casts reject",
	{"string", "time"}:      "a reader promised text receives typed times, which text functions and casts reject",
}

// typeTable is every pair of distinct logical types, registered as the data
// of rule field-type-changed.
var typeTable = func() map[[2]string]TypeChange {
	t := map[[2]string]TypeChange{}
	for _, from := range LogicalTypes {
		for _, to := range LogicalTypes {
			if from == to {
				continue
			}
			k := [2]string{from, to}
			switch {
			case narrowings[k] != "":
				t[k] = TypeChange{From: from, To: to, Why: narrowings[k]}
			case why[k] != "":
				t[k] = TypeChange{From: from, To: to, Breaking: true, Why: why[k]}
			default:
				t[k] = TypeChange{From: from, To: to, Breaking: true, Why: fmt.Sprintf("a reader of %s cannot read %s", plural(from), plural(to))}
			}
		}
	}
	return t
}()

func plural(typ string) string {
	switch typ {
	case "string":
		return "text"
	case "number", "integer", "object", "array", "boolean":
		return typ + "s"
	case "time":
		return "times of day"
	}
	return typ + "s"
}

// JudgeTypeChange returns the verdict on a field's type changing from
// from to to. A type outside the table (which the schema does not let
// through) is breaking.
func JudgeTypeChange(from, to string) TypeChange {
	if from == to {
		return TypeChange{From: from, To: to, Why: "the type is unchanged"}
	}
	if v, ok := typeTable[[2]string{from, to}]; ok {
		return v
	}
	return TypeChange{From: from, To: to, Breaking: true, Why: "the type is not a logical type meshc knows"}
}

// TypeTable returns the verdict on every pair of distinct logical types,
// in the order of LogicalTypes.
func TypeTable() []TypeChange {
	var out []TypeChange
	for _, from := range LogicalTypes {
		for _, to := range LogicalTypes {
			if from != to {
				out = append(out, typeTable[[2]string{from, to}])
			}
		}
	}
	return out
}

// TypeMatrix renders the type table as a Markdown table, rows the type
// promised (before), columns the type received (after): "breaking" or
// "safe". The README and `meshc rules field-type-changed` show it.
func TypeMatrix() string {
	var b strings.Builder
	b.WriteString("| before \\ after |")
	for _, to := range LogicalTypes {
		b.WriteString(" " + to + " |")
	}
	b.WriteString("\n|---|")
	b.WriteString(strings.Repeat("---|", len(LogicalTypes)))
	b.WriteString("\n")
	for _, from := range LogicalTypes {
		b.WriteString("| **" + from + "** |")
		for _, to := range LogicalTypes {
			switch {
			case from == to:
				b.WriteString(" · |")
			case JudgeTypeChange(from, to).Breaking:
				b.WriteString(" breaking |")
			default:
				b.WriteString(" safe |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
