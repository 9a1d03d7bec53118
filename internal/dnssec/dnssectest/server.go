package dnssectest

import "github.com/miekg/dns"

// ServeDNS answers r from the hierarchy, so that a Hierarchy can be served
// by a miekg/dns server on loopback (verify/verifytest serves a signed
// Zone the same way). The DO bit of the query decides whether RRSIGs and
// NSEC/NSEC3 proofs are included; UDP answers are truncated to the
// client's EDNS0 size.
func (h *Hierarchy) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	if len(r.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(r, dns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return
	}
	do := false
	if opt := r.IsEdns0(); opt != nil {
		do = opt.Do()
	}
	q := r.Question[0]
	m, err := h.Resolve(q.Name, q.Qtype, do)
	if err != nil {
		m = new(dns.Msg)
		m.SetRcode(r, dns.RcodeServerFailure)
	}
	m.Id = r.Id
	m.Question = r.Question
	m.RecursionDesired = r.RecursionDesired
	m.CheckingDisabled = r.CheckingDisabled
	m.Extra = nil
	if opt := r.IsEdns0(); opt != nil {
		m.SetEdns0(4096, do)
	}
	if w.RemoteAddr().Network() == "udp" {
		size := 512
		if opt := r.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
		}
		m.Truncate(size)
	}
	_ = w.WriteMsg(m)
}
