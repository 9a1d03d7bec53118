package diagnose

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dcvkit/dcv/internal/dnsname"
)

// specialUse are the special-use domain names of the IANA registry (RFC
// 6761, 6762, 7686, 8375, 9476) and ICANN's .internal: no public CA issues
// for a name under them.
var specialUse = []string{"test", "example", "invalid", "localhost", "local", "onion", "alt", "internal", "home.arpa"}

// checkName normalizes the domain and reports why a public CA could not
// issue for it. It returns false when the name is unusable, so nothing
// else is checked.
func (r *run) checkName(in string) bool {
	d, err := dnsname.Domain(in)
	if err != nil {
		f := Finding{Code: NameInvalid, Severity: Error, Subject: strings.TrimSpace(in), Evidence: []string{err.Error()}}
		switch {
		case errors.Is(err, dnsname.ErrIPAddress):
			f.Code, f.Message = NameIPAddress, "an IP address is not a domain name"
			f.Fix = "request the certificate for a domain name that points at the address"
		case errors.Is(err, dnsname.ErrPublicSuffix):
			f.Code, f.Message = NamePublicSuffix, "the name is a public suffix, which nobody can prove control of"
			f.Fix = "request a name under it that you registered (example.com, not com)"
		default:
			f.Message = "the name is not a valid domain name"
			f.Fix = "check the spelling: labels of letters, digits and hyphens, \"*.\" only in front"
		}
		r.out.add(f)
		return false
	}
	r.domain, r.adn = d, dnsname.Base(d)
	if r.d.AllowPrivate {
		return true
	}
	for _, s := range specialUse {
		if r.adn == s || strings.HasSuffix(r.adn, "."+s) {
			r.out.add(Finding{Code: NameSpecialUse, Severity: Error, Subject: r.domain,
				Message: fmt.Sprintf(".%s is a special-use name: public CAs never issue for it", s),
				Fix:     "use a registered public domain; for a lab, use a private CA (and --allow-private here)"})
			return true
		}
	}
	if !dnsname.HasICANNSuffix(r.adn) {
		tld := r.adn[strings.LastIndexByte(r.adn, '.')+1:]
		r.out.add(Finding{Code: NameUnknownTLD, Severity: Error, Subject: r.domain,
			Message: fmt.Sprintf("the top-level domain .%s is not a public one", tld),
			Fix:     "check the spelling of the top-level domain; internal names cannot get public certificates"})
	}
	return true
}
