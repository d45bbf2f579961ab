package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Superuser is the cluster's superuser; it logs in without a password
// over the unix socket and over 127.0.0.1. Every other role logs in over
// 127.0.0.1 with its password (scram-sha-256).
const Superuser = "postgres"

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	Dir    string // the temporary directory: data/, the log and the unix socket
	Port   int    // on 127.0.0.1
	bin    string // the directory of initdb, pg_ctl and postgres
	runAs  string // "postgres" when the tests run as root
	serial atomic.Int64

	poolerOnce sync.Once
	poolerPort int
	poolerErr  error
}

var (
	once    sync.Once
	shared  *Cluster
	missing error // the binaries are not installed
	failed  error // they are, but the cluster would not start
)

// ErrNotInstalled is why Shared fails when the PostgreSQL binaries are
// missing.
var ErrNotInstalled = errors.New("PostgreSQL is not installed")

// Main runs the test binary's tests (m is a *testing.M, or what
// testscript.Main is given) and then stops the shared cluster, if one was
// started. A package using Start calls it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m interface{ Run() int }) int {
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	return code
}

// Shared returns the test binary's cluster, starting it on first use. Its
// error wraps ErrNotInstalled when the binaries are missing.
func Shared() (*Cluster, error) {
	once.Do(func() { shared, missing, failed = start() })
	switch {
	case missing != nil:
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, missing)
	case failed != nil:
		return nil, fmt.Errorf("start PostgreSQL: %w", failed)
	}
	return shared, nil
}

// Available reports whether there is a cluster to test against, for a
// testscript condition: false if PostgreSQL is not installed, but an error
// under CI, where it must be, or if it would not start.
func Available() (bool, error) {
	_, err := Shared()
	if errors.Is(err, ErrNotInstalled) && os.Getenv("CI") == "" {
		return false, nil
	}
	return err == nil, required(err)
}

func required(err error) error {
	if errors.Is(err, ErrNotInstalled) {
		return fmt.Errorf("%v: CI requires it (.ci/run installs Debian's postgresql)", err)
	}
	return err
}

// Start returns the test binary's cluster, starting it on first use. It
// skips tb when the PostgreSQL binaries are missing, unless the
// environment variable CI is set: there a missing server fails tb.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := Shared()
	switch {
	case errors.Is(err, ErrNotInstalled) && os.Getenv("CI") == "":
		tb.Skipf("no PostgreSQL server to test against: %v (apt-get install postgresql)", err)
	case err != nil:
		tb.Fatal(required(err))
	}
	return c
}

// binDir finds the newest installed server's binaries.
func binDir() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(matches) == 0 {
		if p, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p), nil
		}
		return "", errors.New("no pg_ctl under /usr/lib/postgresql/*/bin or on PATH")
	}
	version := func(p string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
		return n
	}
	slices.SortFunc(matches, func(a, b string) int { return version(b) - version(a) })
	return filepath.Dir(matches[0]), nil
}

func start() (c *Cluster, missing, failed error) {
	bin, err := binDir()
	if err != nil {
		return nil, err, nil
	}
	c = &Cluster{bin: bin}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, nil, err
	}
	c.Dir = dir
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as postgres, in a
		// directory of its own.
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and there is no postgres user to run the server: %v", err), nil
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		c.runAs = "postgres"
	}
	if err := c.initdb(); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	// A port found free may be taken before the server binds it: try again.
	for try := 0; ; try++ {
		err = c.serve()
		if err == nil {
			return c, nil, nil
		}
		if try == 2 {
			os.RemoveAll(dir)
			return nil, nil, err
		}
	}
}

// run runs a server binary, as the postgres user when we are root.
func (c *Cluster) run(name string, args ...string) error {
	path := filepath.Join(c.bin, name)
	cmd := exec.Command(path, args...)
	if c.runAs != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.runAs, "--", path}, args...)...)
	}
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func (c *Cluster) data() string { return filepath.Join(c.Dir, "data") }

func (c *Cluster) initdb() error {
	if err := c.run("initdb", "-D", c.data(), "-U", Superuser, "-E", "UTF8", "--locale=C", "--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256"); err != nil {
		return err
	}
	hba := "local all all trust\n" +
		"host all " + Superuser + " 127.0.0.1/32 trust\n" +
		"host all all 127.0.0.1/32 scram-sha-256\n"
	return os.WriteFile(filepath.Join(c.data(), "pg_hba.conf"), []byte(hba), 0o600)
}

// serve starts the server on a free loopback port.
func (c *Cluster) serve() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	c.Port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", c.Port, c.Dir)
	logFile := filepath.Join(c.Dir, "server.log")
	if err := c.run("pg_ctl", "-D", c.data(), "-l", logFile, "-w", "-t", "60", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(logFile)
		return fmt.Errorf("%v\nserver log:\n%s", err, log)
	}
	return nil
}

