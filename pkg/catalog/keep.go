package catalog

import (
	"encoding/json"
	"strings"
)

// KeepReason says why a domain is left exactly as the live catalog has it
// instead of taking what its source declares.
type KeepReason int

// The reasons a domain's desired state is unknown for a run.
const (
	// KeepFailed: its CUE could not be evaluated at all.
	KeepFailed KeepReason = iota + 1
	// KeepLive: a pull-request check took it from the live catalog.
	KeepLive
	// KeepUnreadable: its source could not be read (reconcile goes on).
	KeepUnreadable
)

var keepText = map[KeepReason]string{
	KeepFailed:     "its CUE could not be evaluated",
	KeepLive:       "taken from the live catalog",
	KeepUnreadable: "its source could not be read",
}

// Keep is why one domain is left as it is live; Detail adds the error of
// an unreadable source.
type Keep struct {
	Reason KeepReason
	Detail string
}

// String says it in words: "its source could not be read: timeout".
func (k Keep) String() string {
	s, ok := keepText[k.Reason]
	switch {
	case !ok && k.Detail != "":
		return k.Detail
	case !ok:
		return "left as it is live"
	}
	if k.Detail != "" {
		s += ": " + k.Detail
	}
	return s
}

// MarshalJSON writes k as its sentence, the plan's JSON form.
func (k Keep) MarshalJSON() ([]byte, error) { return json.Marshal(k.String()) }

// UnmarshalJSON reads the sentence MarshalJSON wrote back into its reason.
func (k *Keep) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*k = Keep{Detail: s}
	for r, text := range keepText {
		if rest, ok := strings.CutPrefix(s, text); ok && (rest == "" || strings.HasPrefix(rest, ": ")) {
			*k = Keep{Reason: r, Detail: strings.TrimPrefix(rest, ": ")}
		}
	}
	return nil
}
