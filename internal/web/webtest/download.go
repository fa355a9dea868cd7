package webtest

import (
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// Download clicks the link sel, lets Chromium save what it downloads (as
// a person's browser would, following redirects to the object store) and
// returns the saved bytes.
func (b *Browser) Download(sel string) []byte {
	b.T.Helper()
	dir := b.T.TempDir()
	done := make(chan string, 1)
	chromedp.ListenTarget(b.ctx, func(ev any) {
		if e, ok := ev.(*browser.EventDownloadProgress); ok && e.State == browser.DownloadProgressStateCompleted {
			select {
			case done <- e.GUID:
			default:
			}
		}
	})
	b.Run(browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllowAndName).WithDownloadPath(dir).WithEventsEnabled(true),
		chromedp.Click(sel, chromedp.ByQuery, chromedp.NodeVisible))
	select {
	case guid := <-done:
		data, err := os.ReadFile(filepath.Join(dir, guid))
		if err != nil {
			b.T.Fatalf("browser: read download: %v", err)
		}
		return data
	case <-time.After(60 * time.Second):
		b.T.Fatalf("browser: no download within 60 s after clicking %s (at %s)", sel, b.URL())
	}
	return nil
}
