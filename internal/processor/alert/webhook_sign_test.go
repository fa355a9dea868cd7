package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/require"
)

// The signature is the one of the Standard Webhooks specification: its
// published test vector signs to the published signature.
func TestSignatureMatchesSpecVector(t *testing.T) {
	t.Parallel()
	wh, err := signer("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	require.NoError(t, err)
	sig, err := wh.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	require.NoError(t, err)
	require.Equal(t, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", sig)
	require.Regexp(t, `^whsec_[A-Za-z0-9+/]{43}=$`, newSecret(), "32 random bytes, base64")
}

// receiver is a school's endpoint as the specification asks it to be
// written: the library's Verify (signature and five-minute window), and
// each webhook-id taken once.
type receiver struct {
	wh   *standardwebhooks.Webhook
	mu   sync.Mutex
	seen map[string]bool
	got  []Event
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if err := r.wh.Verify(body, req.Header); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	id := req.Header.Get(standardwebhooks.HeaderWebhookID)
	if r.seen[id] {
		http.Error(w, "replayed", http.StatusConflict)
		return
	}
	r.seen[id] = true
	var e Event
	if err := json.Unmarshal(body, &e); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.got = append(r.got, e)
}

// A receiver using the standard's library accepts our delivery and refuses
// the same delivery replayed, one altered on the way, and one signed more
// than five minutes ago; a secret made before the standard still verifies.
func TestReceiverRefusesReplays(t *testing.T) {
	t.Parallel()
	secret := newSecret()
	wh, err := standardwebhooks.NewWebhook(secret)
	require.NoError(t, err)
	rc := &receiver{wh: wh, seen: map[string]bool{}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s := &Service{client: NewClient(true)}
	hook := Webhook{URL: srv.URL, Secret: secret}
	a := Alert{ID: uuid.Must(uuid.NewV7()), Kind: "breach", Title: "A breach", Link: "/t/x/admin/breaches", CreatedAt: time.Now().UTC()}
	ctx := context.Background()

	require.NoError(t, s.post(ctx, hook, a))
	require.Len(t, rc.got, 1)
	require.Equal(t, "alert.breach", rc.got[0].Type)
	require.Equal(t, a.ID.String(), rc.got[0].Data.ID)

	send := func(body []byte, h http.Header) int {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header = h
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		return res.StatusCode
	}
	body, h, err := signedDelivery(secret, a, time.Now())
	require.NoError(t, err)
	require.Equal(t, http.StatusConflict, send(body, h), "the same webhook-id again is a replay")

	b := Alert{ID: uuid.Must(uuid.NewV7()), Kind: "breach", Title: "Another", CreatedAt: time.Now().UTC()}
	body, h, err = signedDelivery(secret, b, time.Now())
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, send(bytes.Replace(body, []byte("Another"), []byte("Altered"), 1), h))
	body, h, err = signedDelivery(secret, b, time.Now().Add(-6*time.Minute))
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, send(body, h), "signed too long ago")
	require.True(t, errors.Is(wh.Verify(body, h), standardwebhooks.ErrMessageTooOld))
	other, err := standardwebhooks.NewWebhook(newSecret())
	require.NoError(t, err)
	body, h, err = signedDelivery(secret, b, time.Now())
	require.NoError(t, err)
	require.Error(t, other.Verify(body, h), "another school's secret does not verify")
	require.Equal(t, http.StatusOK, send(body, h))
	require.Len(t, rc.got, 2)

	legacy := "0123456789abcdef0123456789abcdef0123456789abcdef"
	body, h, err = signedDelivery(legacy, b, time.Now())
	require.NoError(t, err)
	raw, err := standardwebhooks.NewWebhookRaw([]byte(legacy))
	require.NoError(t, err)
	require.NoError(t, raw.Verify(body, h), "a secret made before the standard signs with its characters as the key")
}
