// Package webtest drives the real pages in headless Chromium (Debian's
// chromium package, through chromedp) for the browser tests. Every page a
// test lands on is checked with axe-core: a serious or critical violation
// fails the test, and a page the test navigated to but did not check fails
// it too. Screenshots go to .data/screenshots (ignored), or to
// LMS_SCREENSHOTS_DIR when set: `make screenshots` uses that to refresh the
// curated few in docs/screenshots on purpose, never on every test run.
package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Browser is one headless Chromium tab signed in as nobody yet.
type Browser struct {
	T    *testing.T
	Base string // the server's URL, e.g. http://127.0.0.1:34567
	// Narrow makes Page also lay each page out 375 px wide (the narrowest
	// phone WCAG 2.2's reflow asks for) and fail on a horizontal scroll.
	// New turns it on: every page of every browser test is checked.
	Narrow bool
	// Plain makes Page also fail on developer strings in the page's
	// visible text (DeveloperStrings): school users' pages set it.
	Plain bool
	ctx   context.Context

	mu       sync.Mutex
	landed   []string // main-frame URLs navigated to
	audited  map[string]bool
	axe      string
	shotsDir string
}

// Phone and Desktop are viewport sizes.
var (
	Desktop = [2]int64{1280, 900}
	Phone   = [2]int64{390, 844}
)

// New starts Chromium for t against base.
func New(t *testing.T, base string) *Browser {
	t.Helper()
	exe := os.Getenv("LMS_CHROMIUM")
	if exe == "" {
		exe = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(exe); err != nil {
		t.Fatalf("no Chromium at %s: run deploy/local/browser.sh (make test does)", exe)
	}
	axe, err := os.ReadFile(axePath())
	if err != nil {
		t.Fatalf("axe-core missing (%v): run deploy/local/browser.sh (make test does)", err)
	}
	// Not t.TempDir: Chromium may still be writing its profile as it exits.
	profile, err := os.MkdirTemp("", "lms-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(int(Desktop[0]), int(Desktop[1])),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	b := &Browser{T: t, Base: strings.TrimSuffix(base, "/"), Narrow: true, ctx: ctx, audited: map[string]bool{}, axe: string(axe), shotsDir: shotsDir()}
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*page.EventFrameNavigated); ok && e.Frame.ParentID == "" {
			b.mu.Lock()
			b.landed = append(b.landed, e.Frame.URL)
			b.mu.Unlock()
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		cancelC()
		cancelA()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		b.mu.Lock()
		var missed []string
		for _, u := range b.landed {
			if strings.HasPrefix(u, b.Base) && !b.audited[u] {
				missed = append(missed, u)
			}
		}
		b.mu.Unlock()
		cancelC()
		cancelA()
		for i := 0; i < 20 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
		if len(missed) > 0 && !t.Failed() {
			t.Errorf("pages visited but not checked with Page(): %v", missed)
		}
	})
	return b
}

// Run runs chromedp actions with a time limit, failing the test on error.
// Give selectors chromedp.ByQuery (CSS): the default also searches text.
func (b *Browser) Run(actions ...chromedp.Action) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var text string
		tctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		defer cancel()
		_ = chromedp.Run(tctx, chromedp.Text("body", &text, chromedp.ByQuery))
		b.T.Fatalf("browser: %v (at %s)\npage text:\n%s", err, b.URL(), text)
	}
}

// Go opens path and checks the page it lands on (see Page).
func (b *Browser) Go(path, shot string) {
	b.T.Helper()
	b.Run(chromedp.Navigate(b.Base + path))
	b.Page(shot)
}

// by is how a selector is read: an XPath when it starts with "/" (to find
// a button by its words or a row by what it holds), else CSS.
func by(sel string) chromedp.QueryOption {
	if strings.HasPrefix(sel, "/") {
		return chromedp.BySearch
	}
	return chromedp.ByQuery
}

// Submit clicks the button (or link) sel and checks the page it leads to.
// It waits for that new page, not a fixed time: the old page is marked
// before the click, and a page without the mark, fully loaded, is the new
// one (a slow upload or a busy machine only makes the wait longer).
func (b *Browser) Submit(sel, shot string) {
	b.T.Helper()
	b.Run(chromedp.Evaluate(`document.documentElement.setAttribute("data-webtest-old", "1")`, nil),
		chromedp.Click(sel, by(sel), chromedp.NodeVisible))
	b.waitNewPage()
	b.Page(shot)
}

// waitNewPage polls until the document is a new, fully loaded page.
// Errors while polling are expected: the old page's context goes away.
func (b *Browser) waitNewPage() {
	b.T.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var done bool
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		err := chromedp.Run(ctx, chromedp.Evaluate(`!document.documentElement.hasAttribute("data-webtest-old") && document.readyState === "complete" && document.querySelector("main") !== null`, &done))
		cancel()
		if err == nil && done {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.T.Fatalf("browser: no new page within 60 s after submitting (at %s)", b.URL())
}

// Page checks the page the browser is on: loaded, no serious or critical
// axe-core violation, and saves a screenshot as shot.png when shot is set.
func (b *Browser) Page(shot string) {
	b.T.Helper()
	b.Run(chromedp.WaitReady("body", chromedp.ByQuery), chromedp.WaitVisible("main", chromedp.ByQuery))
	b.audit()
	if shot != "" {
		b.Screenshot(shot)
	}
}

type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any  `json:"target"`
			HTML   string `json:"html"`
		} `json:"nodes"`
	} `json:"violations"`
}

