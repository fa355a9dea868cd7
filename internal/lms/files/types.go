package files

import (
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// allowed are the content types a school may upload, by detected type (the
// bytes decide, not the name or the browser's claim). HTML, SVG, scripts and
// executables are refused: a stored file must never run in a browser.
var allowed = []string{
	"application/pdf",
	"image/png", "image/jpeg", "image/gif", "image/webp",
	"video/mp4", "video/webm", "video/quicktime", "video/ogg",
	"audio/mpeg", "audio/ogg", "audio/wav", "audio/mp4", "audio/webm", "audio/flac", "audio/aac",
	"text/plain", "text/csv",
	"application/zip",
	"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/vnd.oasis.opendocument.text",
	"application/vnd.oasis.opendocument.spreadsheet",
	"application/vnd.oasis.opendocument.presentation",
}

// sniffBytes is how much of the start of a file the detector reads.
const sniffBytes = 3072

// detect returns the canonical allowed type of head, or "" when the bytes
// are of a type we do not accept.
func detect(head []byte) string {
	m := mimetype.Detect(head)
	for ; m != nil; m = m.Parent() {
		for _, a := range allowed {
			if m.Is(a) {
				return a
			}
		}
		// Any text that is not markup is plain text; HTML, XML and SVG stop here.
		if m.Is("text/html") || m.Is("text/xml") || m.Is("image/svg+xml") || strings.Contains(m.String(), "javascript") {
			return ""
		}
	}
	return ""
}

// Family is the major part of a content type: video, audio, image, …
func Family(contentType string) string {
	f, _, _ := strings.Cut(contentType, "/")
	return f
}

// inline reports whether a browser may show the type in place (media, PDF,
// images); everything else downloads as an attachment.
func inline(contentType string) bool {
	switch Family(contentType) {
	case "video", "audio", "image":
		return true
	}
	return contentType == "application/pdf" || contentType == "text/plain"
}
