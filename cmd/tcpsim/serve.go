package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"tcpsim/internal/web"
)

// defaultServeAddr is where `tcpsim serve` listens unless told otherwise:
// this machine only.
const defaultServeAddr = "127.0.0.1:8080"

func newServeCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		addr   string
		open   bool
		export string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the browser lab (the engine in WebAssembly, animated), or export it as a static site",
		Long: `Serve the browser lab: pick or edit a scenario, run it, and watch the
ladder diagram, the time-sequence and cwnd plots, the run tables and a
sweep of goodput against loss. The page runs tcpsim's own engine in
WebAssembly, so it shows the same numbers as 'tcpsim run' for the same
seed.

By default the lab listens on ` + defaultServeAddr + ` (this machine only).
--addr :8080 or another interface makes it reachable from the network:
tcpsim warns, because anyone who can reach it can use it. The server
serves only its embedded files (GET and HEAD), with a Content-Security-
Policy; everything else is refused (404, 405).

--export DIR writes the static site to DIR (which must be empty or
missing) for a course web server: any server that serves files will do,
no configuration needed. Browsers refuse WebAssembly from file://, so
open it through a web server.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			site := web.Site()
			if export != "" {
				files, err := web.Export(site, export)
				if err != nil {
					return fmt.Errorf("--export: %w", err)
				}
				fmt.Fprintf(stdout, "wrote %d files to %s: serve that directory with any web server and open index.html\n", len(files), export)
				return nil
			}
			warn, err := checkServeAddr(addr)
			if err != nil {
				return err
			}
			if warn != "" {
				fmt.Fprintln(stderr, "tcpsim: warning:", warn)
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("--addr %s: %w", addr, err)
			}
			url := "http://" + browseAddr(ln.Addr().(*net.TCPAddr)) + "/"
			fmt.Fprintf(stdout, "tcpsim lab at %s (Ctrl-C stops it)\n", url)
			if open {
				if err := openBrowser(url); err != nil {
					fmt.Fprintln(stderr, "tcpsim: --open:", err, "; open", url, "yourself")
				}
			}
			return serve(ln, web.Handler(site))
		},
	}
	cmd.Flags().StringVar(&addr, "addr", defaultServeAddr, "address to listen on, host:port (beyond localhost, tcpsim warns)")
	cmd.Flags().BoolVar(&open, "open", false, "open the lab in the default browser")
	cmd.Flags().StringVar(&export, "export", "", "write the static site to this directory instead of serving it")
	return cmd
}

// checkServeAddr checks a --addr value and returns a warning when it
// reaches beyond this machine.
func checkServeAddr(addr string) (warning string, err error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("--addr %q: want host:port, e.g. %s", addr, defaultServeAddr)
	}
	if host == "localhost" {
		return "", nil
	}
	ip := net.ParseIP(host)
	if ip != nil && ip.IsLoopback() {
		return "", nil
	}
	if host == "" || (ip != nil && ip.IsUnspecified()) {
		return fmt.Sprintf("--addr %s listens on every network interface: anyone who can reach this machine can use the lab", addr), nil
	}
	return fmt.Sprintf("--addr %s is not a loopback address: others on that network can use the lab", addr), nil
}

// browseAddr is the host:port a browser on this machine should open.
func browseAddr(a *net.TCPAddr) string {
	if a.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(a.Port))
	}
	return a.String()
}

// serve runs the HTTP server on ln until SIGINT or SIGTERM, then shuts it
// down, letting requests in progress finish for up to five seconds, and
// returns an interruptedError: like every command a signal ends, serve
// exits 130.
func serve(ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	intr, which, stop := notifyInterrupt()
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-errc:
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return fmt.Errorf("serve: %w", err)
		case <-tick.C:
			if intr.Load() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := srv.Shutdown(ctx); err != nil {
					return fmt.Errorf("serve: %w", err)
				}
				return interrupted(which(), "stopped serving "+ln.Addr().String())
			}
		}
	}
}

// openBrowser asks the desktop to open url.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap it; its exit status does not matter
	return nil
}
