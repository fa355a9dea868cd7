package identity

import "context"

// CheckIDToken exposes the ID token check to the package's tests, which
// hold real tokens from the test provider that no sign-in flow would bring
// (one issued to another client).
func (s *Service) CheckIDToken(ctx context.Context, p Provider, raw, nonce string) error {
	op, err := s.discovery.provider(ctx, p.Issuer)
	if err != nil {
		return err
	}
	_, err = s.checkIDToken(ctx, p, op, raw, nonce)
	return err
}

// PersonByUsername is the sign-in lookup, for its plan test.
const PersonByUsername = personByUsername