func (b *Browser) audit() {
	b.T.Helper()
	var raw string
	b.Run(
		chromedp.Evaluate(b.axe, nil),
		chromedp.Evaluate(`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}}).then(r => JSON.stringify({violations: r.violations}))`,
			&raw, func(p *runtimeEvaluateParams) *runtimeEvaluateParams { return p.WithAwaitPromise(true) }),
	)
	var res axeResult
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		b.T.Fatalf("axe result: %v", err)
	}
	var bad []string
	for _, v := range res.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			var where []string
			for _, n := range v.Nodes {
				where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
			}
			bad = append(bad, fmt.Sprintf("%s (%s): %s\n    %s", v.ID, v.Impact, v.Help, strings.Join(where, "\n    ")))
		}
	}
	url := b.URL()
	if len(bad) > 0 {
		b.T.Errorf("axe-core on %s:\n  %s", url, strings.Join(bad, "\n  "))
	}
	if b.Narrow {
		b.reflow(url)
	}
	if b.Plain {
		b.plain(url)
	}
	b.mu.Lock()
	b.audited[url] = true
	b.mu.Unlock()
}

// reflow lays the page out 375 px wide and fails when it scrolls
// sideways (content wider than the window), naming the widest element;
// then it puts the window back as it was.
func (b *Browser) reflow(url string) {
	b.T.Helper()
	var w struct {
		Width  int64  `json:"width"`
		Height int64  `json:"height"`
		Over   int64  `json:"over"`
		Widest string `json:"widest"`
	}
	b.Run(chromedp.Evaluate(`({width: window.innerWidth, height: window.innerHeight})`, &w))
	width, height := w.Width, w.Height
	b.Run(chromedp.EmulateViewport(375, 812),
		chromedp.Evaluate(`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => {
			const d = document.documentElement;
			let widest = "";
			for (const el of document.querySelectorAll("body *")) {
				if (el.getBoundingClientRect().right > d.clientWidth + 1 && !el.closest(".table-wrap")) { widest = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""); break; }
			}
			r({over: d.scrollWidth - d.clientWidth, widest});
		})))`, &w, func(p *runtimeEvaluateParams) *runtimeEvaluateParams { return p.WithAwaitPromise(true) }),
		chromedp.EmulateViewport(width, height))
	if w.Over > 0 {
		b.T.Errorf("%s scrolls sideways by %d px at 375 px wide (first too wide: %s)", url, w.Over, w.Widest)
	}
}

// Screenshot saves the full page as name.png.
func (b *Browser) Screenshot(name string) {
	b.T.Helper()
	var png []byte
	b.Run(chromedp.FullScreenshot(&png, 100))
	if err := os.MkdirAll(b.shotsDir, 0o755); err != nil {
		b.T.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.shotsDir, name+".png"), png, 0o644); err != nil {
		b.T.Fatal(err)
	}
}

// Viewport sets the window size, e.g. Phone.
func (b *Browser) Viewport(size [2]int64) {
	b.Run(chromedp.EmulateViewport(size[0], size[1]))
}

// URL is where the browser is.
func (b *Browser) URL() string {
	var u string
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	_ = chromedp.Run(ctx, chromedp.Location(&u))
	return u
}

// Path is the URL's path and query on the server.
func (b *Browser) Path() string { return strings.TrimPrefix(b.URL(), b.Base) }

// Text is the visible text of the first element matching sel.
func (b *Browser) Text(sel string) string {
	b.T.Helper()
	var s string
	b.Run(chromedp.Text(sel, &s, by(sel), chromedp.NodeVisible))
	return s
}

// Value is the current value of the form field sel (CSS).
func (b *Browser) Value(sel string) string {
	b.T.Helper()
	var v string
	b.Run(chromedp.Value(sel, &v, chromedp.ByQuery))
	return v
}

// Fill types value into the field sel, replacing what is there.
func (b *Browser) Fill(sel, value string) {
	b.T.Helper()
	q, _ := json.Marshal(sel)
	b.Run(chromedp.WaitVisible(sel, chromedp.ByQuery),
		chromedp.Evaluate("document.querySelector("+string(q)+").value = ''", nil),
		chromedp.SendKeys(sel, value, chromedp.ByQuery, chromedp.NodeVisible))
}

// SignIn signs a school member in through the sign-in page.
func (b *Browser) SignIn(tenant, username, password string) {
	b.T.Helper()
	b.Go("/signin", "")
	b.Fill("#tenant", tenant)
	b.Fill("#username", username)
	b.Fill("#password", password)
	b.Submit(`main button[type=submit]`, "")
}

// StaffSignIn signs processor staff in.
func (b *Browser) StaffSignIn(email, password string) {
	b.T.Helper()
	b.Go("/staff/signin", "")
	b.Fill("#email", email)
	b.Fill("#password", password)
	b.Submit(`main button[type=submit]`, "")
}

// SignOut uses the sign-out button in the header.
func (b *Browser) SignOut() {
	b.T.Helper()
	b.Submit(`form.signout button`, "")
}

// Ctx is the browser's context, for chromedp actions not wrapped here.
func (b *Browser) Ctx() context.Context { return b.ctx }

// repoRoot is the module root, found from this file.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

func axePath() string {
	if p := os.Getenv("LMS_AXE_JS"); p != "" {
		return p
	}
	return filepath.Join(repoRoot(), ".data", "axe", "axe.min.js")
}

func shotsDir() string {
	if d := os.Getenv("LMS_SCREENSHOTS_DIR"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(), ".data", "screenshots")
}
