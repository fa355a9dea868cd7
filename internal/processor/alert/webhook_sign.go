package alert

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Deliveries follow the Standard Webhooks specification
// (www.standardwebhooks.com), so a school can check them with any of its
// libraries: webhook-id is the alert's id (the same on every retry, so a
// receiver can drop duplicates), webhook-timestamp is when this attempt
// was signed, and webhook-signature is "v1," and the base64 HMAC-SHA256 of
// "id.timestamp.body". Signing the timestamp lets a receiver refuse a
// delivery replayed later (the libraries allow five minutes).

// secretPrefix marks a Standard Webhooks secret: the base64 key follows.
const secretPrefix = "whsec_"

// newSecret is a fresh signing secret: 32 random bytes, as whsec_base64.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return secretPrefix + base64.StdEncoding.EncodeToString(b)
}

// signer is the Standard Webhooks signer of a tenant's secret. A secret
// made before deliveries followed the standard (48 hex characters, no
// whsec_) keeps working: its characters are the key, which a receiver
// gives its library as "whsec_" + base64(secret) or as the raw key.
func signer(secret string) (*standardwebhooks.Webhook, error) {
	if strings.HasPrefix(secret, secretPrefix) {
		return standardwebhooks.NewWebhook(secret)
	}
	return standardwebhooks.NewWebhookRaw([]byte(secret))
}

// Event is a delivery's body, in the standard's recommended shape: a
// dotted type, when the event happened, and the alert as data. It carries
// no personal data beyond the names the alert itself carries.
type Event struct {
	Type      string    `json:"type"` // "alert." and the alert's kind, e.g. alert.breach
	Timestamp time.Time `json:"timestamp"`
	Data      EventData `json:"data"`
}

// EventData is the alert a delivery posts: what happened and where to act.
type EventData struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Link      string    `json:"link"`
	CreatedAt time.Time `json:"created_at"`
}

// signedDelivery is the body and headers of one attempt to post a, signed
// at now with secret.
func signedDelivery(secret string, a Alert, now time.Time) ([]byte, http.Header, error) {
	body, err := json.Marshal(Event{Type: "alert." + a.Kind, Timestamp: a.CreatedAt,
		Data: EventData{a.ID.String(), a.Kind, a.Title, a.Body, a.Link, a.CreatedAt}})
	if err != nil {
		return nil, nil, err
	}
	wh, err := signer(secret)
	if err != nil {
		return nil, nil, err
	}
	id := a.ID.String()
	sig, err := wh.Sign(id, now, body)
	if err != nil {
		return nil, nil, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(standardwebhooks.HeaderWebhookID, id)
	h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(standardwebhooks.HeaderWebhookSignature, sig)
	return body, h, nil
}
