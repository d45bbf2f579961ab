package git

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/meshc-dev/meshc/pkg/state"
)

var _ state.UsageStore = (*Backend)(nil)

// usagePushes bounds how often AddUsage merges its events again onto a
// tip someone else pushed first; the backend's timeout bounds them all.
const usagePushes = 5

// UsagePath is the file on the branch that keeps the catalog's observed
// usage: the catalog's path and ".usage.json", beside it.
func (b *Backend) UsagePath() string { return b.o.Path + ".usage.json" }

// AddUsage fetches the branch's tip, merges events into its usage file
// and pushes one commit that changes only that file, leased on the tip
// (no catalog lock: an apply's write goes on top of it, since the
// catalog's bytes are unchanged). If someone pushed first it fetches
// their tip and merges again, a few times. A merge that changes nothing
// commits nothing.
func (b *Backend) AddUsage(ctx context.Context, events []state.UsageEvent, keepFrom string) (int, error) {
	added := 0
	err := b.with(ctx, func(ctx context.Context, r *git.Repository) error {
		for attempt := 1; ; attempt++ {
			tip, err := b.tip(ctx, r)
			if err != nil {
				return err
			}
			doc, old, err := b.usageAt(r, tip)
			if err != nil {
				return err
			}
			n, err := doc.Add(events, keepFrom)
			if err != nil {
				return fmt.Errorf("usage %s: %w: %s", b.usageWhere(), err, usageHint)
			}
			data, err := json.Marshal(doc)
			if err != nil {
				return err
			}
			blob, err := writeBlob(r.Storer, append(data, '\n'))
			if err != nil {
				return fmt.Errorf("usage %s: %v", b.usageWhere(), err)
			}
			if blob == old || (old.IsZero() && n == 0 && len(doc.Aggregates) == 0) {
				added = n
				return nil // nothing to commit
			}
			commit, err := b.usageCommit(r, tip, blob, n)
			if err != nil {
				return fmt.Errorf("usage %s: %v", b.usageWhere(), err)
			}
			spec := gitconfig.RefSpec(commit.String() + ":" + b.branch.String()) // creates it, or fails
			var require []gitconfig.RefSpec
			if !tip.IsZero() {
				spec = "+" + spec // its parent is the tip: the lease is the check
				require = []gitconfig.RefSpec{gitconfig.RefSpec(tip.String() + ":" + b.branch.String())}
			}
			perr := b.push(ctx, r, spec, require...)
			if perr == nil {
				added = n
				_ = r.Storer.SetReference(plumbing.NewHashReference(b.tracking(), commit))
				return nil
			}
			after, err := b.list(ctx, r)
			if err != nil {
				return err
			}
			cur, exists := after[b.branch]
			switch {
			case exists && cur == commit: // pushed, but the answer was lost
				added = n
				return nil
			case (!exists && tip.IsZero()) || (exists && cur == tip):
				return b.fail("pushing usage", perr) // refused for another reason
			case attempt == usagePushes:
				return fmt.Errorf("usage %s: the branch moved under each of %d pushes: try the ingest again (its events count once)", b.usageWhere(), usagePushes)
			}
			// Someone else pushed first: merge onto what they pushed.
		}
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// ReadUsage fetches the branch's tip and returns its usage file's
// aggregates from since; none if there is no branch or no file.
func (b *Backend) ReadUsage(ctx context.Context, since string) ([]state.UsageAggregate, error) {
	var doc *state.UsageDoc
	err := b.with(ctx, func(ctx context.Context, r *git.Repository) error {
		tip, err := b.tip(ctx, r)
		if err != nil {
			return err
		}
		doc, _, err = b.usageAt(r, tip)
		return err
	})
	if err != nil {
		return nil, err
	}
	return doc.Since(since), nil
}

const usageHint = "fix it on the branch, or delete it there; the next ingest starts a new one"

// usageWhere is the usage file's location: URL#BRANCH:PATH.usage.json.
func (b *Backend) usageWhere() string { return b.shown + "#" + b.o.Branch + ":" + b.UsagePath() }

// usageAt returns the usage document at commit tip and its blob: an
// empty document and the zero hash if tip is zero or lacks the file.
func (b *Backend) usageAt(r *git.Repository, tip plumbing.Hash) (*state.UsageDoc, plumbing.Hash, error) {
	doc := &state.UsageDoc{}
	data, blob, err := b.fileAt(r, tip, b.UsagePath(), maxCatalog)
	if bad, ok := errors.AsType[*unusableError](err); ok {
		return nil, plumbing.ZeroHash, fmt.Errorf("usage %s: %s: %s", b.usageWhere(), bad.reason, usageHint)
	}
	if err != nil || blob.IsZero() {
		return doc, blob, err
	}
	if err := json.Unmarshal(data, doc); err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("usage %s is not meshc's usage document (%v): %s", b.usageWhere(), err, usageHint)
	}
	if doc.FormatVersion != state.UsageFormatVersion {
		return nil, plumbing.ZeroHash, fmt.Errorf("usage %s has format version %q, this meshc reads %q", b.usageWhere(), doc.FormatVersion, state.UsageFormatVersion)
	}
	return doc, blob, nil
}

// usageCommit writes the commit of the usage blob on parent (zero: a
// root commit), keeping the parent's other files, the catalog's too.
func (b *Backend) usageCommit(r *git.Repository, parent, blob plumbing.Hash, added int) (plumbing.Hash, error) {
	base, parents, err := treeOf(r, parent)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	tree, err := putFile(r.Storer, base, splitPath(b.UsagePath()), blob)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	sig := object.Signature{Name: "meshc", Email: committerEmail, When: b.o.Now()}
	return writeCommit(r.Storer, &object.Commit{
		Author:       sig,
		Committer:    sig,
		Message:      fmt.Sprintf("meshc usage: %d events\n", added),
		TreeHash:     tree,
		ParentHashes: parents,
	})
}
