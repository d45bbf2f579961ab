package render

// wording is how a report speaks of its changes: as a plan's, or as the
// drift a reconcile found and repairs.
type wording struct {
	none    string // "No changes"
	change  string // one change, pluralised with "s"
	noneTxt string // the text report's first line when nothing changes, with the serial
	someTxt string // the text report's first line otherwise
	total   string // the closing counts' label
	blocked string // what errors stop, in Markdown
	txtStop string // what errors stop, in text
	against string // the Markdown report's serial line
}

var (
	planWords = wording{
		none:    "No changes",
		change:  "change",
		noneTxt: "No changes: the live catalog (serial %d) matches the mesh.",
		someTxt: "meshc will make these changes to the live catalog (serial %d):",
		total:   "Plan",
		blocked: "this change cannot be applied",
		txtStop: "this plan cannot be applied",
		against: "Planned against live catalog serial %d.",
	}
	driftWords = wording{
		none:    "No drift",
		change:  "drifted product",
		noneTxt: "No drift: the live catalog (serial %d) matches every domain's source.",
		someTxt: "The live catalog (serial %d) has drifted from the sources; the repair makes these changes:",
		total:   "Drift",
		blocked: "this drift cannot be repaired",
		txtStop: "this drift cannot be repaired",
		against: "Compared with live catalog serial %d.",
	}
)

func words(drift bool) wording {
	if drift {
		return driftWords
	}
	return planWords
}
