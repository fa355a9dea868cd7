package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// This file runs the real `lms` binary as separate operating-system
// processes, the way replicas run in production: tests that need several
// API and worker processes against one database build it once and start
// as many as they like. Every process writes its output to a file of its
// own; the files are printed (the end of each) and kept when a test fails.

// buildLMS compiles ./cmd/lms (the package under test) into a temporary
// directory and returns the binary's path.
func buildLMS(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lms")
	start := time.Now()
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./cmd/lms: %v\n%s", err, out)
	}
	t.Logf("built %s in %s", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

// procLogDir is where a test's process logs go. It is removed when the test
// passes and kept (its path logged) when it fails.
func procLogDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "lms-procs-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("process logs kept in %s", dir)
			return
		}
		_ = os.RemoveAll(dir)
	})
	return dir
}

// lmsProc is one running `lms` process.
type lmsProc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited
	waitErr error         // set before done is closed
}

// startLMS starts bin with args and env (added to this process's
// environment; later entries win) and stops it when the test ends: SIGTERM,
// then SIGKILL if it has not exited within 10 seconds. On failure the end
// of its output is printed.
func startLMS(t *testing.T, bin, logDir, name string, env []string, args ...string) *lmsProc {
	t.Helper()
	p := &lmsProc{name: name, logPath: filepath.Join(logDir, name+".log"), done: make(chan struct{})}
	f, err := os.Create(p.logPath)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(10 * time.Second):
				t.Logf("%s: did not stop within 10s of SIGTERM; killing it", name)
				_ = p.cmd.Process.Kill()
				<-p.done
			}
		}
		if t.Failed() {
			t.Logf("---- %s (pid %d, %v): end of output ----\n%s", name, p.cmd.Process.Pid, p.waitErr, p.tail(6000))
		}
	})
	return p
}

func (p *lmsProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// output is everything the process has written so far.
func (p *lmsProc) output() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// tail is the end of the output, without River's debug chatter.
func (p *lmsProc) tail(n int) string {
	var keep []string
	for _, l := range strings.Split(p.output(), "\n") {
		if !strings.Contains(l, `"level":"DEBUG"`) {
			keep = append(keep, l)
		}
	}
	s := strings.Join(keep, "\n")
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// stop sends sig and waits up to wait for the process to exit.
func (p *lmsProc) stop(sig syscall.Signal, wait time.Duration) error {
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-p.done:
		return p.waitErr
	case <-time.After(wait):
		return fmt.Errorf("%s did not exit within %s of %v", p.name, wait, sig)
	}
}

// runLMS runs bin to completion (at most a minute) and returns its
// combined output.
func runLMS(bin string, env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// runLMSConcurrently starts every run at the same moment and waits for all.
func runLMSConcurrently(bin string, env []string, n int, args ...string) ([]string, []error) {
	outs, errs := make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			outs[i], errs[i] = runLMS(bin, env, args...)
		}()
	}
	close(start)
	wg.Wait()
	return outs, errs
}

// localAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func localAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// riverClientID is the id River logged when the worker's client started.
func riverClientID(log string) string {
	for _, l := range strings.Split(log, "\n") {
		var e struct {
			Msg      string `json:"msg"`
			ClientID string `json:"client_id"`
		}
		if json.Unmarshal([]byte(l), &e) == nil && e.Msg == "River client started" {
			return e.ClientID
		}
	}
	return ""
}

// logTime is the time of the first log line whose message contains msg.
func logTime(log, msg string) time.Time {
	for _, l := range strings.Split(log, "\n") {
		var e struct {
			Time time.Time `json:"time"`
			Msg  string    `json:"msg"`
		}
		if json.Unmarshal([]byte(l), &e) == nil && strings.Contains(e.Msg, msg) {
			return e.Time
		}
	}
	return time.Time{}
}

// poll calls cond every interval, in the test's goroutine (so cond may use
// require), until it is true or timeout has passed; it reports the last result.
func poll(timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}
