// Package score evaluates the platform's scorecard: the checks a
// platform's policies declare in #Scorecard (CUE), each a built-in kind
// with a weight, and levels (bronze, silver, gold) from thresholds. Each
// check is registered as a rule ("score-ID") when the scorecard loads.
// The scorecard is its own CUE value, evaluated here, apart from the
// schema domains are compiled against.
package score
