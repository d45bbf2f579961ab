package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// signalContext is cancelled by the first SIGINT or SIGTERM, which lets
// meshc stop cleanly (a lock released, an evaluation killed); a second one
// ends meshc at once, whatever it is still waiting for, with the shell's
// code for that signal (130 for SIGINT, 143 for SIGTERM).
func signalContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
			signal.Stop(ch)
			return
		}
		sig := <-ch
		fmt.Fprintf(os.Stderr, "meshc: %v again: exiting at once\n", sig)
		code := 128 + 15
		if s, ok := sig.(syscall.Signal); ok {
			code = 128 + int(s)
		}
		os.Exit(code)
	}()
	return ctx, cancel
}
