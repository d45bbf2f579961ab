package cli

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestHelperStuck is not a test: run by TestSecondSignalExits as a child,
// it takes meshc's signal context and then waits for something that never
// comes and ignores the context, as a stuck read or evaluation would.
func TestHelperStuck(t *testing.T) {
	if os.Getenv("MESHC_TEST_STUCK") != "1" {
		t.Skip("a helper process")
	}
	ctx, stop := signalContext()
	defer stop()
	os.Stdout.WriteString("ready\n")
	<-ctx.Done()
	os.Stdout.WriteString("cancelled\n")
	select {} // stuck past the first signal
}

// TestSecondSignalExits: the first SIGTERM cancels meshc's context; a
// second one ends the process at once, though it is stuck.
func TestSecondSignalExits(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStuck$")
			cmd.Env = append(os.Environ(), "MESHC_TEST_STUCK=1")
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			lines := bufio.NewScanner(out)
			expect := func(want string) {
				t.Helper()
				if !lines.Scan() || lines.Text() != want {
					t.Fatalf("helper said %q, want %q", lines.Text(), want)
				}
			}
			expect("ready")
			cmd.Process.Signal(sig)
			expect("cancelled")
			cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != 128+int(sig) {
					t.Errorf("helper ended with %v; want exit code %d", err, 128+int(sig))
				}
			case <-time.After(time.Minute):
				t.Fatal("a second signal did not end the process")
			}
		})
	}
}
