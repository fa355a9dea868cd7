package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// pgProxy is a TCP proxy in front of PostgreSQL that reads the frontend
// (client → server) protocol and, while counting is on, tallies message
// types and which SQL each execution ran. Every Sync ('S') and simple Query
// ('Q') is a point where the client waits for the server: one round trip.
// It is used only for the round-trip diagnostic, never for timing.
type pgProxy struct {
	ln       net.Listener
	target   string
	counting atomic.Bool

	mu       sync.Mutex
	msgs     map[byte]int
	sql      map[string]int    // statement text → executions (simple queries and Bind of a parsed statement)
	prepared map[string]string // statement name → text, from every Parse seen
	conns    []net.Conn
}

func startPGProxy(target string) (*pgProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &pgProxy{ln: ln, target: target, msgs: map[byte]int{}, sql: map[string]int{}, prepared: map[string]string{}}
	go p.accept()
	return p, nil
}

func (p *pgProxy) Addr() string { return p.ln.Addr().String() }

func (p *pgProxy) Close() {
	_ = p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
}

func (p *pgProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(c, s); _ = c.Close() }()
		go func() { p.frontend(c, s); _ = s.Close() }()
	}
}

// frontend forwards the client's messages to the server, counting them.
func (p *pgProxy) frontend(c, s net.Conn) {
	r := bufio.NewReaderSize(c, 64<<10)
	hdr := make([]byte, 5)
	// Untyped start-up packets: SSL/GSS encryption requests, then the start-up message.
	for {
		if _, err := io.ReadFull(r, hdr[:4]); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint32(hdr[:4]))
		if n < 8 || n > 1<<20 {
			return
		}
		body := make([]byte, n-4)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		if _, err := s.Write(append(hdr[:4:4], body...)); err != nil {
			return
		}
		code := binary.BigEndian.Uint32(body[:4])
		if code != 80877103 && code != 80877104 { // not SSLRequest / GSSENCRequest
			break
		}
	}
	lastUnnamed := ""
	for {
		if _, err := io.ReadFull(r, hdr); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint32(hdr[1:5]))
		if n < 4 {
			return
		}
		body := make([]byte, n-4)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		typ := hdr[0]
		switch typ {
		case 'P': // Parse: name\0 query\0 ...
			name, rest := cstr(body)
			q, _ := cstr(rest)
			if name == "" {
				lastUnnamed = q
			} else {
				p.mu.Lock()
				p.prepared[name] = q
				p.mu.Unlock()
			}
		}
		if p.counting.Load() {
			p.mu.Lock()
			p.msgs[typ]++
			switch typ {
			case 'Q':
				q, _ := cstr(body)
				p.sql[norm(q)]++
			case 'B': // Bind: portal\0 statement\0 ...
				_, rest := cstr(body)
				stmt, _ := cstr(rest)
				q := lastUnnamed
				if stmt != "" {
					q = p.prepared[stmt]
				}
				p.sql[norm(q)]++
			}
			p.mu.Unlock()
		}
		if _, err := s.Write(append(hdr, body...)); err != nil {
			return
		}
	}
}

func cstr(b []byte) (string, []byte) {
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), b[i+1:]
		}
	}
	return string(b), nil
}

func norm(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 110 {
		q = q[:107] + "..."
	}
	return q
}

// pgCounts is what the proxy saw while counting.
type pgCounts struct {
	msgs map[byte]int
	sql  map[string]int
}

func (p *pgProxy) startCounting() {
	p.mu.Lock()
	p.msgs, p.sql = map[byte]int{}, map[string]int{}
	p.mu.Unlock()
	p.counting.Store(true)
}

func (p *pgProxy) stopCounting() pgCounts {
	p.counting.Store(false)
	p.mu.Lock()
	defer p.mu.Unlock()
	return pgCounts{msgs: p.msgs, sql: p.sql}
}

// roundTrips is the number of times the client waited for the server.
func (c pgCounts) roundTrips() int { return c.msgs['S'] + c.msgs['Q'] }

// describe reports the counts per request.
func (c pgCounts) describe(requests int) string {
	var b strings.Builder
	per := func(n int) float64 { return float64(n) / float64(requests) }
	names := map[byte]string{'Q': "Query(simple)", 'P': "Parse", 'B': "Bind", 'D': "Describe", 'E': "Execute", 'S': "Sync", 'C': "Close", 'H': "Flush", 'X': "Terminate"}
	var types []byte
	for t := range c.msgs {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool { return types[i] < types[j] })
	var parts []string
	for _, t := range types {
		nm := names[t]
		if nm == "" {
			nm = string(t)
		}
		parts = append(parts, fmt.Sprintf("%s %.2f", nm, per(c.msgs[t])))
	}
	fmt.Fprintf(&b, "    round trips per request: %.2f   (messages per request: %s)\n", per(c.roundTrips()), strings.Join(parts, ", "))
	type kv struct {
		q string
		n int
	}
	var qs []kv
	for q, n := range c.sql {
		qs = append(qs, kv{q, n})
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i].n > qs[j].n || (qs[i].n == qs[j].n && qs[i].q < qs[j].q) })
	for _, x := range qs {
		fmt.Fprintf(&b, "      %5.2f × %s\n", per(x.n), x.q)
	}
	return b.String()
}
