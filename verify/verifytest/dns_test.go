package verifytest_test

import (
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// A Zone stands in for the DNS client.
var _ verify.Exchanger = (*verifytest.Zone)(nil)
