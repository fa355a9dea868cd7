package alert

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// Webhooks reach only the public internet outside dev and test: no
// loopback, private, link-local, shared (carrier NAT, cloud metadata),
// benchmarking or NAT64 address, however it is written.
func TestOnlyPublicAddresses(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"127.0.0.1": false, "::1": false, "::ffff:127.0.0.1": false, "10.1.2.3": false, "192.168.1.1": false, "172.16.0.1": false,
		"169.254.169.254": false, "100.100.100.200": false, "64:ff9b::a9fe:a9fe": false, "198.18.0.1": false, "192.0.0.8": false,
		"0.0.0.0": false, "fd00::1": false, "fe80::1": false, "240.0.0.1": false,
		"2002:a9fe:a9fe::1": false, "::127.0.0.1": false, "fec0::1": false, "2001:0:4136:e378::1": false,
		"8.8.8.8": true, "81.2.69.160": true, "2a00:1450:4009:81f::200e": true,
	} {
		require.Equal(t, want, public(net.ParseIP(addr)), addr)
	}
}
