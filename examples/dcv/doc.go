// Command dcv computes CSR validation hashes, builds Domain Control
// Validation challenges, verifies them over DNS and HTTP, and checks CAA,
// using only the public API of github.com/dcvkit/dcv.
//
// Why: an applicant stuck on a refused validation, or a CA operator
// answering one, needs to see exactly what to publish and what the CA's
// check sees — the record or file, the values found, each authoritative
// server's answer, the CAA record that forbids issuance — with a hint that
// says what to fix. The exit status makes the same checks scriptable, and
// the --json forms carry the evidence a CA keeps.
//
//	dcv help [COMMAND] | dcv COMMAND --help | dcv --version
//	dcv hash [--json] [--ca D] [--token T] [--domain D] CSR_FILE|-
//	dcv challenge --method M [--csr FILE] [--ca D] [--token T] [--account-key FILE] [--allow-private] [--json] DOMAIN...
//	dcv challenge --method tls-alpn-01 --token T --account-key FILE [--cert-out F --key-out F] DOMAIN
//	dcv challenge --method dns-account-01 --token T --account-key FILE --account-url URL DOMAIN...
//	dcv challenge --method dns-persist-01 --issuer NAME --account-url URL (--account-key FILE | --plain-accounturi)
//	    [--wildcard-policy] [--any-domain] [--persist-until RFC3339|UNIX] DOMAIN...
//	dcv verify dns-txt --name FQDN --value V
//	dcv verify dns-cname --name FQDN --target T
//	dcv verify file --url URL [--url URL ...] (--content S | --content-file F)
//	dcv verify tls-alpn-01 --domain D --key-authorization KA [--allow-private]
//	dcv verify dns-persist --domain D --issuer NAME[,NAME] --account-uri URI[,URI] [--wildcard] [--at RFC3339]
//	dcv verify --challenge FILE [--code C]
//	dcv caa --ca NAME[,NAME] [--wildcard] [--account-uri U] [--method M] [--allow-private] DOMAIN...
//	dcv verify|caa ... --perspective [REGION@]URL[#KEYFILE][,...] [--key-file F] [--min-remotes N] [--min-regions N] [--perspective-ca PEM]
//	dcv serve-perspective --listen ADDR --key-file F [--url URL] [--resolver ...] [--allow-private] [--region R] [--label L] [--tls-cert F --tls-key F]
//
// Exit status: 0 success, verified or permitted; 1 not verified or
// forbidden; 2 could not decide or bad input (message on stderr, the
// library's hint on a line of its own); 64 usage error: a missing or
// malformed flag value, or a flag without the flag it needs (--interval
// without --wait, --auth-port without --authoritative), reported in one
// line and the command's synopsis; 130 interrupted (SIGINT, SIGTERM). With
// several names the worst status wins. For tls-alpn-01 a certificate that
// breaks a rule, or a server that answers TLS but negotiates no ALPN (it
// does not serve the challenge), is 1; a refused connection, a failed
// handshake, a timeout, a wildcard or a refused address is 2. Flags may come before or after the
// positional arguments; --json prints one JSON object per name (JSON
// Lines), each with its "outcome". verify and caa take --resolver
// IP:PORT[,IP:PORT]; without it they use the resolvers of /etc/resolv.conf.
//
// --ca is a CA brand (caa.Brands: one table for hash and caa) or an issuer
// domain name in the public DNS. challenge and caa refuse special-use and
// non-public names (.test, .internal, .local, .onion, a TLD outside ICANN)
// unless --allow-private. --wait reports every attempt on stderr with its
// cause and the time left (a live line on a terminal, a line per attempt
// otherwise) and says when the wait ran out.
//
// # Multi-perspective corroboration
//
// A check seen from one network can be fooled by a local BGP hijack or a
// poisoned resolver; BR 3.2.2.9 has CAs repeat every DCV and CAA check
// from remote perspectives (package verify/perspective). serve-perspective
// runs one: its own resolvers (--resolver), its own hardened HTTP client
// (--allow-private) and a CAA checker on the same resolvers, behind the
// signed HTTP protocol of perspective.Handler, with its timeouts. Its URL
// is its identity: it answers only requests signed for that URL, so a
// request or answer relayed between perspectives never counts. It prints
// the URL alone on the first line of stdout (http://ADDR, https:// with
// --tls-cert, or --url, which a wildcard --listen requires), logs each
// request on stderr, and serves until SIGINT or SIGTERM, letting running
// checks finish for up to 10 s. --label (default: the URL's host) and
// --region are only what it reports about itself.
//
// verify and caa with --perspective repeat each check (each name, record,
// URL set or challenge; several at once) on this host, the primary, and
// on every remote, and pass only if the primary passes and the quorum
// holds: one remote must agree, of 2 to 5 one may dissent, of 6 or more
// two. A remote that disagrees, errs, is unreachable, times out or
// refuses the key counts against. Each remote is given by the URL it
// prints (https://; plain http:// off loopback is warned about). A key
// file holds a key as text, at least 32 characters, surrounding
// whitespace ignored, readable by its owner only: URL#KEYFILE gives a
// remote its own, --key-file the one of the others. Without
// --min-remotes/--min-regions the BR 3.2.2.9 minimums in force today
// apply (perspective.PolicyAt); lower ones must be asked for and are
// reported as weaker than the BR. Regions are the caller's to give, since
// a remote's word about itself is not trusted: write an entry as
// REGION@URL (e.g. RIPE@https://mpic-eu.example.net:8443); only the
// regions of corroborating remotes count. --perspective-ca trusts a
// private CA for https perspectives.
//
// Output: the final outcome first (verified or permitted when
// corroborated; "not corroborated" when the primary passed but the quorum
// or the policy did not; else the primary's outcome), the primary's
// details, then one line per perspective (label, region, outcome, error),
// the policy applied and the reason; with --json, one perspective.Report
// per check. Exit status: 0 corroborated; 1 the primary not verified or
// forbidden, or the primary passed but the quorum or a minimum failed; 2
// the primary could not decide, or bad input (a key file that is short or
// readable by others, URL, region, a check the library refuses); 64 a
// remote without a key, --key-file without --perspective, or
// --min-*/--perspective-ca without --perspective.
//
// Choices: email challenges have no network check to repeat, so verify
// refuses them with --perspective (exit 2; verify them without it).
// --authoritative applies to the primary's view only; a remote asks as
// its own flags say (serve-perspective --authoritative). --wait repeats
// the whole corroboration (verify.Retry) until it passes, the check is
// refused, or the wait is over, says each attempt's outcome on stderr (a
// line each: several checks run at once), and reports the last one; file checks
// carry this host's redirect and scheme rule to every remote.
//
// Layout: one file per subcommand, each registered in commands() (main.go)
// and parsing its flags with newFlags/parse (flags.go), which allow flags
// after positional arguments and map -h and usage errors to 0 and 64;
// flags.go also has the helpers for flags that vet their value (duration,
// port, listFlag.check) and for flags that need another (needs).
// common.go holds the shared --ca and --token flags and error printing,
// netflags.go the shared --resolver/--timeout flags, wiring.go the one
// Verifier wiring of verify and serve-perspective, mpic.go the shared
// --perspective flags and the report printing, serve.go the remote
// perspective.
package main
