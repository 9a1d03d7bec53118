package caa

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/miekg/dns"
)

// Evaluation is what the rule engine decides about one relevant RRset.
type Evaluation struct {
	Permitted bool   `json:"permitted"`      // whether the CA may issue
	Rule      string `json:"rule"`           // which rule decided
	Hint      string `json:"hint,omitempty"` // how to permit the CA, when forbidden
}

// Evaluate applies RFC 8659, RFC 8657 and RFC 9495 to rrset, the relevant
// CAA RRset for req.Domain, and decides whether one of req.Issuers may
// issue. It does no DNS; Checker.Check finds the relevant RRset first.
// Hints name req.Domain's base as the owner for any record to add.
func Evaluate(req Request, rrset []*dns.CAA) Evaluation {
	req.Issuers = ResolveIdentity(req.Issuers)
	req.Wildcard = isWildcard(req)
	return evaluate(req, rrset, place{owner: hintOwner(req.Domain)})
}

// place says where the relevant RRset was found, for hints: at owner, or
// through a CNAME from alias to owner.
type place struct {
	owner string
	alias string
}

func hintOwner(domain string) string {
	if d, err := dnsname.Domain(domain); err == nil {
		return dnsname.Base(d)
	}
	return dnsname.Base(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), "."))
}

func isWildcard(req Request) bool {
	return req.Wildcard || strings.HasPrefix(strings.TrimSpace(req.Domain), "*.")
}

// known reports whether tag (lower case) is a property this package
// understands; an unknown tag with the critical flag forbids issuance.
func known(tag string) bool {
	switch tag {
	case TagIssue, TagIssueWild, TagIodef, TagIssueMail, TagIssueVMC, TagContactEmail, TagContactPhone:
		return true
	}
	return false
}

// evaluate is Evaluate of a vetted request: req.Issuers are issuer domain
// names (ResolveIdentity's) and req.Wildcard says whether issuewild applies.
func evaluate(req Request, rrset []*dns.CAA, at place) Evaluation {
	issuers, wild := req.Issuers, req.Wildcard
	var issue, issueWild []*dns.CAA
	for _, rr := range rrset {
		if rr == nil {
			continue
		}
		switch tag := strings.ToLower(rr.Tag); {
		case !known(tag) && rr.Flag&FlagCritical != 0:
			return Evaluation{
				Rule: fmt.Sprintf("critical unknown tag %q forbids", rr.Tag),
				Hint: fmt.Sprintf("%sremove the record %s or clear its critical flag (128): no CA may issue while it is there",
					at.prefix(), present(at.owner, rr)),
			}
		case tag == TagIssue:
			issue = append(issue, rr)
		case tag == TagIssueWild:
			issueWild = append(issueWild, rr)
		}
	}

	tag, governing, prefix := TagIssue, issue, ""
	if wild && len(issueWild) > 0 {
		tag, governing, prefix = TagIssueWild, issueWild, "issuewild present: governs wildcard; "
	}
	if len(governing) == 0 {
		switch {
		case len(rrset) == 0:
			return Evaluation{Permitted: true, Rule: "no CAA records: unrestricted"}
		case wild:
			return Evaluation{Permitted: true, Rule: "no issue or issuewild property: unrestricted"}
		default:
			return Evaluation{Permitted: true, Rule: "no issue property: unrestricted"}
		}
	}

	var named []string // issuers the governing records name, for the rule
	var binding string // why a record naming our CA did not authorize
	for _, rr := range governing {
		v, err := ParseIssueValue(rr.Value)
		if err != nil {
			named = appendOnce(named, "malformed "+strconv.Quote(rr.Value))
			continue
		}
		if v.Issuer == "" {
			continue
		}
		if !slices.Contains(issuers, v.Issuer) {
			named = appendOnce(named, strconv.Quote(v.Issuer))
			continue
		}
		if why := bound(v, req); why != "" {
			if binding == "" {
				binding = why
			}
			continue
		}
		return Evaluation{Permitted: true, Rule: tag + " " + strconv.Quote(rr.Value) + " permits"}
	}

	var rule string
	switch {
	case binding != "":
		rule = binding
	case len(named) == 0:
		rule = fmt.Sprintf("%s \";\" authorizes no one", tag)
	default:
		rule = fmt.Sprintf("%s names only %s", tag, strings.Join(named, ", "))
	}
	return Evaluation{Rule: prefix + rule, Hint: hint(req, issuers, tag, at, binding != "")}
}

// bound returns why an RFC 8657 parameter keeps v from authorizing req, or
// "" if none does. Unknown parameters are ignored.
func bound(v IssueValue, req Request) string {
	if uri, ok := v.Param(ParamAccountURI); ok {
		switch {
		case req.AccountURI == "":
			return "accounturi required: the request names no account"
		case req.AccountURI != uri:
			return "accounturi mismatch"
		}
	}
	if list, ok := v.Param(ParamValidationMethods); ok {
		if req.Method == "" {
			return "validationmethods required: the request names no method"
		}
		for _, m := range strings.Split(list, ",") {
			if strings.TrimSpace(m) == req.Method {
				return ""
			}
		}
		return fmt.Sprintf("validationmethods excludes %q", req.Method)
	}
	return ""
}

func hint(req Request, issuers []string, tag string, at place, boundParams bool) string {
	if len(issuers) == 0 {
		return "name the CA's issuer domain (e.g. ssl.com) to get the record to add"
	}
	value := issuers[0]
	if boundParams {
		if req.AccountURI != "" {
			value += "; " + ParamAccountURI + "=" + req.AccountURI
		}
		if req.Method != "" {
			value += "; " + ParamValidationMethods + "=" + req.Method
		}
	}
	rec := fmt.Sprintf("%s CAA 0 %s %q", dnsname.FQDN(at.owner), tag, value)
	if at.alias != "" {
		return fmt.Sprintf("%sadd `%s` at %s (whoever runs it), or pause the CNAME while the certificate is issued",
			at.prefix(), rec, at.owner)
	}
	return fmt.Sprintf("add `%s` next to the existing CAA records", rec)
}

func (at place) prefix() string {
	if at.alias == "" {
		return ""
	}
	return fmt.Sprintf("the CNAME from %s to %s brings %s's CAA records: ", at.alias, at.owner, at.owner)
}

// present returns rr in presentation form at owner, without TTL and class.
func present(owner string, rr *dns.CAA) string {
	return fmt.Sprintf("`%s CAA %d %s %s`", dnsname.FQDN(owner), rr.Flag, rr.Tag, strconv.Quote(rr.Value))
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
