package identity

import (
	"context"
	"errors"

	"github.com/crewjam/saml"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// refuseSSO records, in the school's sign-ins, a sign-in through a
// provider that failed before it reached one of the school's people, and
// returns why it failed. detail is the admin's reason in plain words
// (the person's message when empty); it never names the account the
// provider vouched for: that account may be another school's person,
// and a name that matched nobody is never stored (recordSignIn).
func (s *Service) refuseSSO(ctx context.Context, tenant uuid.UUID, method, detail string, c Client, why error) error {
	if detail == "" {
		detail = errs.Public(why)
	}
	return errors.Join(why, s.recordFailure(ctx, tenant, nil, method, SignInRefused, detail, c))
}

// idpRefusal is what the person reads, and what the school's record
// says, when the school's OpenID provider answered with an error instead
// of a code (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6). Only the
// standard codes are read: the provider's own words (error_description)
// and anything else in the address are never shown, since anyone can put
// them in a link.
func idpRefusal(code string) (public, detail string) {
	switch code {
	case "access_denied":
		return "The sign-in was cancelled, or your school's sign-in service did not let you in. Start again, or ask your school.",
			"the sign-in service refused or the person cancelled (access_denied)"
	case "login_required", "interaction_required", "consent_required", "account_selection_required":
		return "Your school's sign-in service needs you to sign in there first. Start again.",
			"the sign-in service asked the person to sign in again (" + code + ")"
	case "temporarily_unavailable", "server_error":
		return "Your school's sign-in service had a problem. Try again in a few minutes.",
			"the sign-in service had a problem (" + code + ")"
	}
	return "Your school's sign-in service did not sign you in. Start again, or ask your school to check the connection.",
		"the sign-in service answered with an error it did not name in a standard way"
}

// samlWhy is the school's reason, in plain words, that an answer from its
// SAML identity provider was refused. It reads the library's kind of
// failure, never its message, which quotes addresses from the answer
// (another school's, when an answer is brought here from there).
func samlWhy(err error) string {
	switch {
	case errors.Is(err, saml.ErrCertificateNotValidNow):
		return "the identity provider's signing certificate has expired or is not valid yet"
	case errors.Is(err, saml.ErrInvalidSignature), errors.Is(err, saml.ErrUntrustedCertificate), errors.Is(err, saml.ErrInvalidCertificate):
		return "the answer was not signed with the certificate in the identity provider's metadata"
	case errors.Is(err, saml.ErrExpired), errors.Is(err, saml.ErrNotYetValid):
		return "the answer was too old or not valid yet (check the identity provider's clock)"
	case errors.Is(err, saml.ErrDestinationMismatch), errors.Is(err, saml.ErrAudienceMismatch):
		return "the answer was meant for another service, not this school's sign-in"
	case errors.Is(err, saml.ErrIssuerMismatch):
		return "the answer came from another identity provider"
	case errors.Is(err, saml.ErrRequestIDMismatch):
		return "the answer did not answer this sign-in (started at the identity provider, or for another sign-in)"
	case errors.Is(err, saml.ErrUnsupported), errors.Is(err, saml.ErrDecryptionFailed):
		return "the answer used a feature this platform does not accept (encryption or artifacts)"
	case errors.Is(err, saml.ErrMalformedMessage), errors.Is(err, saml.ErrMissingElement):
		return "the answer could not be read"
	}
	return "the answer was refused"
}
