package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/meshc-dev/meshc/pkg/state"
)

var _ state.Breaker = (*Backend)(nil)

// Holder reports who holds the lock file, or nil when there is none.
func (b *Backend) Holder(ctx context.Context) (*state.LockedError, error) {
	held, _, err := holder(ctx, b.Path+".lock")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return held, err
}

// Break removes the lock file, whoever holds it.
func (b *Backend) Break(context.Context) error {
	err := os.Remove(b.Path + ".lock")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("break the lock of live catalog %s: %w", b.Path, err)
	}
	return nil
}
