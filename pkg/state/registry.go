package state

import (
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Opener opens a backend from its Spec. It checks the spec but reaches
// nothing yet: no file, connection or clone is made before the first Read
// or Lock.
type Opener func(Spec) (Backend, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Opener{}
)

// Register makes a backend available to Open under name. Each backend
// package calls it from its init; package state/all imports them all.
// Registering a name twice panics.
func Register(name string, open Opener) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if name == "" || open == nil {
		panic("state: Register needs a name and an opener")
	}
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("state: backend %q registered twice", name))
	}
	registry[name] = open
}

// Backends returns the names of the registered backends, sorted.
func Backends() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return slices.Sorted(maps.Keys(registry))
}

// Open returns the Store of the backend spec names. A backend that is not
// registered (one this meshc was built without) is an *UnsupportedError;
// nothing is created anywhere.
func Open(spec Spec) (Store, error) {
	registryMu.RLock()
	open := registry[spec.Backend]
	registryMu.RUnlock()
	if open == nil {
		return nil, &UnsupportedError{What: spec.String(), Backend: spec.Backend, Have: Backends()}
	}
	b, err := open(spec)
	if err != nil {
		return nil, fmt.Errorf("live catalog %s: %w", spec, err)
	}
	return NewStore(b), nil
}
