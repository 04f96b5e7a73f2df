package contract

import "testing"

func TestPackageVersion(t *testing.T) {
	for _, tc := range []struct {
		pkg   string
		level stability
		ok    bool
	}{
		{"acme.orders.v1", stabilityStable, true},
		{"acme.orders.v12", stabilityStable, true},
		{"acme.orders.v1alpha1", stabilityAlpha, true},
		{"acme.orders.v1alpha", stabilityAlpha, true},
		{"acme.orders.v2beta3", stabilityBeta, true},
		{"acme.orders.v1p1beta1", stabilityBeta, true},
		{"acme.orders.v1test", stabilityTest, true},
		{"acme.orders.v1testfoo", stabilityTest, true},
		{"acme.orders.v0", 0, false},
		{"acme.orders.v1alphabeta1", 0, false},
		{"acme.orders.v", 0, false},
		{"acme.orders.version1", 0, false},
		{"acme.orders", 0, false},
		{"v1", 0, false},
		{"", 0, false},
		{"acme.orders.vx", 0, false},
		{"acme.orders.v1alpha0", 0, false},
	} {
		level, ok := packageVersion(tc.pkg)
		if ok != tc.ok || (ok && level != tc.level) {
			t.Errorf("packageVersion(%q) = %v, %v; want %v, %v", tc.pkg, level, ok, tc.level, tc.ok)
		}
	}
}
