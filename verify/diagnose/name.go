package diagnose

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dcvkit/dcv/internal/dnsname"
)

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
	if err := dnsname.Public(r.domain); err != nil {
		f := Finding{Code: NameSpecialUse, Severity: Error, Subject: r.domain,
			Message: "the name is not in the public DNS: public CAs never issue for it",
			Fix:     "use a registered public domain; for a lab, use a private CA (and --allow-private here)"}
		var e *dnsname.Error
		if errors.As(err, &e) && e.Detail != "" {
			f.Message = fmt.Sprintf("%s: public CAs never issue for it", e.Detail)
		}
		if !specialUse(err) {
			f.Code = NameUnknownTLD
			f.Fix = "check the spelling of the top-level domain; internal names cannot get public certificates"
		}
		r.out.add(f)
	}
	return true
}

// specialUse tells a special-use name (.test, .local, ...) from a name
// under an unknown top-level domain, both of which dnsname.Public refuses:
// only the latter's reason says the TLD is not an ICANN one.
func specialUse(err error) bool {
	var e *dnsname.Error
	return !errors.As(err, &e) || !strings.Contains(e.Detail, "not an ICANN top-level domain")
}
