package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// dist summarises a set of latencies in nanoseconds.
type dist struct {
	N                        int
	P50, P90, P99, Max, Mean float64 // ns
}

func summarize(ns []int64) dist {
	if len(ns) == 0 {
		return dist{}
	}
	s := slices.Clone(ns)
	slices.Sort(s)
	var sum float64
	for _, v := range s {
		sum += float64(v)
	}
	q := func(p float64) float64 {
		i := int(p*float64(len(s))+0.5) - 1
		i = max(0, min(i, len(s)-1))
		return float64(s[i])
	}
	return dist{N: len(s), P50: q(0.50), P90: q(0.90), P99: q(0.99), Max: float64(s[len(s)-1]), Mean: sum / float64(len(s))}
}

// dur formats nanoseconds for humans.
func dur(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func met(ok bool) string {
	if ok {
		return "MET"
	}
	return "NOT MET"
}

// table prints rows with aligned columns.
type table struct {
	head []string
	rows [][]string
}

func (t *table) add(cols ...string) { t.rows = append(t.rows, cols) }

func (t *table) String() string {
	w := make([]int, len(t.head))
	all := append([][]string{t.head}, t.rows...)
	for _, r := range all {
		for i, c := range r {
			if i < len(w) && len([]rune(c)) > w[i] {
				w[i] = len([]rune(c))
			}
		}
	}
	var b strings.Builder
	line := func(r []string) {
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			if i == len(r)-1 {
				b.WriteString(c)
			} else {
				b.WriteString(c + strings.Repeat(" ", w[i]-len([]rune(c))))
			}
		}
		b.WriteString("\n")
	}
	line(t.head)
	sep := make([]string, len(t.head))
	for i := range sep {
		sep[i] = strings.Repeat("-", w[i])
	}
	line(sep)
	for _, r := range t.rows {
		line(r)
	}
	return b.String()
}

// cpuSample is CPU time used so far by this process, by the PostgreSQL
// backends serving the benchmark database (found by their process title,
// which names the database), and by the whole machine.
type cpuSample struct {
	at       time.Time
	self     time.Duration
	postgres time.Duration
	pgOK     bool
	machine  time.Duration // every CPU's busy time (user, nice, system, irq, softirq, steal)
}

const clockTicks = 100 // USER_HZ on Linux

// benchDBName is the database whose backends count as "postgres" CPU.
var benchDBName string

func sampleCPU() cpuSample {
	s := cpuSample{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		if len(f) >= 9 && f[0] == "cpu" {
			for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
				v, _ := strconv.ParseInt(f[i], 10, 64)
				s.machine += time.Duration(v) * time.Second / clockTicks
			}
		}
	}
	if benchDBName == "" {
		return s
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range procs {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		str := string(b)
		open, close := strings.IndexByte(str, '('), strings.LastIndexByte(str, ')')
		if open < 0 || close < open {
			continue
		}
		if comm := str[open+1 : close]; comm != "postgres" && !strings.HasPrefix(comm, "postgres:") {
			continue
		}
		// Backend titles read "postgres: <user> <database> <client> <state>".
		title, err := os.ReadFile(filepath.Join(filepath.Dir(f), "cmdline"))
		if err != nil || !strings.Contains(string(title), " "+benchDBName+" ") {
			continue
		}
		fs := strings.Fields(str[close+1:])
		if len(fs) < 13 { // fields after comm: state(0) ... utime(11) stime(12)
			continue
		}
		ut, _ := strconv.ParseInt(fs[11], 10, 64)
		st, _ := strconv.ParseInt(fs[12], 10, 64)
		s.postgres += time.Duration(ut+st) * time.Second / clockTicks
		s.pgOK = true
	}
	return s
}

// cpuUse is the CPU spent between two samples.
type cpuUse struct {
	wall, self, postgres time.Duration
	other                time.Duration // the rest of the machine: anything else running disturbs the figures
	pgOK                 bool
}

func cpuSince(a cpuSample) cpuUse {
	b := sampleCPU()
	u := cpuUse{wall: b.at.Sub(a.at), self: b.self - a.self, postgres: b.postgres - a.postgres, pgOK: a.pgOK && b.pgOK}
	u.other = max(0, (b.machine-a.machine)-u.self-u.postgres)
	return u
}

// otherCores is how many cores something outside the benchmark kept busy.
func (u cpuUse) otherCores() float64 { return float64(u.other) / float64(max(u.wall, 1)) }