func (c *Cluster) stop() {
	if c.poolerPort != 0 {
		if pid, err := os.ReadFile(filepath.Join(c.Dir, "pgbouncer.pid")); err == nil {
			if n, err := strconv.Atoi(strings.TrimSpace(string(pid))); err == nil {
				if p, err := os.FindProcess(n); err == nil {
					p.Kill()
				}
			}
		}
	}
	c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.Dir)
}

// pgbouncer is where Debian's pgbouncer package installs it.
const pgbouncer = "/usr/sbin/pgbouncer"

// Pooler returns the URL of database db for the superuser through
// PgBouncer in transaction mode, started on first use in front of the
// cluster with few server connections, so that clients share them: each
// transaction may run on another. It skips tb when PgBouncer is not
// installed, unless the environment variable CI is set: there it fails.
func (c *Cluster) Pooler(tb testing.TB, db string) string {
	tb.Helper()
	c.poolerOnce.Do(func() { c.poolerPort, c.poolerErr = c.startPooler() })
	switch {
	case errors.Is(c.poolerErr, ErrNotInstalled) && os.Getenv("CI") == "":
		tb.Skipf("no PgBouncer to test behind: %v (apt-get install pgbouncer)", c.poolerErr)
	case errors.Is(c.poolerErr, ErrNotInstalled):
		tb.Fatalf("PgBouncer is required under CI: %v (.ci/run installs Debian's pgbouncer)", c.poolerErr)
	case c.poolerErr != nil:
		tb.Fatalf("start PgBouncer: %v", c.poolerErr)
	}
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", Superuser, c.poolerPort, db)
}

func (c *Cluster) startPooler() (int, error) {
	if _, err := os.Stat(pgbouncer); err != nil {
		return 0, fmt.Errorf("%w: no %s", ErrNotInstalled, pgbouncer)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ini := fmt.Sprintf(`[databases]
* = host=127.0.0.1 port=%d
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %[3]s/userlist.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 200
logfile = %[3]s/pgbouncer.log
pidfile = %[3]s/pgbouncer.pid
`, c.Port, port, c.Dir)
	for name, data := range map[string]string{"pgbouncer.ini": ini, "userlist.txt": fmt.Sprintf("%q \"\"\n", Superuser)} {
		if err := os.WriteFile(filepath.Join(c.Dir, name), []byte(data), 0o644); err != nil {
			return 0, err
		}
	}
	cmd := exec.Command(pgbouncer, "-d", filepath.Join(c.Dir, "pgbouncer.ini"))
	if c.runAs != "" {
		cmd = exec.Command("runuser", "-u", c.runAs, "--", pgbouncer, "-d", filepath.Join(c.Dir, "pgbouncer.ini"))
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.Dir, "pgbouncer.log"))
		return 0, fmt.Errorf("pgbouncer: %v\n%s%s", err, out, log)
	}
	// Wait for it to listen.
	for deadline := time.Now().Add(10 * time.Second); ; {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			conn.Close()
			return port, nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(c.Dir, "pgbouncer.log"))
			return 0, fmt.Errorf("pgbouncer does not listen on %d: %v\n%s", port, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// URL is the connection URL of database db for role (Superuser logs in
// without a password; another role's comes from PGPASSWORD or a pgpass
// file, as meshc's does).
func (c *Cluster) URL(role, db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", role, c.Port, db)
}

// Run runs sql as the superuser in database db.
func (c *Cluster) Run(db, sql string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL(Superuser, db))
	if err != nil {
		return fmt.Errorf("connect to %s: %v", db, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("%s: %v", sql, err)
	}
	return nil
}

// Exec runs sql as the superuser in database db, failing tb on error.
func (c *Cluster) Exec(tb testing.TB, db, sql string, args ...any) {
	tb.Helper()
	if err := c.Run(db, sql, args...); err != nil {
		tb.Fatal(err)
	}
}

// CreateDatabase creates an empty database owned by owner ("" is
// Superuser) and returns its name; it lives as long as the cluster.
func (c *Cluster) CreateDatabase(owner string) (string, error) {
	name := fmt.Sprintf("test_%d", c.serial.Add(1))
	if owner == "" {
		owner = Superuser
	}
	return name, c.Run("postgres", fmt.Sprintf("CREATE DATABASE %s OWNER %s", name, pgx.Identifier{owner}.Sanitize()))
}

// NewDatabase is CreateDatabase, failing tb on error.
func (c *Cluster) NewDatabase(tb testing.TB, owner string) string {
	tb.Helper()
	name, err := c.CreateDatabase(owner)
	if err != nil {
		tb.Fatal(err)
	}
	return name
}

// NewRole creates a role that logs in with password and returns its name.
func (c *Cluster) NewRole(tb testing.TB, password string) string {
	tb.Helper()
	name := fmt.Sprintf("role_%d", c.serial.Add(1))
	c.Exec(tb, "postgres", fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", name, strings.ReplaceAll(password, "'", "''")))
	return name
}
